"""RDF for a named query (``queries/NAME.rq``), so ``<base>queries/NAME`` dereferences.

A query is described with SHACL's SPARQL executable vocabulary (``sh:select`` holds the text
of a SELECT query, and so on), its ``# title:`` as ``rdfs:label`` and its ``# description:``
as ``dcterms:description``.
"""
from __future__ import annotations

import pyoxigraph as ox

from esgkg.graph.namespaces import Iris

from .sparql.page import Example, named_queries
from esgkg.graph.sparql_text import query_form

SH = "http://www.w3.org/ns/shacl#"
_FORMS = {"SELECT": ("SPARQLSelectExecutable", "select"), "CONSTRUCT": ("SPARQLConstructExecutable", "construct"),
          "ASK": ("SPARQLAskExecutable", "ask"), "DESCRIBE": ("SPARQLExecutable", "select")}


def query_iri(name: str, iris: Iris) -> str:
    return f"{iris.base}queries/{name}"


def find(name: str) -> Example | None:
    return next((q for q in named_queries() if q.name == name), None)


def describe(example: Example, iris: Iris) -> list[ox.Triple]:
    node = ox.NamedNode(query_iri(example.name, iris))
    cls, prop = _FORMS.get(query_form(example.query) or "SELECT", _FORMS["SELECT"])
    n = ox.NamedNode
    triples = [
        ox.Triple(node, n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), n(SH + cls)),
        ox.Triple(node, n("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal(example.title, language="en")),
        ox.Triple(node, n(SH + prop), ox.Literal(example.query)),
        ox.Triple(node, n("http://purl.org/dc/terms/identifier"), ox.Literal(example.name)),
    ]
    if example.description:
        triples.append(ox.Triple(node, n("http://purl.org/dc/terms/description"),
                                 ox.Literal(example.description, language="en")))
    return triples
