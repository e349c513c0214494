"""Serialize query results in the negotiated format, enforcing the row and byte caps.

Used both inside the query workers (embedded store) and in remote mode, so the two modes
answer with the same bytes and the same errors.

Over a cap we answer with an error (reply.too_many_rows / too_many_bytes) instead of a
truncated result. Oxigraph's own writers produce every format (writing JSON row by row in
Python cost more than the engine on cheap queries); both caps stop the writer as it passes
them (see serialize_solutions), so an oversized answer is never completed.
"""
from __future__ import annotations

from typing import Iterable

import pyoxigraph as ox

from esgkg.graph import formats

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


class _TooManyBytes(Exception):
    """Raised inside Oxigraph's writer once an answer passes the byte cap."""


class _TooManyRows(Exception):
    """Raised inside Oxigraph's writer once an answer passes the row cap."""


class _CappedBuffer:
    """A binary file for Oxigraph's TSV writer that refuses to grow past ``max_bytes`` or
    ``max_lines`` lines, so an oversized answer is abandoned while it is being written
    (the engine stops producing rows, and memory stays at the cap)."""

    def __init__(self, max_bytes: int, max_lines: int) -> None:
        self.max_bytes, self.max_lines = max_bytes, max_lines
        self.size = self.lines = 0
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        chunk = bytes(data)
        self.size += len(chunk)
        self.lines += chunk.count(b"\n")
        if self.lines > self.max_lines:
            raise _TooManyRows
        if self.size > self.max_bytes:
            raise _TooManyBytes
        self.parts.append(chunk)
        return len(chunk)

    def flush(self) -> None:
        pass


def serialize_solutions(solutions: ox.QuerySolutions, media_type: str, max_rows: int,
                        max_bytes: int = DEFAULT_MAX_BYTES) -> Reply:
    """SELECT results in ``media_type``, written by Oxigraph's own writers (no Python per row).

    The rows are first written as TSV, where every row is one line (line breaks in values
    are escaped) and every term is written losslessly: counting lines while it is written
    enforces both caps as the rows come. Other formats are then re-written from that TSV,
    in Rust; the byte cap applies to the final answer too.
    """
    out = _CappedBuffer(max_bytes, max_rows + 1)  # the header line, then one line per row
    try:
        solutions.serialize(out, ox.QueryResultsFormat.TSV)
    except _TooManyRows:
        return too_many_rows(max_rows)
    except _TooManyBytes:
        return too_many_bytes(max_bytes)
    body = b"".join(out.parts)
    fmt = RESULT_FORMATS[media_type]
    if fmt != ox.QueryResultsFormat.TSV:
        body = ox.parse_query_results(body, ox.QueryResultsFormat.TSV).serialize(format=fmt)
        if len(body) > max_bytes:
            return too_many_bytes(max_bytes)
    return Reply(200, f"{media_type}; charset=utf-8", body)


def serialize_boolean(result: ox.QueryBoolean | bool, media_type: str) -> Reply:
    """ASK results in ``media_type``, by Oxigraph's writer; a plain bool is an answer read off
    another shape (Virtuoso's one-column table, service/backends/remote.py)."""
    if isinstance(result, bool):  # pyoxigraph makes QueryBoolean only by parsing
        result = ox.parse_query_results(b'{"head":{},"boolean":%s}' % (b"true" if result else b"false"),
                                        ox.QueryResultsFormat.JSON)
    body = result.serialize(format=RESULT_FORMATS[media_type])
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
    # An IRI holds no line break, so "IRI starts with ns" is "\n" + ns occurring in the
    # lines below: one substring search per prefix, in C, where testing every IRI against
    # every prefix in Python took half the time of a whole DESCRIBE (~70 of 215 us).
    lines = "\n" + "\n".join(iris)
    return {p: ns for p, ns in prefixes.items() if "\n" + ns in lines}


def serialize_result(result: object, media_type: str, max_rows: int,
                     prefixes: dict[str, str] | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> Reply:
    """Dispatch on what pyoxigraph returned for a query."""
    if isinstance(result, ox.QueryBoolean):
        return serialize_boolean(result, media_type)
    if isinstance(result, ox.QuerySolutions):
        return serialize_solutions(result, media_type, max_rows, max_bytes)
    return serialize_triples(result, media_type, max_rows, prefixes, max_bytes)  # QueryTriples
