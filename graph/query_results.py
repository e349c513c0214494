"""SELECT results as plain data, and the two ways of getting them.

Everything that runs SPARQL on behalf of a feature (named queries, the SDG traversal,
plots) takes a :data:`QueryFn`: a function from query text to :class:`Table`. Two are
provided: :func:`store_query_fn` on an open embedded store, and :func:`json_results_table`
to read SPARQL 1.1 JSON results (which is what the service's time-bounded backend and a
remote endpoint answer with). The same feature code therefore runs in the CLI (embedded
store) and in the web service (worker pool or remote engine) without knowing which.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Callable, Iterator

import pyoxigraph as ox

XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC_TYPES = {XSD + t for t in ("integer", "decimal", "double", "float", "int", "long",
                                   "nonNegativeInteger", "positiveInteger")}

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

    def values(self, variable: str) -> list[str]:
        """The lexical values of one column (unbound cells skipped)."""
        return [row[variable]["value"] for row in self.rows if variable in row]


QueryFn = Callable[[str], Table]


class QueryError(Exception):
    """A query could not be run (syntax error, time limit, row cap, engine error)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


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


def store_query_fn(store: ox.Store, max_rows: int = 100_000) -> QueryFn:
    """Run SELECT queries on an open embedded store, over the union of its named graphs."""

    def run(sparql: str) -> Table:
        try:
            result = store.query(sparql, use_default_graph_as_union=True)
        except SyntaxError as exc:
            raise QueryError(f"malformed query: {exc}") from exc
        if not isinstance(result, ox.QuerySolutions):
            raise QueryError("only SELECT queries return a table")
        names = [v.value for v in result.variables]
        rows: list[Row] = []
        for solution in result:
            if len(rows) >= max_rows:
                raise QueryError(f"more than {max_rows} rows", status=413)
            rows.append({n: term_json(solution[n]) for n in names if solution[n] is not None})
        return Table(names, rows)

    return run


def json_results_table(body: bytes | str) -> Table:
    """Parse SPARQL 1.1 Query Results JSON into a :class:`Table`."""
    doc = json.loads(body)
    if "boolean" in doc:
        raise QueryError("only SELECT queries return a table")
    return Table(list(doc["head"].get("vars", [])), list(doc["results"]["bindings"]))


def is_numeric(term: Term | None) -> bool:
    return bool(term) and term.get("type") == "literal" and term.get("datatype") in NUMERIC_TYPES
