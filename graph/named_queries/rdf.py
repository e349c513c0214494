"""A named query as linked data.

A query is described with SHACL's SPARQL executable vocabulary (sh:select holds the text of
a SELECT query, and so on), its title as rdfs:label and its description as dcterms:description,
so that <base>queries/NAME dereferences to something a SHACL engine could run.
"""
from __future__ import annotations

import pyoxigraph as ox

from ..sparql_text import query_form
from .header import NamedQuery

_SH = "http://www.w3.org/ns/shacl#"
_RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_EXECUTABLES = {"SELECT": ("SPARQLSelectExecutable", "select"), "ASK": ("SPARQLAskExecutable", "ask"),
                "CONSTRUCT": ("SPARQLConstructExecutable", "construct"), "DESCRIBE": ("SPARQLExecutable", "select")}


def query_iri(name: str, base: str) -> str:
    """The IRI of a named query under a deployment's base IRI."""
    return f"{base}queries/{name}"


def describe_query(query: NamedQuery, base: str) -> list[ox.Triple]:
    """The RDF description of one named query (its text as loaded, so rebased)."""
    node = ox.NamedNode(query_iri(query.name, base))
    cls, prop = _EXECUTABLES.get(query_form(query.text) or "SELECT", _EXECUTABLES["SELECT"])
    n = ox.NamedNode
    triples = [
        ox.Triple(node, n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), n(_SH + cls)),
        ox.Triple(node, n(_RDFS_LABEL), ox.Literal(query.title, language="en")),
        ox.Triple(node, n(_SH + prop), ox.Literal(query.text)),
        ox.Triple(node, n("http://purl.org/dc/terms/identifier"), ox.Literal(query.name)),
    ]
    if query.title_zh:
        triples.append(ox.Triple(node, n(_RDFS_LABEL), ox.Literal(query.title_zh, language="zh-Hant")))
    if query.description:
        triples.append(ox.Triple(node, n("http://purl.org/dc/terms/description"),
                                 ox.Literal(query.description, language="en")))
    return triples
