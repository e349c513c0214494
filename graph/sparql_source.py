"""Where linked-data code gets its answers: anything that runs SPARQL over the dataset.

The publishing code (resource descriptions, VoID) only needs CONSTRUCT/DESCRIBE and SELECT.
Behind this small protocol it runs the same queries against the embedded store (the CLI's
static publishing, tests) or through the service's worker pool or remote engine (HTTP),
so both give the same answers and the service keeps its time limits.
"""
from __future__ import annotations

from typing import Protocol

import pyoxigraph as ox

Row = dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]


class SparqlSource(Protocol):
    """Runs read-only queries over the union of all graphs (like the endpoint does)."""

    def triples(self, query: str) -> list[ox.Triple]:
        """The triples of a CONSTRUCT or DESCRIBE query."""

    def rows(self, query: str) -> list[Row]:
        """The solutions of a SELECT query, unbound variables left out."""


class StoreSource:
    """A :class:`SparqlSource` on an open pyoxigraph store (in this process)."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store

    def _run(self, query: str):
        # Same dataset as the endpoint: the default graph is the union of the named graphs,
        # unless the query names its own with FROM.
        union = " FROM " not in query.upper().replace("\n", " ")
        return self.store.query(query, use_default_graph_as_union=union)

    def triples(self, query: str) -> list[ox.Triple]:
        return list(self._run(query))

    def rows(self, query: str) -> list[Row]:
        result = self._run(query)
        names = [v.value for v in result.variables]
        out: list[Row] = []
        for solution in result:
            out.append({n: solution[n] for n in names if solution[n] is not None})
        return out
