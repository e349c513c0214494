"""Several serving processes on one port, so the HTTP side uses every core.

One Python process serves HTTP on one core at a time (the GIL): on cheap queries waitress,
Flask and the hop to a worker cost more than the engine, and a second core sat idle. Here a
supervisor forks ``processes`` serving processes; each has its own listening socket bound
to the same port with ``SO_REUSEPORT``, so the kernel spreads new connections between them,
and each is a whole service of its own: its app, its worker pool (each with the time limit
and the kill that enforces it), its slow-client deadlines and connection slots (the totals
of the configuration are split, ``Config.serving_share``), its answer cache keyed on the
store version, which every process reads from the store's ``current`` pointer.

Why one socket each rather than one shared socket: waitress accepts every queued connection
in one pass (server.py), so with a shared socket whichever process woke first took a whole
burst. Why fork: the serving processes start from a parent that has no threads and no open
store yet (the app and its pool are made in each child).

Signals: the first SIGTERM or SIGINT to the supervisor is passed on as SIGUSR1, which makes
each serving process finish its requests in flight and stop (server.run_until_signalled);
a second one kills them. A serving process that dies is replaced, unless it dies while
starting, which stops the service with its exit status (e.g. a store that cannot open).
"""
from __future__ import annotations

import logging
import os
import select
import signal
import socket
import sys
import time
from typing import Callable

from flask import Flask

from .backends.parent_watch import when_parent_goes
from .config import Config

log = logging.getLogger("esgkg.prefork")

START_TIMEOUT = 120.0  # seconds for one serving process to open the store and start its workers
DRAIN = signal.SIGUSR1  # supervisor -> serving process: finish what is in flight, then stop


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to (host, port) with SO_REUSEPORT, listening; port 0 picks one."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(address)
        sock.listen(1024)  # waitress listens again with its own backlog
    except BaseException:
        sock.close()
        raise
    return sock


def _child(sock: socket.socket, ready: int, config: Config, make_app: Callable[[Config], Flask]) -> int:
    """The body of one serving process; returns its exit status."""
    from .server import make_server, run_until_signalled

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, signal.SIG_DFL)  # not the supervisor's handlers, copied by fork
    # Told to stop while starting: connections may already wait on this process's socket,
    # so it starts all the same, answers them, then stops (run_until_signalled's drain_now).
    told: list[int] = []
    signal.signal(DRAIN, lambda signum, frame: told.append(signum))
    # Killed without passing a signal on, the supervisor is gone: drain, then stop.
    when_parent_goes(lambda: os.kill(os.getpid(), DRAIN), name="esgkg-supervisor-watch")
    try:
        app = make_app(config)
        server = make_server(app, config, sock=sock)
    except Exception as exc:  # the supervisor stops the service with this message
        print(f"error: {exc}", file=sys.stderr, flush=True)
        return 1
    try:
        os.write(ready, b"1")
    except BrokenPipeError:  # the supervisor stopped waiting (told to stop): serve, then stop
        pass
    os.close(ready)
    try:
        run_until_signalled(server, config, drain_only=(DRAIN,), drain_now=lambda: bool(told))
    finally:
        app.extensions["esgkg"].close()  # its worker pool; os._exit runs no atexit hooks
    return 0


class _StartFailed(Exception):
    """A serving process ended, or was stopped, before it said it serves; args: (pid,)."""


class Supervisor:
    """Starts, replaces and stops the serving processes."""

    def __init__(self, config: Config, make_app: Callable[[Config], Flask]) -> None:
        self.config = config
        self.share = config.serving_share()
        self.make_app = make_app
        self.port = config.port
        self.children: dict[int, float] = {}  # pid -> when it was started
        self.signals = 0

    def _fork(self) -> int:
        """Fork one serving process on a new socket of the port; wait until it serves."""
        sock = listening_socket(self.config.host, self.port)
        self.port = sock.getsockname()[1]
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child's side (tests see it over HTTP)
            os.close(read)
            status = 1
            try:
                status = _child(sock, write, self.share, self.make_app)
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(status)
        sock.close()  # the child holds it now
        os.close(write)
        self.children[pid] = time.monotonic()
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while time.monotonic() < deadline and not self.signals:
                if select.select([read], [], [], 0.2)[0]:
                    if os.read(read, 1) == b"1":
                        return pid
                    break  # the child closed the pipe without saying ready: it failed
        finally:
            os.close(read)
        raise _StartFailed(pid)

    def _on_signal(self, signum: int, frame: object) -> None:
        self.signals += 1
        for pid in list(self.children):
            try:
                os.kill(pid, DRAIN if self.signals == 1 else signal.SIGKILL)
            except ProcessLookupError:
                pass

    def _reap(self, pid: int) -> int:
        _, status = os.waitpid(pid, 0)
        self.children.pop(pid, None)
        return os.waitstatus_to_exitcode(status)

    def run(self) -> int:
        """Serve until a signal; the exit status of the service."""
        previous = {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            for _ in range(self.config.processes):
                code = self._start_or_stop()
                if code is not None:
                    return code
            print(f"esgkg SPARQL endpoint on http://{self.config.host}:{self.port}/sparql "
                  f"({self.config.processes} serving processes)", flush=True)
            return self._supervise()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _start_or_stop(self) -> int | None:
        """Start one serving process; if it cannot start, stop them all and return the status."""
        try:
            self._fork()
            return None
        except OSError as exc:  # e.g. the port is taken by a socket without SO_REUSEPORT
            print(f"error: cannot serve on {self.config.host}:{self.port}: {exc}", file=sys.stderr, flush=True)
            pid, code = -1, 1
        except _StartFailed as failed:
            pid, code = failed.args[0], None
        stopped_by_signal = self.signals > 0
        if not stopped_by_signal:  # (after a signal they were told already: a second would kill)
            self._on_signal(signal.SIGTERM, None)  # the ones already serving finish and stop
        codes = self._stop_all()
        if stopped_by_signal:
            return 0
        return code if code is not None else (codes.get(pid) or 1)

    def _supervise(self) -> int:
        while self.children:
            pid, status = os.wait()
            self.children.pop(pid, None)
            if self.signals:
                continue
            log.warning("serving process %d ended (status %d); starting another", pid,
                        os.waitstatus_to_exitcode(status))
            code = self._start_or_stop()
            if code is not None:
                return code
        return 0

    def _stop_all(self) -> dict[int, int]:
        """Wait for every serving process to end; their exit statuses."""
        return {pid: self._reap(pid) for pid in list(self.children)}


def serve_processes(config: Config, make_app: Callable[[Config], Flask]) -> int:
    """Serve ``config`` from ``config.processes`` processes (see the module docstring)."""
    return Supervisor(config, make_app).run()
