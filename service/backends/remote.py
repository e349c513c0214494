"""Scale-out: answer from a remote SPARQL 1.1 engine, and push the built dataset into it.

The remote engine is reached only through the standard protocols (SPARQL 1.1 Protocol for
query and update, Graph Store Protocol for loading), so Oxigraph server, Fuseki, GraphDB,
Virtuoso, QLever or Neptune all fit. Answers are re-serialized here, so the formats, the
row cap and the error messages are the same as with the embedded store.

Limits in this mode: the time limit is the HTTP read timeout towards the engine (the engine
may keep computing after we give up: configure its own timeout too); the row cap is enforced
while streaming, and the connection is dropped as soon as it is exceeded.
"""
from __future__ import annotations

import re
from typing import Any, Iterator

import pyoxigraph as ox
import requests

from esgkg.graph.errors import StoreError
from esgkg.graph.store import StoreRoot

from .reply import Reply, timeout_reply
from .results import serialize_result, serialize_triples

CONNECT_TIMEOUT = 5.0


def sibling_url(query_url: str, name: str) -> str:
    """``.../query`` -> ``.../update`` or ``.../store`` (Oxigraph and Fuseki layouts)."""
    base = re.sub(r"/(query|sparql)/?$", "", query_url.rstrip("/"))
    return f"{base}/{name}"


class RemoteBackend:
    """Runs the same jobs as the worker pool, against a remote engine over HTTP."""

    def __init__(self, query_url: str, *, update_url: str | None = None, store_url: str | None = None,
                 timeout: float, max_rows: int, prefixes: dict[str, str] | None = None) -> None:
        self.query_url = query_url
        self.update_url = update_url or sibling_url(query_url, "update")
        self.store_url = store_url or sibling_url(query_url, "store")
        self.timeout = timeout
        self.max_rows = max_rows
        self.prefixes = prefixes or {}
        self.session = requests.Session()
        self.session.trust_env = False  # never route through a proxy from the environment

    def close(self) -> None:
        self.session.close()

    def run(self, job: dict[str, Any]) -> Reply:
        try:
            return getattr(self, "_" + job["op"])(job)
        except requests.Timeout:
            return timeout_reply(self.timeout)
        except requests.RequestException as exc:
            return Reply.error(502, f"The remote SPARQL engine did not answer: {exc}")
        except SyntaxError as exc:
            return Reply.error(502, f"The remote SPARQL engine sent an unreadable answer: {exc}")

    def _upstream_error(self, response: requests.Response) -> Reply:
        status = response.status_code if 400 <= response.status_code < 500 else 502
        return Reply.error(status, f"Remote engine said ({response.status_code}): {response.text[:2000]}")

    def _query(self, job: dict[str, Any]) -> Reply:
        graph_result = job["media_type"] not in (
            "application/sparql-results+json", "application/sparql-results+xml",
            "text/csv", "text/tab-separated-values")
        accept = "application/n-triples" if graph_result else "application/sparql-results+json"
        data: list[tuple[str, str]] = [("query", job["query"])]
        data += [("default-graph-uri", g) for g in job.get("default_graphs") or []]
        data += [("named-graph-uri", g) for g in job.get("named_graphs") or []]
        with self.session.post(self.query_url, data=data, headers={"Accept": accept}, stream=True,
                               timeout=(CONNECT_TIMEOUT, self.timeout)) as response:
            if response.status_code != 200:
                return self._upstream_error(response)
            response.raw.decode_content = True
            if graph_result:
                triples = (q.triple for q in ox.parse(response.raw, format=ox.RdfFormat.N_TRIPLES))
                return serialize_triples(triples, job["media_type"], self.max_rows, self.prefixes)
            parsed = ox.parse_query_results(response.raw, ox.QueryResultsFormat.JSON)
            return serialize_result(parsed, job["media_type"], self.max_rows, self.prefixes)

    def _update(self, job: dict[str, Any]) -> Reply:
        # USING clauses were already written into the text by the endpoint.
        response = self.session.post(self.update_url, data=job["update"].encode("utf-8"),
                                     headers={"Content-Type": "application/sparql-update"},
                                     timeout=(CONNECT_TIMEOUT, self.timeout))
        if response.status_code >= 300:
            return self._upstream_error(response)
        return Reply(204, "text/plain; charset=utf-8", b"")

    def _update_syntax(self, job: dict[str, Any]) -> Reply:
        # The remote engine's parser judges the update when it runs it (a 4xx passed on).
        return Reply.no_content()

    def _graph_params(self, graph: str | None) -> dict[str, str]:
        return {"default": ""} if graph is None else {"graph": graph}

    def _graph_get(self, job: dict[str, Any]) -> Reply:
        response = self.session.get(self.store_url, params=self._graph_params(job.get("graph")),
                                    headers={"Accept": "application/n-triples"},
                                    timeout=(CONNECT_TIMEOUT, self.timeout))
        if response.status_code == 404:
            return Reply.error(404, f"No graph {job.get('graph')} in the store.")
        if response.status_code != 200:
            return self._upstream_error(response)
        triples = (q.triple for q in ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES))
        return serialize_triples(triples, job["media_type"], 10**9, self.prefixes)

    def _graph_load(self, job: dict[str, Any]) -> Reply:
        method = self.session.put if job.get("replace") else self.session.post
        response = method(self.store_url, params=self._graph_params(job.get("graph")), data=job["data"],
                          headers={"Content-Type": job["content_type"]},
                          timeout=(CONNECT_TIMEOUT, self.timeout))
        if response.status_code >= 300:
            return self._upstream_error(response)
        return Reply(response.status_code if response.status_code == 201 else 204,
                     "text/plain; charset=utf-8", b"")

    def _graph_delete(self, job: dict[str, Any]) -> Reply:
        response = self.session.delete(self.store_url, params=self._graph_params(job.get("graph")),
                                       timeout=(CONNECT_TIMEOUT, self.timeout))
        if response.status_code == 404:
            return Reply.error(404, f"No graph {job.get('graph')} in the store.")
        if response.status_code >= 300:
            return self._upstream_error(response)
        return Reply(204, "text/plain; charset=utf-8", b"")


def _ntriples(store: ox.Store, graph: ox.NamedNode | ox.DefaultGraph) -> bytes:
    triples: Iterator[ox.Triple] = (q.triple for q in store.quads_for_pattern(None, None, None, graph))
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


def push(root: StoreRoot, store_url: str, timeout: float = 600.0) -> list[tuple[str, int]]:
    """PUT every graph of the built store into a remote Graph Store Protocol endpoint.

    PUT replaces each graph, so pushing twice gives the same remote dataset. Returns
    (graph, triple count) for each graph pushed. One graph is held in memory at a time
    (a report is ~10^4 triples).
    """
    store, _info = root.open_read_only()
    session = requests.Session()
    session.trust_env = False
    pushed: list[tuple[str, int]] = []
    targets: list[ox.NamedNode | ox.DefaultGraph] = list(store.named_graphs())
    if any(True for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph())):
        targets.insert(0, ox.DefaultGraph())
    for graph in targets:
        params = {"default": ""} if isinstance(graph, ox.DefaultGraph) else {"graph": graph.value}
        body = _ntriples(store, graph)
        response = session.put(store_url, params=params, data=body,
                               headers={"Content-Type": "application/n-triples"}, timeout=timeout)
        name = "(default graph)" if isinstance(graph, ox.DefaultGraph) else graph.value
        if response.status_code >= 300:
            raise StoreError(f"push of {name} to {store_url} failed: "
                             f"{response.status_code} {response.text[:500]}")
        pushed.append((name, body.count(b"\n")))
    return pushed
