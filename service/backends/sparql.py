"""The service's :class:`~esgkg.graph.sparql.Sparql`: queries as jobs of the backend.

Pages (named queries, SDG traces, pictures, resource descriptions, VoID) never open the
store themselves: every query goes through the app's backend (the time-bounded worker pool,
or the remote engine), exactly like /sparql, so the service's time limit and row cap apply
to them too.
"""
from __future__ import annotations

import pyoxigraph as ox

from esgkg.graph.errors import QueryError
from esgkg.graph.sparql import Table, json_results_table

from .reply import LIMIT_HEADERS, Backend

JSON_RESULTS = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"


class BackendSparql:
    """Runs SELECT and CONSTRUCT/DESCRIBE queries as backend jobs and parses the replies."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    def _run(self, query: str, media_type: str) -> bytes:
        # No dataset in the job: the backend's default, the union of the named graphs.
        reply = self.backend.run({"op": "query", "query": query, "media_type": media_type,
                                  "default_graphs": None, "named_graphs": None, "base_iri": None})
        if reply.status != 200:
            raise QueryError(reply.body.decode("utf-8", "replace").strip(), reply.status,
                             limited=any(h in reply.headers for h in LIMIT_HEADERS))
        return reply.body

    def select(self, query: str) -> Table:
        return json_results_table(self._run(query, JSON_RESULTS))

    def construct(self, query: str) -> list[ox.Triple]:
        return list(ox.parse(self._run(query, N_TRIPLES), format=ox.RdfFormat.N_TRIPLES))
