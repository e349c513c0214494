"""Serialise a handful of triples (one resource's description) in the usual RDF formats.

Turtle, N-Triples and RDF/XML are written by Oxigraph, which keeps literals' lexical forms
(``"667"^^xsd:decimal`` stays ``667``); JSON-LD is compacted by rdflib against the
project's ``@context`` so it reads like plain JSON. Input is sorted first, so the same
triples always give the same bytes (the service's ETags rely on it).
"""
from __future__ import annotations


import pyoxigraph as ox
from rdflib import Graph

from . import formats
from .export import jsonld_context
from .formats import JSONLD
from .namespaces import Iris, prefixes

# key -> (media type, oxigraph format or None for JSON-LD, which rdflib writes)
TRIPLE_FORMATS: dict[str, tuple[str, ox.RdfFormat | None]] = {
    f.key: (f.media_type, None if f is JSONLD else f.oxigraph) for f in formats.TRIPLE_FORMATS}


def context_for(iris: Iris) -> dict:
    """The project's JSON-LD @context, with its IRIs moved to this deployment's base."""
    return jsonld_context(iris)


def used_prefixes(triples: list[ox.Triple], iris: Iris) -> dict[str, str]:
    """Only the prefixes whose namespace some IRI in ``triples`` starts with."""
    names = set()
    for t in triples:
        for term in (t.subject, t.predicate, t.object):
            if isinstance(term, ox.NamedNode):
                names.add(term.value)
            elif isinstance(term, ox.Literal):
                names.add(term.datatype.value)
    # No "id:" prefix: our IRIs have slashes after it, which Turtle must escape (id:a\\/b).
    return {p: ns for p, ns in sorted(prefixes(iris).items())
            if p != "id" and any(n.startswith(ns) for n in names)}


def serialize(triples: list[ox.Triple], fmt: str, iris: Iris) -> bytes:
    """``triples`` in format ``fmt`` (a key of :data:`TRIPLE_FORMATS`)."""
    ordered = sorted(set(triples), key=str)
    _, ox_format = TRIPLE_FORMATS[fmt]
    if ox_format is ox.RdfFormat.N_TRIPLES:
        return ox.serialize(ordered, format=ox_format) or b""
    if ox_format is ox.RdfFormat.TURTLE:
        return _sorted_prefix_lines(ox.serialize(ordered, format=ox_format, prefixes=used_prefixes(ordered, iris)) or b"")
    if ox_format is not None:
        return ox.serialize(ordered, format=ox_format, prefixes=used_prefixes(ordered, iris)) or b""
    graph = Graph()
    graph.parse(data=(ox.serialize(ordered, format=ox.RdfFormat.N_TRIPLES) or b"").decode("utf-8"), format="nt")
    return graph.serialize(format="json-ld", context=context_for(iris), encoding="utf-8")


def _sorted_prefix_lines(turtle: bytes) -> bytes:
    # Oxigraph writes @prefix lines in hash-map order; sorted, they read better and the
    # bytes no longer depend on the process.
    lines = turtle.split(b"\n")
    head = [line for line in lines if line.startswith(b"@prefix ")]
    return b"\n".join(sorted(head) + lines[len(head):])
