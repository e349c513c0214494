"""A small pool of worker processes that run SPARQL against the embedded store.

Why processes: pyoxigraph has no query timeout and no cancellation, and a query holds the
thread that runs it. A worker process that overruns its time limit is killed (SIGKILL) and
replaced in the background, so the client gets a clear 503 and every other request keeps
its own worker. The store is opened read-only by each worker; RocksDB allows many
read-only openers.

The HTTP threads (waitress) borrow an idle worker for one job and return it. If all workers
are busy the request waits, but never past its own deadline.
"""
from __future__ import annotations

import logging
import queue
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from esgkg.graph.errors import StoreError

from .reply import Reply, timeout_reply
from .worker import WorkerSpec

log = logging.getLogger(__name__)

START_TIMEOUT = 60.0


@dataclass(eq=False)  # identity hashing: handles live in a set
class _Handle:
    process: subprocess.Popen
    conn: Connection


class WorkerPool:
    """Runs jobs in ``size`` worker processes with a per-job time limit."""

    def __init__(self, spec: WorkerSpec, size: int, timeout: float) -> None:
        self.spec = spec
        self.size = size
        self.timeout = timeout
        self._idle: queue.Queue[_Handle] = queue.Queue()
        self._closed = False
        self._all: set[_Handle] = set()
        self._lock = threading.Lock()
        self.killed = 0  # how many workers were killed for overrunning (for tests and logs)
        handles = [self._spawn() for _ in range(size)]
        try:
            for handle in handles:
                self._await_ready(handle)
                self._idle.put(handle)
        except BaseException:
            # One worker could not open the store: stop the others too, so the caller's
            # clear error is the only thing the user sees (no orphans, no tracebacks).
            self.close()
            raise

    # -- lifecycle ---------------------------------------------------------------------
    def _spawn(self) -> _Handle:
        # A fresh interpreter (`python -m ...worker`), not fork: the parent runs waitress
        # threads, and forking a threaded process can copy a held lock into the child. Not
        # multiprocessing's spawn either: it re-imports the parent's __main__ script.
        parent, child = socket.socketpair()
        process = subprocess.Popen(
            [sys.executable, "-m", "esgkg.service.backends.worker", str(child.fileno())],
            pass_fds=[child.fileno()], stdin=subprocess.DEVNULL, close_fds=True,
        )
        child.close()
        conn = Connection(parent.detach())
        conn.send(self.spec)
        handle = _Handle(process, conn)
        with self._lock:
            self._all.add(handle)
        return handle

    def _await_ready(self, handle: _Handle) -> None:
        if not handle.conn.poll(START_TIMEOUT):
            self._kill(handle)
            raise StoreError("a query worker did not start in time")
        reply: Reply = handle.conn.recv()
        if reply.status != 200:
            self._kill(handle)
            raise StoreError(reply.body.decode().strip())

    def _kill(self, handle: _Handle) -> None:
        handle.process.kill()
        try:
            handle.process.wait(5)
        except subprocess.TimeoutExpired:  # pragma: no cover - the kernel reaps it later
            pass
        handle.conn.close()
        with self._lock:
            self._all.discard(handle)

    def _replace(self) -> None:
        """Start a new worker in the background so the request that timed out returns now."""
        def start() -> None:
            if self._closed:
                return
            try:
                handle = self._spawn()
                self._await_ready(handle)
            except Exception:  # keep serving with fewer workers; log loudly
                log.exception("could not replace a query worker")
                return
            if self._closed:
                self._kill(handle)
            else:
                self._idle.put(handle)

        threading.Thread(target=start, name="esgkg-worker-replacer", daemon=True).start()

    def close(self) -> None:
        """Stop every worker (idle or busy)."""
        self._closed = True
        with self._lock:
            handles = list(self._all)
        for handle in handles:
            self._kill(handle)

    # -- jobs ----------------------------------------------------------------------------
    def run(self, job: dict[str, Any], timeout: float | None = None) -> Reply:
        """Run one job; a 503 if it (including any wait for a free worker) overruns."""
        limit = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        try:
            handle = self._idle.get(timeout=limit)
        except queue.Empty:
            return timeout_reply(limit)
        try:
            handle.conn.send(job)
            remaining = max(0.0, deadline - time.monotonic())
            if handle.conn.poll(remaining):
                reply: Reply = handle.conn.recv()
                self._idle.put(handle)
                return reply
        except (EOFError, OSError, BrokenPipeError):
            log.warning("a query worker died; replacing it")
            self._kill(handle)
            self._replace()
            return Reply.error(500, "The query worker crashed while running this query.")
        # Over the limit: the only way to stop a pyoxigraph query is to end its process.
        self.killed += 1
        self._kill(handle)
        self._replace()
        return timeout_reply(limit)
