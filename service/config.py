"""Service configuration: one frozen object built from ``ESGKG_*`` variables and options.

Options given on the command line win over the environment, which wins over the defaults.
"""
from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field, replace

from esgkg.graph.namespaces import base_iri
from esgkg.graph.store import default_root

DEFAULT_QUERY_TIMEOUT = 10.0  # seconds
DEFAULT_MAX_ROWS = 10_000
DEFAULT_MAX_BODY = 1_000_000  # bytes; a SPARQL query is small, an upload to /store may not be
DEFAULT_MAX_UPLOAD = 100_000_000  # bytes, for Graph Store Protocol uploads in update mode
DEFAULT_MAX_RESULT_BYTES = 50_000_000  # bytes of one answer, counted while rows are read
DEFAULT_WORKER_MEMORY = 2 * 1024**3  # address space of one query worker (RLIMIT_AS)
# Versions of at most this many quads are queried from an in-memory copy of their union copy
# in each worker (docs/decisions.md §31). Off by default: every worker the pool adds under load
# copies the store on its first query (0.6 s of CPU for the bundled store), which cost more
# throughput on cheap concurrent queries than the faster lookups gave (measured in §31).
DEFAULT_MEMORY_QUADS = 0
DEFAULT_QUEUE_WAIT = 5.0  # seconds a request waits for a free worker before a 503
# Slow clients (server.py): open connections, and the deadlines trickling cannot extend.
DEFAULT_CONNECTION_LIMIT = 10_000
DEFAULT_HEADER_TIMEOUT = 10.0  # seconds from a request's first byte to the end of its headers
DEFAULT_IDLE_TIMEOUT = 30.0  # seconds an idle keep-alive connection is kept
DEFAULT_MIN_BODY_RATE = 65536.0  # bytes/s a body must average once its headers are in


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def _default_workers() -> int:
    # Workers started up front; the pool grows beyond them under load (backends/pool.py).
    return max(4, os.cpu_count() or 1)


def _default_processes() -> int:
    # Serving processes share one port through SO_REUSEPORT (service/prefork.py); where the
    # kernel has no such option, or there is no fork, one process serves.
    if not hasattr(socket, "SO_REUSEPORT") or not hasattr(os, "fork"):
        return 1
    return os.cpu_count() or 1


