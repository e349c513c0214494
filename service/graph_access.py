"""How the web pages of named queries, SDG traces and pictures reach the data.

They never open the store themselves: every query goes through the app's backend (the
time-bounded worker pool, or the remote engine), exactly like /sparql, so the service's
time limit and row cap apply to them too. Their results are cached by store version.
"""
from __future__ import annotations

import time

from flask import current_app

from esgkg.graph.projection import Projection, projection_for
from esgkg.graph.query_results import QueryError, QueryFn, json_results_table
from esgkg.graph.store import StoreRoot

JSON_RESULTS = "application/sparql-results+json"
REMOTE_VERSION_SECONDS = 300  # a remote engine has no version we can read: refresh this often


def backend_query_fn(backend) -> QueryFn:
    """A :data:`QueryFn` that sends SELECTs as jobs to ``backend`` and reads JSON results."""

    def run(sparql: str):
        reply = backend.run({"op": "query", "query": sparql, "media_type": JSON_RESULTS,
                             "default_graphs": None, "named_graphs": None, "base_iri": None})
        if reply.status != 200:
            raise QueryError(reply.body.decode("utf-8", "replace").strip(), reply.status)
        return json_results_table(reply.body)

    return run


def app_query_fn() -> QueryFn:
    """The query function of the current app."""
    return backend_query_fn(current_app.extensions["esgkg"].backend)


def store_version() -> str:
    """The published store version (cheap: a readlink and a small JSON file)."""
    config = current_app.extensions["esgkg"].config
    if config.remote:
        return f"remote:{config.store}:{int(time.time() // REMOTE_VERSION_SECONDS)}"
    return StoreRoot(config.store).current().version


def app_projection() -> Projection:
    """The topic–SDG projection of the current store version (built once per version)."""
    return projection_for(app_query_fn(), store_version())
