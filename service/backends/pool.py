"""A pool of worker processes that run SPARQL against the embedded store under limits.

Why processes: pyoxigraph has no query timeout and no cancellation, and a query holds the
thread that runs it. A worker that overruns its time limit is killed (SIGKILL) and replaced
in the background, so the client gets a clear 503 and every other request keeps its own
worker. Each worker opens the store read-only (RocksDB allows many read-only openers) and
runs inside the sandbox (no network, capped memory; see sandbox.py).

Slow queries must not starve cheap ones, and which is which is only known by running them.
So the pool schedules by what it sees, with the kernel's help:

* it grows: while fewer than ``spare`` workers are idle it starts another, up to
  ``max_size``, so a new request finds an idle worker instead of a queue behind slow ones;
* a job still running after ``long_after`` seconds has its worker lowered to the weakest
  CPU priority (nice 19): it keeps running, on whatever CPU the cheap queries leave, and a
  cheap query beside it gets the cores almost as if it were alone;
* a lowered worker cannot raise its priority again unless the server runs as root; it is
  then retired after its job, and extra workers beyond ``size`` retire when idle once the
  pool has not had to grow for ``RETIRE_AFTER`` seconds (retiring at once made a steady
  stream of slow queries start and kill a worker per query).

When ``max_size`` workers are all busy, a request waits at most ``queue_wait`` seconds and
is then answered 503 with ``Retry-After``.
"""
from __future__ import annotations

import logging
import os
import queue
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection
from typing import IO, Any

from cachetools import LRUCache

from esgkg.graph.errors import StoreError
from esgkg.graph.store import StoreRoot

from .answers import DEFAULT_CACHE_BYTES, AnswerCache
from .reply import CRASHED_HEADER, Reply, busy_reply, crash_reply, timeout_reply
from .worker import COMMIT, PREPARED, READY_IN_MEMORY, WorkerSpec

log = logging.getLogger(__name__)

START_TIMEOUT = 60.0
LONG_AFTER = 0.25  # seconds; a job running longer yields the CPU to newer ones
LOW_PRIORITY = 19
# Workers starting at once: each start costs ~0.1 s of CPU, and a burst of them (every slow
# query killed at its time limit at once) must not take the cores from the queries.
START_PARALLEL = 4
CRASH_MEMORY = 1024  # query texts that killed a worker, answered again without running
RETIRE_AFTER = 30.0  # seconds without growth before extra workers retire
PUBLISH_TIMEOUT = 60.0  # a confirmed write only renames a directory and a symlink


@dataclass(eq=False)  # identity hashing: handles live in a set
class _Handle:
    process: subprocess.Popen
    conn: Connection
    stderr: IO[bytes]
    stderr_seen: int = field(default=0)
    lowered: bool = False  # running at LOW_PRIORITY since a long job
    killed: bool = False  # _kill has claimed it (under the pool lock)
    in_memory: bool = False  # it said it queries an in-memory copy of the version
    kept: bool = False  # one of the ``size`` workers the pool keeps (not one added for a burst)
    ready: bool = False  # said ready; until then it is counted as starting, not twice

    def alive(self) -> bool:
        return self.process.poll() is None

    def new_stderr(self) -> str:
        """What the worker wrote to its stderr since the last call."""
        self.stderr.seek(self.stderr_seen)
        text = self.stderr.read(64_000)
        self.stderr_seen = self.stderr.tell()
        return text.decode("utf-8", "replace")


def _crash_key(job: dict[str, Any]) -> str | None:
    """The query or update text with runs of white space folded (cheap: no lexing)."""
    text = job.get("query") or job.get("update")
    if not text:
        return None
    return _SPACE.sub(" ", text).strip()


_SPACE = re.compile(r"\s+")


