"""Scale-out: answer from a remote SPARQL 1.1 engine, and push the built dataset into it.

The remote engine is reached only through the standard protocols (SPARQL 1.1 Protocol for
query and update, Graph Store Protocol for loading), so Oxigraph server, Fuseki, GraphDB,
Virtuoso, QLever or Neptune all fit. Answers are re-serialized here, so the formats, the
row cap and the error messages are the same as with the embedded store.

Limits in this mode: the time limit is the HTTP read timeout towards the engine (the engine
may keep computing after we give up: configure its own timeout too); the row cap is enforced
while streaming, and the connection is dropped as soon as it is exceeded.

What differs between engines and is handled here (docs/sparql-endpoint.md, "Remote engines"):
the endpoint layout (Virtuoso takes queries and updates at one ``/sparql`` and the Graph
Store Protocol at ``/sparql-graph-crud``), Virtuoso 7 answering ASK with a one-column table,
an engine's own time limit reported as an error (SQLSTATE S1T00) or as a partial answer
(``X-SQL-State`` header): both are the 503 of our own time limit; and an answer the engine
cut at its own row limit (``X-SPARQL-MaxRows``): an error, never a short answer. Every text
is sent with ``BASE <esgkg's endpoint>`` in front, so relative IRIs mean what they mean in
embedded mode on every engine.
"""
from __future__ import annotations

import re
from typing import Any, Iterator
from urllib.parse import urlsplit, urlunsplit

import pyoxigraph as ox
import requests

from esgkg.graph.errors import StoreError
from esgkg.graph.sparql_text import query_form
from esgkg.graph.store import StoreRoot

from .reply import Reply, timeout_reply, too_many_rows
from .results import serialize_boolean, serialize_result, serialize_triples

CONNECT_TIMEOUT = 5.0
# ODBC's "timeout expired" state: how Virtuoso says its own query time limit struck.
ENGINE_TIMEOUT_STATES = ("S1T00", "HYT00")
# Virtuoso serves its SPARQL endpoint at the root of the host, with the Graph Store
# Protocol beside it; the "-auth" twins ask for HTTP authentication.
VIRTUOSO_STORES = {"/sparql": "/sparql-graph-crud", "/sparql-auth": "/sparql-graph-crud-auth"}


def sibling_url(query_url: str, name: str) -> str:
    """The update (``name="update"``) or Graph Store (``"store"``) endpoint beside a query URL.

    ``/sparql`` and ``/sparql-auth`` at the root of a host are Virtuoso's layout: updates
    go to the same URL, the Graph Store to ``/sparql-graph-crud(-auth)``. Otherwise
    ``.../query`` or ``.../sparql`` -> ``.../update`` or ``.../store`` (Oxigraph, Fuseki).
    """
    parts = urlsplit(query_url)
    path = parts.path.rstrip("/")
    if path in VIRTUOSO_STORES:
        return urlunsplit(parts._replace(path=path if name == "update" else VIRTUOSO_STORES[path],
                                         query="", fragment=""))
    base = re.sub(r"/(query|sparql)/?$", "", query_url.rstrip("/"))
    return f"{base}/{name}"


_IRIREF_BODY = re.compile(r'[^\x00-\x20<>"{}|^`\\]+')


def with_base(text: str, base: str | None) -> str:
    """The text with ``BASE <base>`` in front, so that relative IRIs resolve against esgkg's
    endpoint as in embedded mode, not against the engine's URL (or not at all: Virtuoso keeps
    them relative). A BASE of the text's own comes later in the prologue and still wins."""
    if not base or not _IRIREF_BODY.fullmatch(base):
        return text
    return f"BASE <{base}>\n{text}"


def _engine_timed_out(response: requests.Response) -> bool:
    """The engine's own time limit struck: an error naming the ODBC timeout state, or a
    200 that Virtuoso marks as a partial ("anytime") answer with an X-SQL-State header."""
    if response.status_code == 200:
        return bool(response.headers.get("X-SQL-State"))
    head = response.text[:200] if response.status_code >= 500 else ""
    return any(state in head for state in ENGINE_TIMEOUT_STATES)


def _ask_from_table(parsed: object) -> bool | None:
    """Virtuoso 7 answers ASK with a table of one column (``__ASK_RETVAL``): one row holding
    1 for true, no row for false. None when ``parsed`` is not such a table."""
    if not isinstance(parsed, ox.QuerySolutions) or len(parsed.variables) != 1:
        return None
    for solution in parsed:
        value = solution[0]
        return not (isinstance(value, ox.Literal) and value.value in ("0", "false"))
    return False


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
        data: list[tuple[str, str]] = [("query", with_base(job["query"], job.get("base_iri")))]
        data += [("default-graph-uri", g) for g in job.get("default_graphs") or []]
        data += [("named-graph-uri", g) for g in job.get("named_graphs") or []]
        with self.session.post(self.query_url, data=data, headers={"Accept": accept}, stream=True,
                               timeout=(CONNECT_TIMEOUT, self.timeout)) as response:
            if _engine_timed_out(response):
                return timeout_reply(self.timeout)
            if response.status_code != 200:
                return self._upstream_error(response)
            if response.headers.get("X-SPARQL-MaxRows"):
                return self._cut_by_engine(response.headers["X-SPARQL-MaxRows"])
            response.raw.decode_content = True
            if graph_result:
                triples = (q.triple for q in ox.parse(response.raw, format=ox.RdfFormat.N_TRIPLES))
                return serialize_triples(triples, job["media_type"], self.max_rows, self.prefixes)
            parsed = ox.parse_query_results(response.raw, ox.QueryResultsFormat.JSON)
            if query_form(job["query"]) == "ASK" and not isinstance(parsed, ox.QueryBoolean):
                answer = _ask_from_table(parsed)
                if answer is None:
                    raise SyntaxError("a table of several columns as the answer to ASK")
                return serialize_boolean(answer, job["media_type"])
            return serialize_result(parsed, job["media_type"], self.max_rows, self.prefixes)

    def _cut_by_engine(self, engine_rows: str) -> Reply:
        """Virtuoso stops a SELECT answer at its ResultSetMaxRows with a 200 and only this
        header to say so; a short answer is never served as if it were whole."""
        if engine_rows.isdigit() and int(engine_rows) > self.max_rows:
            return too_many_rows(self.max_rows)
        return Reply.error(502, f"The remote SPARQL engine cut its answer at {engine_rows} rows, below "
                                f"esgkg's row limit ({self.max_rows}): raise the engine's limit "
                                "(Virtuoso: ResultSetMaxRows in virtuoso.ini).")

    def _update(self, job: dict[str, Any]) -> Reply:
        # USING clauses were already written into the text by the endpoint.
        text = with_base(job["update"], job.get("base_iri"))
        response = self.session.post(self.update_url, data=text.encode("utf-8"),
                                     headers={"Content-Type": "application/sparql-update"},
                                     timeout=(CONNECT_TIMEOUT, self.timeout))
        if _engine_timed_out(response):
            return timeout_reply(self.timeout)
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
        name = "(default graph)" if isinstance(graph, ox.DefaultGraph) else graph.value
        try:
            response = session.put(store_url, params=params, data=body,
                                   headers={"Content-Type": "application/n-triples"}, timeout=timeout)
        except requests.RequestException as exc:
            raise StoreError(f"push of {name} to {store_url} failed: {exc}") from None
        if response.status_code >= 300:
            raise StoreError(f"push of {name} to {store_url} failed: "
                             f"{response.status_code} {response.text[:500]}")
        pushed.append((name, body.count(b"\n")))
    return pushed