def _share(total: int, parts: int) -> int:
    return -(-total // parts)  # rounded up: every process gets at least one


@dataclass(frozen=True)
class Config:
    """Everything the service reads at start-up. Immutable: restart to change it."""

    store: str = field(default_factory=lambda: str(default_root()))
    host: str = "127.0.0.1"
    port: int = 8000
    threads: int = 0  # 0: max_workers + 8, see __post_init__
    # Serving processes on the one port (service/prefork.py); 0: one per core, or one in
    # update mode (its one writer must be the only one). workers, max_workers, threads and
    # connection_limit are totals, split between them (serving_share).
    processes: int = 0
    workers: int = field(default_factory=_default_workers)
    # The most workers the pool grows to when slow queries hold the others; 0: 4 x workers.
    # Each may use worker_memory, so max_workers x worker_memory bounds the total.
    max_workers: int = 0
    query_timeout: float = DEFAULT_QUERY_TIMEOUT
    queue_wait: float = DEFAULT_QUEUE_WAIT
    max_rows: int = DEFAULT_MAX_ROWS
    max_result_bytes: int = DEFAULT_MAX_RESULT_BYTES
    worker_memory: int = DEFAULT_WORKER_MEMORY
    # Largest version (quads) each worker copies into memory to query; 0: always from disk.
    memory_quads: int = DEFAULT_MEMORY_QUADS
    # Off only where the kernel cannot enforce it (not Linux); see backends/sandbox.py.
    sandbox: bool = True
    # The default graph of queries without a dataset: the union of all graphs (a set; see
    # docs/decisions.md §22), or off: the stored default graph alone, as the W3C suites expect.
    union_default_graph: bool = True
    connection_limit: int = DEFAULT_CONNECTION_LIMIT
    header_timeout: float = DEFAULT_HEADER_TIMEOUT
    idle_timeout: float = DEFAULT_IDLE_TIMEOUT
    min_body_rate: float = DEFAULT_MIN_BODY_RATE
    max_body: int = DEFAULT_MAX_BODY
    max_upload: int = DEFAULT_MAX_UPLOAD
    allow_update: bool = False
    update_token: str | None = None
    cors: bool = True
    # Remote mode only: where the remote engine takes updates and Graph Store requests.
    remote_update: str | None = None
    remote_store: str | None = None
    # The base of minted IRIs (ESGKG_BASE_IRI; it must match the one the store was built with).
    base_iri: str = field(default_factory=base_iri)
    # Where dumps are written (ESGKG_DUMPS_DIR); empty: beside the store, else the temp dir.
    dumps_dir: str = ""
    # Address space of the process that writes a version's downloads (ESGKG_DUMPS_MEMORY): it
    # writes them a graph at a time (graph/export.py); 1.3 GB at 100 reports.
    dumps_memory: int = 4 * 1024**3
    # CPU seconds of that process (ESGKG_DUMPS_CPU): at 1,000 reports its counts, index, kept
    # answers and downloads take most of an hour at nice 19 (docs/decisions.md §35), so two.
    dumps_cpu: int = 7200

    def __post_init__(self) -> None:
        if not self.processes:
            object.__setattr__(self, "processes", 1 if self.allow_update else _default_processes())
        if not self.base_iri.endswith("/"):
            object.__setattr__(self, "base_iri", self.base_iri + "/")
        if not self.max_workers:
            object.__setattr__(self, "max_workers", 4 * self.workers)
        if not self.threads:
            # Enough HTTP threads that requests waiting for a worker never take the last
            # ones: pages and static files keep a lane of their own.
            object.__setattr__(self, "threads", self.max_workers + 8)

    @property
    def remote(self) -> bool:
        """True when ``store`` is the URL of a remote SPARQL 1.1 query endpoint."""
        return self.store.startswith(("http://", "https://"))

    @classmethod
    def from_env(cls, **overrides: object) -> "Config":
        """Defaults, then ``ESGKG_*`` variables, then ``overrides`` that are not None."""
        env = os.environ
        values: dict[str, object] = {}
        if "ESGKG_STORE" in env:
            values["store"] = env["ESGKG_STORE"]
        for key, conv in (
            ("host", str), ("port", int), ("threads", int), ("processes", int), ("workers", int), ("max_workers", int),
            ("query_timeout", float), ("queue_wait", float), ("max_rows", int),
            ("max_result_bytes", int), ("worker_memory", int), ("memory_quads", int), ("max_body", int), ("max_upload", int),
            ("connection_limit", int), ("header_timeout", float), ("idle_timeout", float),
            ("min_body_rate", float),
            ("update_token", str), ("remote_update", str), ("remote_store", str),
            ("base_iri", str), ("dumps_dir", str), ("dumps_memory", int), ("dumps_cpu", int),
        ):
            raw = env.get(f"ESGKG_{key.upper()}")
            if raw:
                values[key] = conv(raw)
        values["allow_update"] = _env_bool("ESGKG_ALLOW_UPDATE")
        values["cors"] = _env_bool("ESGKG_CORS", True)
        values["sandbox"] = _env_bool("ESGKG_SANDBOX", True)
        values["union_default_graph"] = _env_bool("ESGKG_UNION_DEFAULT_GRAPH", True)
        values.update({k: v for k, v in overrides.items() if v is not None})
        config = cls(**values)  # type: ignore[arg-type]
        config.check()
        return config

    def with_(self, **changes: object) -> "Config":
        """A copy with some fields changed (tests use it)."""
        return replace(self, **changes)  # type: ignore[arg-type]

    def serving_share(self) -> "Config":
        """The configuration of one of ``processes`` serving processes: the totals split.

        Each serving process has its own worker pool and its own connection slots, so the
        machine-wide numbers a user sets stay what they said.
        """
        parts = self.processes
        if parts <= 1:
            return self
        max_workers = _share(self.max_workers, parts)
        return replace(self, processes=1, workers=_share(self.workers, parts), max_workers=max_workers,
                       threads=max(_share(self.threads, parts), max_workers + 8),
                       connection_limit=_share(self.connection_limit, parts))

    def check(self) -> None:
        """Refuse settings that would make the service unsafe or useless."""
        if self.allow_update and self.processes > 1:
            raise ValueError("update mode serves from one process (its one writer publishes every "
                             "write): leave --processes unset or set it to 1")
        if min(self.processes, self.query_timeout, self.queue_wait, self.max_rows, self.workers,
               self.max_result_bytes, self.worker_memory, self.threads, self.connection_limit,
               self.header_timeout, self.idle_timeout, self.min_body_rate, self.dumps_cpu) <= 0:
            raise ValueError("time limits, caps, workers and threads must be positive")
        if self.memory_quads < 0:
            raise ValueError("--memory-quads must be 0 (never copy into memory) or more")
        if self.allow_update and not self.update_token:
            raise ValueError(
                "--allow-update needs a bearer token: set ESGKG_UPDATE_TOKEN or --update-token"
            )
