"""The named-query library: ``queries/*.rq`` files with a comment header, typed parameters.

A named query is an ordinary SPARQL SELECT (it runs as it stands in any SPARQL client)
whose first comment lines describe it::

    # title: Topics by pillar and materiality
    # title-zh: 按範疇及矩陣次序列出實質性議題
    # description: Every material topic with its pillar and its position in the matrix.
    # param: report (slug, default: all) The report id, e.g. oneconnect-2024.
    # param: pillar (string, default: all) E, S or G.

Parameters are SPARQL variables of the query (written ``$report`` by convention so a
reader sees which variables are parameters). Binding never pastes text into the query:
each value is checked against its type and written as one RDF term in a ``VALUES`` block
placed at the top of the query's outermost group, so the value can only ever be data.
A parameter whose default is ``all`` (and that is not given) stays unbound, which in a
triple pattern means "any".

The parameter rules live here, for every surface (HTTP, CLI, library): an unknown parameter
name is refused with the accepted names; a parameter declared ``one of: A|B|C`` accepts only
those values (case-insensitively, bound in the declared spelling); one declared ``ids: KIND``
(report, topic, metric, stakeholder) is checked against the ids of that kind in the store by
:func:`prepare`, and refused with the closest ids. See docs/named-queries.md.

This package is the one entry point; its parts each have one job: :mod:`.terms` (parameter
types and how a value becomes a SPARQL term), :mod:`.header` (reading a ``.rq`` file's
header), :mod:`.library` (the loader, which rebases on the deployment's IRI), :mod:`.binding`
(values into the text, and running) and :mod:`.rdf` (a query as linked data).
"""
from __future__ import annotations

from .binding import (bind, check_ids, empty_hint, given_values, inject_values, known_ids, narrowing_hint,
                      parse_assignments, prepare, resolve_values, run)
from .header import ID_KINDS, NamedQuery, parse, parse_param
from .library import find, get, load_all, queries_folder
from .rdf import describe_query, query_iri
from .terms import (SDG_BASE, TERM_WRITERS, TYPE_HELP, UNBOUND, NamedQueryError, Param, sdg_iri, sdg_notation,
                    sparql_term)

__all__ = [
    "ID_KINDS", "SDG_BASE", "TERM_WRITERS", "TYPE_HELP", "UNBOUND", "NamedQuery", "NamedQueryError", "Param",
    "bind", "check_ids", "describe_query", "empty_hint", "find", "get", "given_values", "inject_values",
    "known_ids", "load_all", "narrowing_hint", "parse", "parse_assignments", "parse_param", "prepare", "query_iri",
    "queries_folder", "resolve_values", "run", "sdg_iri", "sdg_notation", "sparql_term",
]
