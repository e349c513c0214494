"""The code that runs inside one query worker process.

A worker owns one handle on the embedded store and runs one job at a time, sent over a
pipe by :mod:`esgkg.service.backends.pool`. Running queries in separate processes is what
makes the time limit enforceable: pyoxigraph cannot cancel a query, but the parent can
kill the process that runs it.

Two kinds of worker:

* ``read``: opens the published version read-only (many at once are fine) and reopens it
  when ``esgkg build`` publishes a new one.
* ``write`` (update mode only, exactly one): opens the working copy read-write and serves
  both reads and writes, because RocksDB must not be read by other processes while written.
"""
from __future__ import annotations

import os
import shutil
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from esgkg.graph.store import StoreRoot

from esgkg.graph.sparql_text import has_from_clause, tokens

from . import update_hook
from .reply import Reply
from .results import GRAPH_FORMATS, serialize_result, serialize_triples


@dataclass(frozen=True)
class WorkerSpec:
    """How a worker opens its store and what limits it applies (picklable)."""

    mode: str  # "read" or "write"
    root: str  # store root (read) or working store directory (write)
    max_rows: int
    prefixes: dict[str, str]
    union_default_graph: bool = True


class BadRequest(Exception):
    """A job the client got wrong; becomes a 400 with this message."""


class _Worker:
    def __init__(self, spec: WorkerSpec) -> None:
        self.spec = spec
        self.store: ox.Store | None = None
        self.version: str | None = None
        self.open()

    def open(self) -> None:
        if self.spec.mode == "write":
            self.store = ox.Store(self.spec.root)
        else:
            root = StoreRoot(self.spec.root)
            self.store, info = root.open_read_only()
            self.version = info.version

    def maybe_reopen(self) -> None:
        """Follow ``current`` to a newly published version (cheap readlink per job)."""
        if self.spec.mode != "read":
            return
        target = os.readlink(StoreRoot(self.spec.root).pointer)
        if Path(target).name != self.version:
            self.store = None
            self.open()

    # -- jobs ------------------------------------------------------------------------
    def run(self, job: dict[str, Any]) -> Reply:
        try:
            return self._run(job)
        except BadRequest as exc:
            return Reply.error(400, str(exc))

    def _run(self, job: dict[str, Any]) -> Reply:
        self.maybe_reopen()
        op = job["op"]
        if op == "query":
            return self.query(job)
        if op == "graph_get":
            return self.graph_get(job)
        if self.spec.mode != "write":
            return Reply.error(403, "This worker is read-only.")
        if op == "update":
            return self.write(lambda s: s.update(job["update"], base_iri=job.get("base_iri")))
        if op == "graph_load":
            return self.graph_load(job)
        if op == "graph_delete":
            return self.graph_delete(job)
        return Reply.error(400, f"unknown job {op!r}")

    def query(self, job: dict[str, Any]) -> Reply:
        assert self.store is not None
        depth = nesting_depth(job["query"])
        if depth > MAX_NESTING:
            # The engine's recursive-descent parser overflows its stack (the worker dies)
            # somewhere between 1 000 and 10 000 levels; no real query nests like that.
            return Reply.error(400, f"Malformed query: nested {depth} levels deep; this service "
                                    f"accepts at most {MAX_NESTING} levels of (), {{}} and [].")
        kwargs: dict[str, Any] = {"base_iri": job.get("base_iri")}
        default, named = job.get("default_graphs"), job.get("named_graphs")
        if default or named:
            # The protocol's dataset replaces any FROM in the query (Protocol §2.1.4).
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default or []]
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named or []]
        elif self.spec.union_default_graph and not has_from_clause(job["query"]):
            # Our data lives in named graphs; without a dataset, query all of it.
            kwargs["use_default_graph_as_union"] = True
        try:
            result = self.store.query(job["query"], **kwargs)
            return serialize_result(result, job["media_type"], self.spec.max_rows, self.spec.prefixes)
        except SyntaxError as exc:
            return Reply.error(400, f"Malformed query: {exc}")
        except ValueError as exc:
            return Reply.error(400, f"Bad query: {exc}")

    def write(self, change) -> Reply:
        """Apply ``change`` to the store, keeping it only if the validation hook accepts it."""
        assert self.store is not None
        checkpoint = Path(self.spec.root + ".checkpoint")
        if checkpoint.exists():
            shutil.rmtree(checkpoint)
        # A RocksDB checkpoint is hard links: cheap, and a true pre-update snapshot.
        self.store.backup(str(checkpoint))
        try:
            change(self.store)
            problems = update_hook.validate_update(self.store)
        except SyntaxError as exc:
            shutil.rmtree(checkpoint, ignore_errors=True)
            return Reply.error(400, f"Malformed update: {exc}")
        except (ValueError, OSError) as exc:
            self._restore(checkpoint)
            return Reply.error(400, f"Update failed: {exc}")
        if problems:
            self._restore(checkpoint)
            return Reply.error(422, "Update rejected by validation:\n" + "\n".join(problems))
        shutil.rmtree(checkpoint, ignore_errors=True)
        return Reply(204, "text/plain; charset=utf-8", b"")

    def _restore(self, checkpoint: Path) -> None:
        self.store = None  # close the RocksDB handle before swapping directories
        shutil.rmtree(self.spec.root)
        os.replace(checkpoint, self.spec.root)
        self.open()

    def _graph(self, iri: str | None) -> ox.NamedNode | ox.DefaultGraph:
        if iri is None:
            return ox.DefaultGraph()
        try:
            return ox.NamedNode(iri)
        except ValueError as exc:  # e.g. ?graph=../../etc/passwd: a client error, not a 500
            raise BadRequest(f"Not an absolute IRI: {iri!r} ({exc}).") from exc

    def _graph_exists(self, graph: ox.NamedNode | ox.DefaultGraph) -> bool:
        assert self.store is not None
        return isinstance(graph, ox.DefaultGraph) or self.store.contains_named_graph(graph)

    def graph_get(self, job: dict[str, Any]) -> Reply:
        assert self.store is not None
        graph = self._graph(job.get("graph"))
        if not self._graph_exists(graph):
            return Reply.error(404, f"No graph {job.get('graph')} in the store.")
        triples = (ox.Triple(q.subject, q.predicate, q.object)
                   for q in self.store.quads_for_pattern(None, None, None, graph))
        # A graph download is bounded by the upload limit, not the query row cap.
        return serialize_triples(triples, job["media_type"], 10**9, self.spec.prefixes)

    def graph_load(self, job: dict[str, Any]) -> Reply:
        graph = self._graph(job.get("graph"))
        fmt = GRAPH_FORMATS.get(job["content_type"])
        if fmt is None or fmt.supports_datasets:
            return Reply.error(415, f"Cannot load {job['content_type']} into one graph.")
        if fmt == ox.RdfFormat.RDF_XML:
            problem = rdf_xml_problem(job["data"])
            if problem:
                return Reply.error(400, problem)
        existed = self._graph_exists(graph) and not isinstance(graph, ox.DefaultGraph)

        def change(store: ox.Store) -> None:
            if job.get("replace") and self._graph_exists(graph):
                store.clear_graph(graph)
            quads = [ox.Quad(t.subject, t.predicate, t.object, graph)
                     for t in ox.parse(job["data"], format=fmt, base_iri=job.get("base_iri"))]
            if isinstance(graph, ox.NamedNode) and not quads:
                store.add_graph(graph)
            store.extend(quads)

        reply = self.write(change)
        if reply.status == 204 and not existed and isinstance(graph, ox.NamedNode):
            return Reply(201, "text/plain; charset=utf-8", b"Created\n")
        return reply

    def graph_delete(self, job: dict[str, Any]) -> Reply:
        graph = self._graph(job.get("graph"))
        if not self._graph_exists(graph):
            return Reply.error(404, f"No graph {job.get('graph')} in the store.")
        if isinstance(graph, ox.DefaultGraph):
            return self.write(lambda s: s.clear_graph(graph))
        return self.write(lambda s: s.remove_graph(graph))