class WorkerPool:
    """Runs jobs in ``size`` worker processes with a per-job time limit."""

    def __init__(self, spec: WorkerSpec, size: int, timeout: float, queue_wait: float | None = None,
                 max_size: int | None = None, spare: int = 2,
                 cache_bytes: int = DEFAULT_CACHE_BYTES) -> None:
        self.spec = spec
        self.size = size
        self.max_size = max(size, max_size or size)
        self.spare = spare
        self.timeout = timeout
        self.queue_wait = timeout if queue_wait is None else min(queue_wait, timeout)
        # Last in, first out: the worker that just answered takes the next job, with its
        # caches (CPU, the engine's) still warm. First in, first out handed every job to the
        # worker idle longest: a cold ASK cost 153-225 us through the pool against 105 us
        # (bench/request_cost.py); the idle ones still serve any burst.
        self._idle: queue.Queue[_Handle] = queue.LifoQueue()
        self._closed = False
        self._all: set[_Handle] = set()
        self._starting = 0
        self._starting_kept = 0  # of those starting, how many will be kept workers
        self._grown_at = float("-inf")  # when a worker was last started beyond the idle ones
        self._waiting = 0  # requests waiting for an idle worker
        self._lock = threading.Lock()
        # A text that killed a worker kills the next one too (an engine bug, e.g. the ORDER BY
        # panic of docs/upstream/oxigraph-crashes.md): answering it again from memory keeps a
        # client that repeats it from making the pool respawn workers in a loop.
        self._crashers: LRUCache[str, Reply] = LRUCache(CRASH_MEMORY)
        self._crashers_lock = threading.Lock()
        # Read workers only: a writer's replies are not answers to keep.
        self.answers = (AnswerCache(str(StoreRoot(spec.root).pointer), cache_bytes)
                        if cache_bytes and spec.mode == "read" else None)
        handles = [self._spawn(kept=True) for _ in range(size)]
        try:
            for handle in handles:
                self._await_ready(handle)
                handle.ready = True
                self._idle.put(handle)
        except BaseException:
            # One worker could not start: stop the others too, so the caller's clear error
            # is the only thing the user sees (no orphans, no tracebacks).
            self.close()
            raise

    # -- lifecycle ---------------------------------------------------------------------
    def _spawn(self, kept: bool) -> _Handle:
        """Start a worker process; one not ``kept`` (added for a burst) reads the store from disk."""
        # A fresh interpreter (`python -m ...worker`), not fork: the parent runs waitress
        # threads, and forking a threaded process can copy a held lock into the child. Not
        # multiprocessing's spawn either: it re-imports the parent's __main__ script.
        parent, child = socket.socketpair()
        stderr = tempfile.TemporaryFile()
        # glibc reserves 64 MB of address space per malloc arena, up to 8 per core: under
        # the worker's RLIMIT_AS that reservation alone could stop threads from starting on a
        # many-core host, so the arenas are bounded (the engine's own threads are few).
        env = {**os.environ, "MALLOC_ARENA_MAX": "2"}
        process = subprocess.Popen(
            [sys.executable, "-m", "esgkg.service.backends.worker", str(child.fileno())],
            pass_fds=[child.fileno()], stdin=subprocess.DEVNULL, stderr=stderr, close_fds=True, env=env,
        )
        child.close()
        conn = Connection(parent.detach())
        # A worker added for a burst of load serves it now, and the copy into memory (0.6 s of
        # CPU for the bundled store) would take a core from the queries it was started for
        # (docs/decisions.md §31); the ``size`` workers the pool keeps make the copy.
        conn.send(self.spec if kept else replace(self.spec, memory_quads=0))
        handle = _Handle(process, conn, stderr, kept=kept)
        with self._lock:
            self._all.add(handle)
        return handle

    def _await_ready(self, handle: _Handle) -> None:
        if not handle.conn.poll(START_TIMEOUT):
            self._kill(handle)
            raise StoreError("a query worker did not start in time")
        try:
            reply: Reply = handle.conn.recv()
        except (EOFError, OSError):
            reply = Reply.error(500, "a query worker exited while starting: " + handle.new_stderr()[-2000:])
        if reply.status != 200:
            self._kill(handle)
            raise StoreError(reply.body.decode().strip())
        handle.in_memory = reply.body == READY_IN_MEMORY

    def _kill(self, handle: _Handle) -> None:
        # Claimed under the lock: close() and the replacement of a crashed worker may both
        # get here for one handle, and closing its socket twice would close another's fd.
        with self._lock:
            if handle.killed:
                return
            handle.killed = True
            self._all.discard(handle)
        handle.process.kill()
        try:
            handle.process.wait(5)
        except subprocess.TimeoutExpired:  # pragma: no cover - the kernel reaps it later
            pass
        handle.conn.close()
        handle.stderr.close()

    def _replace(self, handle: _Handle) -> None:
        """Kill ``handle`` and start a new worker in the background; the caller returns now."""
        self._kill(handle)
        self._start_one()

    def _start_one(self) -> None:
        """Start a worker in the background; it joins the idle ones when ready."""
        with self._lock:
            ready = [h for h in self._all if h.ready]  # the starting ones are in self._starting
            if self._closed or len(ready) + self._starting >= self.max_size or self._starting >= START_PARALLEL:
                return
            # Kept while fewer than ``size`` are kept: a kept worker killed or crashed is
            # replaced by a kept one, whatever burst workers are running.
            kept = sum(h.kept for h in ready) + self._starting_kept < self.size
            self._starting += 1
            self._starting_kept += kept
            self._grown_at = time.monotonic()

        def start() -> None:
            fresh = None
            try:
                fresh = self._spawn(kept)
                self._await_ready(fresh)
            except Exception:  # keep serving with fewer workers; log loudly
                if not self._closed:  # (a worker starting while the pool closes is no news)
                    log.exception("could not start a query worker")
                return
            finally:
                with self._lock:
                    self._starting -= 1
                    self._starting_kept -= kept
                    if fresh is not None:
                        fresh.ready = True
            if self._closed:
                self._kill(fresh)
                return
            self._idle.put(fresh)
            if self._waiting > self._idle.qsize():  # requests still waiting: start the next
                self._start_one()

        threading.Thread(target=start, name="esgkg-worker-starter", daemon=True).start()

    def _grow_if_short(self) -> None:
        """Keep ``spare`` workers idle (or starting) while under ``max_size``."""
        with self._lock:
            short = self.spare - self._idle.qsize() - self._starting
        for _ in range(max(0, short)):
            self._start_one()

    def _give_back(self, handle: _Handle) -> None:
        """Return a worker after its job: to the idle ones, or retire it."""
        if handle.lowered and not _set_priority(handle.process.pid, 0):
            self._replace(handle)  # cannot be raised again: a fresh one takes its place
            return
        handle.lowered = False
        with self._lock:  # only a burst worker retires: the kept ones hold the in-memory copies
            surplus = not handle.kept and len(self._all) > self.size and self._idle.qsize() >= self.spare \
                and time.monotonic() - self._grown_at > RETIRE_AFTER
        if surplus:
            self._kill(handle)
        else:
            self._idle.put(handle)

    def close(self) -> None:
        """Stop every worker (idle or busy)."""
        self._closed = True
        with self._lock:
            handles = list(self._all)
        for handle in handles:
            self._kill(handle)

    # -- jobs ----------------------------------------------------------------------------
    def _borrow(self, deadline: float) -> _Handle | None:
        """An idle, live worker, waiting at most until ``deadline``."""
        while True:
            try:
                handle = self._idle.get_nowait()
            except queue.Empty:
                self._start_one()  # every waiting request asks for one more worker
                with self._lock:
                    self._waiting += 1
                try:
                    handle = self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    return None
                finally:
                    with self._lock:
                        self._waiting -= 1
            if handle.alive():
                return handle
            # Killed while idle (OOM killer, an operator): not this request's fault.
            log.warning("a query worker had died while idle: %s", handle.new_stderr()[-500:])
            self._replace(handle)

    def run(self, job: dict[str, Any], timeout: float | None = None) -> Reply:
        """Run one job; a 503 if it (including any wait for a free worker) overruns.

        A query already answered on the current store version is answered from memory.
        """
        answers = self.answers if self.answers is not None and self.answers.cacheable(job) else None
        if answers is not None:
            known = answers.get(job)
            if known is not None:
                return known
        reply = self._run(job, timeout)
        if answers is not None:
            answers.put(job, reply)
        return reply

    def _run(self, job: dict[str, Any], timeout: float | None) -> Reply:
        limit = self.timeout if timeout is None else timeout
        key = _crash_key(job)
        if key is not None:
            with self._crashers_lock:
                known = self._crashers.get(key)
            if known is not None:
                return known
        started = time.monotonic()
        deadline = started + limit
        handle = self._borrow(min(deadline, started + self.queue_wait))
        self._grow_if_short()
        if handle is None:
            return busy_reply(self.queue_wait) if self.queue_wait < limit else timeout_reply(limit)
        try:
            handle.conn.send(job)
        except OSError:  # died between the check and the send: retry once on another worker
            self._replace(handle)
            handle = self._borrow(deadline)
            if handle is None:
                return timeout_reply(limit)
            handle.conn.send(job)
        reply = self._await_reply(handle, deadline, limit)
        if key is not None and reply.headers.get(CRASHED_HEADER):
            with self._crashers_lock:
                self._crashers[key] = reply
        return reply

    def _await_reply(self, handle: _Handle, deadline: float, limit: float) -> Reply:
        try:
            while self._poll(handle, deadline):
                message = handle.conn.recv()
                if message == PREPARED:
                    # A write is ready to publish. Inside the limit it may; past it the
                    # client has been (or is being) told 503, so the write must not happen.
                    if time.monotonic() >= deadline:
                        break
                    handle.conn.send(COMMIT)
                    if not handle.conn.poll(PUBLISH_TIMEOUT):
                        break
                    message = handle.conn.recv()
                self._after(handle, message)
                self._give_back(handle)
                return message
        except (EOFError, OSError):
            handle.process.wait(5)
            why = handle.new_stderr()
            log.warning("a query worker died while running a job (exit %s): %s",
                        handle.process.returncode, why[-2000:])
            self._replace(handle)
            return crash_reply(why, self.spec.limits.memory_bytes)
        # Over the limit: the only way to stop a pyoxigraph query is to end its process.
        self._replace(handle)
        return timeout_reply(limit)

    def _poll(self, handle: _Handle, deadline: float) -> bool:
        """Wait for the worker's next message until ``deadline``; lower it once it runs long."""
        if not handle.lowered:
            if handle.conn.poll(max(0.0, min(LONG_AFTER, deadline - time.monotonic()))):
                return True
            if time.monotonic() >= deadline:
                return False
            _set_priority(handle.process.pid, LOW_PRIORITY)  # lowering is always allowed
            handle.lowered = True
            self._grow_if_short()  # it may hold its worker for a while
        return handle.conn.poll(max(0.0, deadline - time.monotonic()))

    def _after(self, handle: _Handle, reply: Reply) -> None:
        if reply.status >= 500:
            text = handle.new_stderr()
            if text:
                log.error("query worker %s: %s", handle.process.pid, text[-4000:])



def _set_priority(pid: int, nice: int) -> bool:
    """Set a worker's CPU priority; False where the system does not allow it (raising
    a priority needs root or CAP_SYS_NICE)."""
    try:
        os.setpriority(os.PRIO_PROCESS, pid, nice)
        return True
    except (PermissionError, ProcessLookupError, AttributeError):
        return False
