"""Serialize query results in the negotiated format, enforcing the row and byte caps.

Used both inside the query workers (embedded store) and in remote mode, so the two modes
answer with the same bytes and the same errors.

Over a cap we answer with an error (reply.too_many_rows / too_many_bytes) instead of a
truncated result. Sizes are counted while the rows are read, so an oversized answer is
refused before it is ever written out.
"""
from __future__ import annotations

import json
from typing import Iterable

import pyoxigraph as ox

from esgkg.graph import formats
from esgkg.graph.sparql import term_json

from .reply import Reply, too_many_bytes, too_many_rows

DEFAULT_MAX_BYTES = 50_000_000

# media type -> Oxigraph's writer, from the one format table (graph/formats.py).
RESULT_FORMATS = {f.media_type: f.oxigraph for f in formats.RESULTS_FORMATS}
GRAPH_FORMATS = {f.media_type: f.oxigraph for f in formats.RDF_FORMATS}


def _term_size(term: object) -> int:
    """Characters a term takes in any result format, give or take the markup."""
    size = len(getattr(term, "value", ""))
    datatype = getattr(term, "datatype", None)
    return size + (len(datatype.value) if datatype is not None else 0) + 16


def serialize_solutions(solutions: ox.QuerySolutions, media_type: str, max_rows: int,
                        max_bytes: int = DEFAULT_MAX_BYTES) -> Reply:
    """SELECT results: read at most ``max_rows`` + 1 rows, then write them in ``media_type``."""
    names = [v.value for v in solutions.variables]
    rows: list[dict] = []
    size = 0
    for solution in solutions:
        if len(rows) >= max_rows:
            return too_many_rows(max_rows)
        row = {}
        for name in names:
            value = solution[name]
            if value is not None:
                size += _term_size(value)
                row[name] = term_json(value)
        if size > max_bytes:
            return too_many_bytes(max_bytes)
        rows.append(row)
    doc = json.dumps({"head": {"vars": names}, "results": {"bindings": rows}}, ensure_ascii=False)
    if media_type == "application/sparql-results+json":
        body = doc.encode("utf-8")
    else:
        # One writer of ours (JSON), oxigraph's writers for the rest: parse back and re-emit.
        parsed = ox.parse_query_results(doc, ox.QueryResultsFormat.JSON)
        body = parsed.serialize(format=RESULT_FORMATS[media_type])
    return Reply(200, f"{media_type}; charset=utf-8", body)


def serialize_boolean(value: bool, media_type: str) -> Reply:
    if media_type == "application/sparql-results+json":
        body = json.dumps({"head": {}, "boolean": bool(value)}).encode()
    else:
        parsed = ox.parse_query_results(json.dumps({"head": {}, "boolean": bool(value)}),
                                        ox.QueryResultsFormat.JSON)
        body = parsed.serialize(format=RESULT_FORMATS[media_type])
    return Reply(200, f"{media_type}; charset=utf-8", body)


def serialize_triples(triples: Iterable[ox.Triple], media_type: str, max_rows: int,
                      prefixes: dict[str, str] | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> Reply:
    """CONSTRUCT/DESCRIBE results: at most ``max_rows`` triples, in an RDF format."""
    kept: list[ox.Triple] = []
    size = 0
    for triple in triples:
        if len(kept) >= max_rows:
            return too_many_rows(max_rows, "triples")
        size += _term_size(triple.subject) + _term_size(triple.predicate) + _term_size(triple.object)
        if size > max_bytes:
            return too_many_bytes(max_bytes)
        kept.append(triple)
    fmt = GRAPH_FORMATS[media_type]
    items: list = kept
    if fmt.supports_datasets:
        items = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in kept]
    kwargs = {}
    if prefixes and fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML):
        used = _used_prefixes(kept, prefixes)
        if used:
            kwargs["prefixes"] = used
    body = ox.serialize(items, format=fmt, **kwargs)
    return Reply(200, f"{media_type}; charset=utf-8", body or b"")


def _used_prefixes(triples: list[ox.Triple], prefixes: dict[str, str]) -> dict[str, str]:
    """Only the prefixes some IRI in the output starts with, so headers stay short."""
    iris = {t.predicate.value for t in triples}
    iris |= {n.value for t in triples for n in (t.subject, t.object) if isinstance(n, ox.NamedNode)}
    return {p: ns for p, ns in prefixes.items() if any(i.startswith(ns) for i in iris)}


def serialize_result(result: object, media_type: str, max_rows: int,
                     prefixes: dict[str, str] | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> Reply:
    """Dispatch on what pyoxigraph returned for a query."""
    if isinstance(result, ox.QueryBoolean):
        return serialize_boolean(bool(result), media_type)
    if isinstance(result, ox.QuerySolutions):
        return serialize_solutions(result, media_type, max_rows, max_bytes)
    return serialize_triples(result, media_type, max_rows, prefixes, max_bytes)  # QueryTriples
