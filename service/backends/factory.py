"""Choose and start the backend that a configuration asks for."""
from __future__ import annotations

from typing import Any

from esgkg.graph.namespaces import Iris, prefixes
from esgkg.graph.store import StoreRoot

from ..config import Config
from . import sandbox
from .pool import WorkerPool
from .reply import Backend, Reply
from .remote import RemoteBackend
from .worker import WorkerSpec

WRITE_OPS = frozenset({"update", "graph_load", "graph_delete"})


class ReadWriteBackend:
    """Update mode: reads go to the pool of readers, writes to the one writer.

    The writer publishes each accepted write as a new store version, which the readers
    open before their next job, so a client reads its own writes.
    """

    def __init__(self, readers: WorkerPool, writer: WorkerPool) -> None:
        self.readers = readers
        self.writer = writer

    def run(self, job: dict[str, Any]) -> Reply:
        return (self.writer if job["op"] in WRITE_OPS else self.readers).run(job)

    def close(self) -> None:
        self.readers.close()
        self.writer.close()


def make_backend(config: Config) -> Backend:
    """The worker pool on the embedded store, or the client of a remote engine."""
    iris = Iris(config.base_iri)
    prefix_map = prefixes(iris)
    if config.remote:
        return RemoteBackend(config.store, update_url=config.remote_update, store_url=config.remote_store,
                             timeout=config.query_timeout, max_rows=config.max_rows, prefixes=prefix_map)
    if config.sandbox:
        sandbox.check_available()
    limits = sandbox.Limits(no_network=config.sandbox, memory_bytes=config.worker_memory)
    root = StoreRoot(config.store)
    spec = WorkerSpec("read", str(root.root), config.max_rows, prefix_map,
                      max_bytes=config.max_result_bytes, limits=limits, base_iri=iris.base,
                      union_default_graph=config.union_default_graph, memory_quads=config.memory_quads)
    if not config.allow_update:
        root.current()  # fail fast, with the store's own message, before starting workers
        root.ensure_union()  # a version published before union copies existed: made once, here
        return WorkerPool(spec, size=config.workers, timeout=config.query_timeout,
                          queue_wait=config.queue_wait, max_size=config.max_workers)
    # What the build makes and updates must not change: the vocabularies, the shapes that
    # validate every write, and the findings of the build's validation.
    system = tuple(str(iris.graph(name)) for name in ("ontology", "reference", "shapes", "validation"))
    findings = (f"{iris.graph('validation')}/",)  # each report's findings graph
    write_spec = WorkerSpec("write", str(root.root), config.max_rows, prefix_map,
                            max_bytes=config.max_result_bytes, limits=limits, system_graphs=system,
                            system_graph_prefixes=findings,
                            base_iri=iris.base, union_default_graph=config.union_default_graph)
    # (No in-memory copy for the writer: it runs no query, and each write is a new version.)
    # The writer starts first: on a root with no build yet it publishes an empty version.
    writer = WorkerPool(write_spec, size=1, timeout=config.query_timeout, queue_wait=config.query_timeout)
    try:
        readers = WorkerPool(spec, size=config.workers, timeout=config.query_timeout,
                             queue_wait=config.queue_wait, max_size=config.max_workers)
    except BaseException:
        writer.close()
        raise
    return ReadWriteBackend(readers, writer)
