"""Choose and start the backend that a configuration asks for."""
from __future__ import annotations

from esgkg.graph.namespaces import Iris, prefixes
from esgkg.graph.store import StoreRoot

from ..config import Config
from . import working_copy
from .pool import WorkerPool
from .reply import Backend
from .remote import RemoteBackend
from .worker import WorkerSpec


def make_backend(config: Config) -> Backend:
    """The worker pool on the embedded store, or the client of a remote engine."""
    prefix_map = prefixes(Iris())
    if config.remote:
        return RemoteBackend(config.store, update_url=config.remote_update, store_url=config.remote_store,
                             timeout=config.query_timeout, max_rows=config.max_rows, prefixes=prefix_map)
    root = StoreRoot(config.store)
    if config.allow_update:
        # One writer that serves reads too: see working_copy.py for why.
        spec = WorkerSpec("write", str(working_copy.prepare(root)), config.max_rows, prefix_map)
        return WorkerPool(spec, size=1, timeout=config.query_timeout)
    root.current()  # fail fast, with the store's own message, before starting workers
    spec = WorkerSpec("read", str(root.root), config.max_rows, prefix_map)
    return WorkerPool(spec, size=config.workers, timeout=config.query_timeout)
