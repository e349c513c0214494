"""The one way library and service code reads the dataset with SPARQL.

Feature code (named queries, the SDG traversal, pictures, resource descriptions, VoID)
asks a :class:`Sparql` for a :class:`Table` of SELECT solutions or the triples of a
CONSTRUCT/DESCRIBE, and never knows where they come from: :class:`StoreSparql` runs them on
an open embedded store (the CLI, static publishing, tests); the service's adapter
(``service/backends/sparql.py``) sends them through the time-bounded worker pool or the
remote engine, so pages get the same limits as /sparql. Both read the union of the named
graphs as the default graph unless the query names its own with FROM, as the endpoint does.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import partial
from typing import Callable, Iterator, Protocol

import pyoxigraph as ox

from .disjoint_graphs import reads_as_set
from .errors import QueryError
from .union import run_query

__all__ = ["QueryError", "QueryFn", "Row", "Sparql", "StoreSparql", "Table", "Term",
           "json_results_table", "term_json"]

XSD = "http://www.w3.org/2001/XMLSchema#"

# One RDF term as in SPARQL 1.1 JSON results: {"type": "uri"|"literal"|"bnode", "value": …,
# optional "xml:lang" / "datatype"}.
Term = dict[str, str]
Row = dict[str, Term]


@dataclass
class Table:
    """The solutions of one SELECT query: variable names and rows of bound terms."""

    variables: list[str]
    rows: list[Row] = field(default_factory=list)

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, index: int) -> Row:
        return self.rows[index]

    def values(self, variable: str) -> list[str]:
        """The lexical values of one column (unbound cells skipped)."""
        return [row[variable]["value"] for row in self.rows if variable in row]


QueryFn = Callable[[str], Table]  # a Sparql's select, where feature code needs only SELECT


class Sparql(Protocol):
    """Runs read-only queries over the dataset."""

    def select(self, query: str) -> Table:
        """The solutions of a SELECT query (unbound variables left out of each row)."""

    def construct(self, query: str) -> list[ox.Triple]:
        """The triples of a CONSTRUCT or DESCRIBE query."""


def term_json(term: object) -> Term:
    """A pyoxigraph term as a SPARQL JSON results term."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: Term = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD + "string":
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):  # RDF-star: the SPARQL JSON "triple" extension
        return {"type": "triple", "value": {
            "subject": term_json(term.subject), "predicate": term_json(term.predicate),
            "object": term_json(term.object)}}
    return {"type": "literal", "value": str(term)}


class StoreSparql:
    """A :class:`Sparql` on an open pyoxigraph store, in this process."""

    def __init__(self, store: ox.Store, max_rows: int = 100_000, union_store: ox.Store | None = None,
                 meta: dict | None = None) -> None:
        """``union_store``: the version's union copy (``StoreRoot.open_union_read_only``), in which
        the default graph is the union as a set; without it shared triples count once per graph.
        ``meta``: the version's metadata, which says whether its graphs share no triple."""
        self.store = store
        self.max_rows = max_rows
        self.union_store = union_store
        self.meta = meta or {}

    def _run(self, query: str) -> object:
        try:
            return run_query(self.store, query, union_store=self.union_store,
                             reads_as_set=partial(reads_as_set, self.meta))
        except SyntaxError as exc:
            raise QueryError(f"malformed query: {exc}") from exc

    def solutions(self, query: str) -> Iterator[dict[str, str]]:
        """A SELECT's rows as plain values (a column left out where unbound), streamed from the
        engine with no row cap: for writers that must not hold a whole answer."""
        result = self._run(query)
        if not isinstance(result, ox.QuerySolutions):
            raise QueryError("only SELECT queries return rows")
        names = [v.value for v in result.variables]
        for solution in result:
            yield {n: solution[n].value for n in names if solution[n] is not None}

    def select(self, query: str) -> Table:
        result = self._run(query)
        if not isinstance(result, ox.QuerySolutions):
            raise QueryError("only SELECT queries return a table")
        names = [v.value for v in result.variables]
        rows: list[Row] = []
        for solution in result:
            if len(rows) >= self.max_rows:
                raise QueryError(f"more than {self.max_rows} rows", status=413)
            rows.append({n: term_json(solution[n]) for n in names if solution[n] is not None})
        return Table(names, rows)

    def construct(self, query: str) -> list[ox.Triple]:
        result = self._run(query)
        if not isinstance(result, ox.QueryTriples):
            raise QueryError("only CONSTRUCT and DESCRIBE queries return triples")
        return list(result)


def json_results_table(body: bytes | str) -> Table:
    """Parse SPARQL 1.1 Query Results JSON into a :class:`Table`."""
    doc = json.loads(body)
    if "boolean" in doc:
        raise QueryError("only SELECT queries return a table")
    return Table(list(doc["head"].get("vars", [])), list(doc["results"]["bindings"]))
