"""The code that runs inside one query worker process.

A worker owns one handle on the embedded store and runs one job at a time, sent over a
socket pair by :mod:`esgkg.service.backends.pool`. Separate processes are what make the
limits enforceable: pyoxigraph cannot cancel a query, but the parent can kill the process
that runs it; and each worker enters the sandbox (:mod:`.sandbox`) before its first job, so
no query can make it open a network connection or take unbounded memory.

Two kinds of worker:

* ``read``: opens the published version read-only (many at once are fine) and reopens it
  when a new version is published (by ``esgkg build`` or by a write in update mode).
* ``write`` (update mode only, exactly one): applies each write to a fresh copy of the
  current version, validates the copy, and publishes it as a new version only after the
  pool confirms that the client is still waiting (see :meth:`_Worker.write`). A write is
  therefore all or nothing: killed, failed or rejected, it leaves the published version as
  it was.
"""
from __future__ import annotations

import faulthandler
import os
import shutil
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Callable

import pyoxigraph as ox

from esgkg.graph.disjoint_graphs import edited_meta, reads_as_set
from esgkg.graph.store import StoreInfo, StoreRoot
from esgkg.graph.union import run_query

from . import sandbox
from .complexity import complexity_problem
from .memory_copy import fits_in_memory, open_union
from .parent_watch import when_parent_goes
from .reply import Reply
from .update_syntax import update_syntax_problem
from .results import GRAPH_FORMATS, serialize_result, serialize_triples

# Oxigraph's parser and evaluator recurse on the thread that calls them; a thread with a
# large stack turns what would be a stack overflow (the process dies) into a query that runs
# or that complexity_problem() refused.
ENGINE_STACK_BYTES = 256 * 1024 * 1024

# Sent to the pool just before a write is published; the pool answers COMMIT (publish) or
# nothing (it kills this process: the client was already told the write did not happen).
PREPARED = "prepared"
READY = b"ready"
READY_IN_MEMORY = b"ready: in-memory copy"  # the worker queries its version from memory
COMMIT = "commit"


@dataclass(frozen=True)
class WorkerSpec:
    """How a worker opens its store and what limits it applies (picklable)."""

    mode: str  # "read" or "write"
    root: str  # the store root (versions/ and current)
    max_rows: int
    prefixes: dict[str, str]
    max_bytes: int = 50_000_000
    limits: sandbox.Limits = field(default_factory=sandbox.Limits)
    union_default_graph: bool = True
    system_graphs: tuple[str, ...] = ()  # graphs a write may not change (ontology, shapes...)
    system_graph_prefixes: tuple[str, ...] = ()  # and graphs under these (each report's findings)
    base_iri: str | None = None  # the base the store was built with (None: the default)
    memory_quads: int = 0  # versions up to this size are queried from an in-memory copy


class BadRequest(Exception):
    """A job the client got wrong; becomes a 400 with this message."""


