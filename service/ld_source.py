"""A :class:`~esgkg.graph.sparql_source.SparqlSource` that runs through the service's backend.

Linked-data pages ask their questions as SPARQL jobs, exactly like /sparql does, so they get
the same worker pool (or remote engine), the same time limit and the same row cap.
"""
from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from esgkg.graph.sparql_source import Row


class BackendError(Exception):
    """The backend refused or failed a query; carries the HTTP status and its message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class BackendSource:
    """Runs CONSTRUCT/DESCRIBE and SELECT queries as backend jobs and parses the replies."""

    def __init__(self, backend: Any) -> None:
        self.backend = backend

    def _run(self, query: str, media_type: str) -> bytes:
        reply = self.backend.run({"op": "query", "query": query, "media_type": media_type,
                                  "default_graphs": [], "named_graphs": [], "base_iri": None})
        if reply.status != 200:
            raise BackendError(reply.status, reply.body.decode("utf-8", "replace").strip())
        return reply.body

    def triples(self, query: str) -> list[ox.Triple]:
        body = self._run(query, "application/n-triples")
        return list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))

    def rows(self, query: str) -> list[Row]:
        body = self._run(query, "application/sparql-results+json")
        result = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        names = [v.value for v in result.variables]
        return [{n: s[n] for n in names if s[n] is not None} for s in result]