MAX_NESTING = 256
_OPENERS, _CLOSERS = frozenset("({["), frozenset(")}]")


def nesting_depth(text: str) -> int:
    """Deepest nesting of brackets outside strings, IRIs and comments."""
    depth = deepest = 0
    for token in tokens(text):
        if token.text in _OPENERS:
            depth += 1
            deepest = max(deepest, depth)
        elif token.text in _CLOSERS:
            depth = max(0, depth - 1)
    return deepest


def rdf_xml_problem(data: bytes) -> str | None:
    """Why an RDF/XML upload is refused, or None.

    pyoxigraph's RDF/XML parser expands internal DTD entities without any limit, so ten
    nested ``<!ENTITY>`` lines ("billion laughs") become gigabytes in the writer process.
    RDF/XML needs no DTD; entity declarations are refused outright. Only UTF-8 is read, so
    the check cannot be dodged by another encoding (e.g. UTF-16, where the bytes differ).
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return "RDF/XML uploads must be UTF-8."
    if "<!ENTITY" in text:
        return ("RDF/XML with DTD entity declarations (<!ENTITY ...>) is not accepted: "
                "expand the entities, or send Turtle or N-Triples.")
    return None


def worker_main(conn, spec: WorkerSpec) -> None:
    """Entry point of a worker process: open the store, say ready, then serve jobs forever."""
    try:
        worker = _Worker(spec)
    except Exception as exc:  # report why we could not start, then exit
        try:
            conn.send(Reply.error(500, f"worker could not open the store: {exc}"))
        except OSError:
            pass  # the pool already gave up (another worker failed first)
        return
    conn.send(Reply(200, "text/plain", b"ready"))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return  # parent went away
        try:
            reply = worker.run(job)
        except Exception:  # never let one bad job kill the worker silently
            reply = Reply.error(500, "Internal error in query worker:\n" + traceback.format_exc(limit=3))
        conn.send(reply)


if __name__ == "__main__":
    # Started by the pool with the inherited socket's descriptor; the spec comes first.
    import sys
    from multiprocessing.connection import Connection

    connection = Connection(int(sys.argv[1]))
    worker_main(connection, connection.recv())