class _Worker:
    def __init__(self, spec: WorkerSpec, confirm: Callable[[], bool]) -> None:
        self.spec = spec
        self.root = StoreRoot(spec.root)
        self.confirm = confirm
        self.store: ox.Store | None = None
        self.version: str | None = None
        self.info: StoreInfo | None = None
        self.union_store: ox.Store | None = None
        self.in_memory = False  # whether union_store is a copy in memory
        self.open()

    def open(self) -> None:
        if self.spec.mode == "write" and not self.root.exists():
            _publish_empty(self.root)
        self.store, self.info = self.root.open_read_only()
        self.version = self.info.version
        self.union_store = None  # the version's union copy, opened by the first query needing it
        self.in_memory = self.spec.union_default_graph and fits_in_memory(self.info, self.spec.memory_quads)
        if self.in_memory:  # copied before the worker says ready: no request waits for the copy
            self.union_store = open_union(self.root, self.info, self.spec.memory_quads)

    def maybe_reopen(self) -> None:
        """Follow ``current`` to a newly published version (cheap readlink per job)."""
        if Path(os.readlink(self.root.pointer)).name != self.version:
            self.store = None
            self.open()

    # -- jobs ------------------------------------------------------------------------
    def run(self, job: dict[str, Any]) -> Reply:
        try:
            self.maybe_reopen()
            return self._dispatch(job)
        except BadRequest as exc:
            return Reply.error(400, str(exc))

    def _dispatch(self, job: dict[str, Any]) -> Reply:
        op = job["op"]
        if op == "query":
            reply = self.query(job)
            reply.version = self.version
            return reply
        if op == "graph_get":
            return self.graph_get(job)
        if op == "update_syntax":
            return check_update_syntax(job)
        if self.spec.mode != "write":
            return Reply.error(403, "This worker is read-only.")
        if op == "update":
            problem = complexity_problem(job["update"])
            if problem:
                return Reply.error(400, f"Update not accepted: {problem}")
            return self.write(lambda s: s.update(job["update"], base_iri=job.get("base_iri")))
        if op == "graph_load":
            return self.graph_load(job)
        if op == "graph_delete":
            return self.graph_delete(job)
        return Reply.error(400, f"unknown job {op!r}")

    def query(self, job: dict[str, Any]) -> Reply:
        assert self.store is not None
        problem = complexity_problem(job["query"])
        if problem:
            return Reply.error(400, f"Query not accepted: {problem}")
        try:
            result = self.run_query(job)
            return serialize_result(result, job["media_type"], self.spec.max_rows, self.spec.prefixes,
                                    self.spec.max_bytes)
        except (SyntaxError, ValueError, RuntimeError, OSError) as exc:
            return engine_error(exc, "query")

    def run_query(self, job: dict[str, Any]) -> Any:
        """The engine's result for a query job; the default graph is a set (graph/union.py)."""
        assert self.store is not None and self.info is not None
        union = self.spec.union_default_graph
        if union and self.union_store is None:
            self.union_store = open_union(self.root, self.info, self.spec.memory_quads)
        # The protocol's dataset, if any, replaces the query's FROM clauses (Protocol §2.1.4).
        # The in-memory copy holds the version's named graphs too: datasets are read from it.
        store = self.union_store if self.in_memory else self.store
        return run_query(store, job["query"], union=union, union_store=self.union_store,
                         default_graphs=job.get("default_graphs"), named_graphs=job.get("named_graphs"),
                         base_iri=job.get("base_iri"), reads_as_set=partial(reads_as_set, self.info.meta))

    # -- writes ----------------------------------------------------------------------
    def write(self, change: Callable[[ox.Store], None]) -> Reply:
        """Apply ``change`` to a copy of the current version; publish it if it validates.

        The published version is never opened for writing. Its copy (a RocksDB checkpoint:
        hard links, so cheap) is changed, checked against the shapes and the system graphs,
        closed, and only then published by an atomic rename. Until that rename nothing is
        visible, so a kill at any point (the time limit, a crash, a full disk) loses the
        write and nothing else.
        """
        assert self.store is not None
        base = self.root.current()
        version = f"{base.version.split('+')[0]}+{time.time_ns():x}"
        staged = self.root.staging_dir(version)
        try:
            self.store.backup(str(staged))
            copy = ox.Store(str(staged))
            try:
                change(copy)
            except SyntaxError as exc:
                return Reply.error(400, f"Malformed update: {exc}")
            except (ValueError, RuntimeError, OSError) as exc:
                return update_failure(exc)
            changed = self._changed_system_graphs(copy)
            if changed:
                return Reply.error(403, "Update refused: it would change the system graph(s) "
                                        + ", ".join(changed) + " (ontology, reference data and shapes "
                                        "come from the build, not from updates). Nothing was changed.")
            # Imported here: only the writer validates, and the validation stack (rdflib,
            # pyshacl) would add a second to the start of every read worker.
            from . import update_hook

            problems = update_hook.validate_update(copy, self.spec.base_iri)
            if problems:
                return Reply.error(422, "Update rejected by validation (nothing was changed):\n"
                                   + "\n".join(problems))
            copy.flush()
            del copy  # close RocksDB before the directory is published
            if not self.confirm():
                return Reply.error(503, "The write was not published: the client stopped waiting.")
            meta = {**edited_meta(base.meta), "version": version, "edited_from": base.version,
                    "edited_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
            self.root.publish(staged, version, meta)
        finally:
            if staged.exists():
                shutil.rmtree(staged, ignore_errors=True)
        self.maybe_reopen()
        return Reply.no_content()

    def _changed_system_graphs(self, copy: ox.Store) -> list[str]:
        assert self.store is not None
        changed = []
        prefixed = {g.value for s in (self.store, copy) for g in s.named_graphs()
                    if isinstance(g, ox.NamedNode) and g.value.startswith(self.spec.system_graph_prefixes)}
        for iri in [*self.spec.system_graphs, *sorted(prefixed)]:
            graph = ox.NamedNode(iri)
            before = set(self.store.quads_for_pattern(None, None, None, graph))
            after = set(copy.quads_for_pattern(None, None, None, graph))
            if before != after or self.store.contains_named_graph(graph) != copy.contains_named_graph(graph):
                changed.append(f"<{iri}>")
        return changed

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
        try:
            quads = [ox.Quad(t.subject, t.predicate, t.object, graph)
                     for t in ox.parse(job["data"], format=fmt, base_iri=job.get("base_iri"))]
        except SyntaxError as exc:
            return Reply.error(400, f"The uploaded {job['content_type']} does not parse: {exc}")

        def change(store: ox.Store) -> None:
            if job.get("replace") and self._graph_exists(graph):
                store.clear_graph(graph)
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


def check_update_syntax(job: dict[str, Any]) -> Reply:
    """204 if the update parses, else the 400 saying why (nothing is executed)."""
    problem = update_syntax_problem(job["update"], job.get("base_iri"))
    return Reply.error(400, problem) if problem else Reply.no_content()


def update_failure(exc: Exception) -> Reply:
    """A well-formed update that cannot be carried out on the store as it is: 409.

    The endpoint checked the syntax already (a 400), so what fails here is an operation the
    store's state refuses (CLEAR/DROP/COPY of a graph that does not exist, CREATE of one that
    does): the client's request conflicts with the data, neither malformed nor our fault.
    (The Protocol suggests 500 for an update the service fails to execute; here 500 stays
    reserved for our own faults, so that a client can tell the two apart.)
    """
    if isinstance(exc, (SyntaxError, PermissionError)):
        return engine_error(exc, "update")
    return Reply.error(409, f"The update could not be carried out, nothing was changed: {exc}")


def engine_error(exc: Exception, what: str) -> Reply:
    """The client's answer when the engine refuses a query or update."""
    if isinstance(exc, PermissionError):
        # The sandbox refused a socket: the text tried to reach the network in a way the
        # keyword check did not see. Nothing left this machine.
        return Reply.error(403, f"The {what} tried to fetch remote data (SERVICE or LOAD), which this "
                                "service never does: it makes no outbound connections. Query the "
                                "data already in the store.")
    if isinstance(exc, SyntaxError):
        return Reply.error(400, f"Malformed {what}: {exc}")
    if isinstance(exc, OSError):
        return Reply.error(400, f"The {what} failed: {exc}")
    # ValueError, RuntimeError (e.g. an unknown function): well-formed, so not a 400, which
    # says "malformed" (Protocol §2.1.4), and the client's to change, so not a 500.
    return Reply.error(422, f"The {what} is well-formed but cannot be evaluated here: {exc}")


def _publish_empty(root: StoreRoot) -> None:
    """Update mode on a root with no build yet: an empty version to write into."""
    staged = root.staging_dir("empty")
    ox.Store(str(staged)).flush()
    root.publish(staged, "empty", {"version": "empty", "quads": 0, "reports": []})


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


def serve(conn, spec: WorkerSpec) -> None:
    """Open the store, say ready, then answer jobs until the parent goes away."""
    def confirm() -> bool:
        conn.send(PREPARED)
        try:
            return conn.recv() == COMMIT
        except (EOFError, OSError):
            return False

    try:
        worker = _Worker(spec, confirm)
    except Exception as exc:  # report why we could not start, then exit
        try:
            conn.send(Reply.error(500, f"worker could not open the store: {exc}"))
        except OSError:
            pass  # the pool already gave up (another worker failed first)
        return
    conn.send(Reply(200, "text/plain", READY_IN_MEMORY if worker.in_memory else READY))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return  # parent went away
        try:
            reply = worker.run(job)
        except Exception:  # a bug of ours: the operator gets the trace, the client does not
            traceback.print_exc(file=sys.stderr)
            reply = Reply.error(500, "The query worker failed on this request (an internal error; "
                                     "the service log has the details).")
        conn.send(reply)


def main(fd: int) -> None:
    """Entry point (``python -m esgkg.service.backends.worker FD``)."""
    from multiprocessing.connection import Connection

    faulthandler.enable()  # a segfault (engine stack overflow) says so on stderr for the pool
    connection = Connection(fd)
    spec: WorkerSpec = connection.recv()
    try:
        sandbox.apply(spec.limits)  # before any thread of ours starts
    except sandbox.SandboxUnavailable as exc:
        connection.send(Reply.error(500, f"worker could not enter its sandbox: {exc}"))
        return
    when_parent_goes(lambda: os._exit(0))  # a worker whose server is gone serves no one
    threading.stack_size(ENGINE_STACK_BYTES)
    engine = threading.Thread(target=serve, args=(connection, spec), name="esgkg-engine")
    engine.start()
    engine.join()


if __name__ == "__main__":
    main(int(sys.argv[1]))
