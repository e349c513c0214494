"""Run the app on waitress, a production WSGI server (never the Flask debug server).

Hardened against slow clients (slowloris): waitress reads requests on one asyncore loop and
only hands a *complete* request to its threads, so a slow client costs a connection slot, not
a thread. The slots are what an attacker exhausts, so we (1) allow many of them (poll(), not
select(), which stops at fd 1024; RLIMIT_NOFILE raised to fit), and (2) take them back on a
deadline that trickling cannot extend: the request headers must be complete within
``header_timeout`` seconds of the request's first byte (of the accept() for a connection's
first request), and a body must then keep coming at
``min_body_rate`` bytes/s on average. Idle keep-alive connections go after ``idle_timeout``.

Relies on waitress internals (checked on waitress 3.0.2): ``HTTPChannel.parser_class``,
``HTTPChannel.request`` (the request being received, None between requests),
``HTTPChannel.requests`` (complete requests queued/being served), ``HTTPRequestParser``'s
``headers_finished``/``body_bytes_received``/``error``, ``BaseWSGIServer.maintenance(now)``
(called from the loop every ``cleanup_interval`` seconds with ``time.time()``),
``BaseWSGIServer.active_channels``, ``_map`` (the socket map, one entry per open channel) and
``handle_accept``, ``HTTPChannel.send_continue`` and ``will_close``.
"""
from __future__ import annotations

import copy
import logging
import resource
import signal
import socket
import threading
import time
from typing import Callable

from flask import Flask
from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import TcpWSGIServer

from .config import Config

log = logging.getLogger("esgkg.server")

UPLOAD_PATHS = ("/store",)  # where bodies may reach max_upload; elsewhere max_body


class _TimedParser(HTTPRequestParser):
    """A request parser that remembers when the request's first byte arrived, and applies
    the query-size limit to every path but the Graph Store's uploads."""

    def __init__(self, adj):
        super().__init__(adj)
        self.started = time.time()  # waitress passes time.time() to maintenance()

    def parse_header(self, header_plus):
        super().parse_header(header_plus)
        small = getattr(self.adj, "esgkg_body_limit", None)
        if small and not self.path.startswith(UPLOAD_PATHS) and small < self.adj.max_request_body_size:
            # waitress checks Content-Length (and a chunked body as it arrives) against
            # adj.max_request_body_size right after this call: a copy with the smaller
            # limit makes that check refuse a 60 MB "query" before its body is read.
            adj = copy.copy(self.adj)
            adj.max_request_body_size = small + 1
            self.adj = adj


class _Channel(HTTPChannel):
    parser_class = _TimedParser

    def send_continue(self):
        # waitress 3.0.2 sends "100 Continue" even for a request its parser has already
        # refused (Content-Length over max_request_body_size -> 413), and then reads the body
        # up to that size before answering. Answer the error straight away instead.
        if self.request.error is not None:
            self.request.expect_continue = False
            return
        super().send_continue()


class HardenedServer(TcpWSGIServer):
    """waitress's TCP server: header deadline, minimum body rate, batched accept."""

    channel_class = _Channel

    def __init__(self, application, *, adj: Adjustments, header_timeout: float,
                 min_body_rate: float, sock: socket.socket | None = None):
        self.header_timeout = header_timeout
        self.min_body_rate = min_body_rate
        # A listening socket made by the caller (service/prefork.py) is served as it is.
        super().__init__(application, adj=adj, _sock=sock, bind_socket=sock is None)

    def handle_accept(self):
        # waitress accepts one connection per loop pass, and a pass costs O(open connections):
        # under a connection flood the listen backlog overflows. Take what is queued.
        for _ in range(128):
            before = len(self._map)
            if before >= self.adj.connection_limit:
                break
            super().handle_accept()
            if len(self._map) == before:  # nothing was queued (or accept failed)
                break

    def maintenance(self, now):
        super().maintenance(now)  # idle connections: adj.channel_timeout
        for channel in self.active_channels.values():
            if channel.requests:
                continue  # a request is being served
            request = channel.request
            if request is None:  # between requests: idle_timeout, except a silent new one
                if channel.last_activity == channel.creation_time and (
                    now - channel.creation_time > self.header_timeout
                ):
                    channel.will_close = True
                continue
            late = now - request.started - self.header_timeout
            if late <= 0:
                continue
            if not request.headers_finished or request.body_bytes_received < (
                self.min_body_rate * late
            ):
                channel.will_close = True  # closed on the loop's next pass


def _raise_nofile(wanted: int) -> int:
    """Raise the soft RLIMIT_NOFILE towards ``wanted`` (at most the hard limit); return it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    return soft


def make_server(app: Flask, config: Config, sock: socket.socket | None = None):
    """A bound waitress server (call ``.run()``; ``.close()`` to stop). Port 0 picks a free one.

    ``sock``: an already bound socket to serve instead (one of several processes on a port).
    """
    fds = _raise_nofile(config.connection_limit + 256)  # + the store, worker pipes, logs
    limit = min(config.connection_limit, fds - 256)
    if limit < config.connection_limit:
        log.warning("open-file limit %d: connection_limit lowered to %d", fds, limit)
    adj = Adjustments(
        host=config.host,
        port=config.port,
        threads=config.threads,
        # waitress refuses bigger bodies itself, before the app reads a byte.
        max_request_body_size=max(config.max_body, config.max_upload),
        ident="esgkg",
        clear_untrusted_proxy_headers=True,
        connection_limit=limit,
        asyncore_use_poll=True,  # select() cannot watch fds >= 1024
        channel_timeout=config.idle_timeout,
        cleanup_interval=1,  # how often maintenance() enforces the deadlines
    )
    adj.esgkg_body_limit = config.max_body  # for _TimedParser
    return HardenedServer(
        app, adj=adj, header_timeout=config.header_timeout, min_body_rate=config.min_body_rate, sock=sock
    )


def bound_port(server) -> int:
    """The port a server from :func:`make_server` listens on."""
    return server.effective_port


def _in_flight(server: HardenedServer) -> bool:
    """True while a request is being served or an answer is still being sent."""
    tasks = server.task_dispatcher
    if tasks.active_count or tasks.queue:
        return True
    # A request still arriving counts too (it is bounded by the header and body deadlines).
    return any(ch.requests or ch.total_outbufs_len or ch.request is not None
               for ch in list(server.active_channels.values()))


def serve(app: Flask, config: Config) -> None:
    """Serve until SIGTERM or SIGINT, then finish the requests in flight and stop.

    The first signal closes the listening socket and lets the loop run on until every
    request in flight has its answer sent (at most the query time limit plus a few seconds);
    a second signal stops at once. Either way the caller then closes the worker pool.
    """
    server = make_server(app, config)
    print(f"esgkg SPARQL endpoint on http://{config.host}:{bound_port(server)}/sparql", flush=True)
    run_until_signalled(server, config)


def run_until_signalled(server: HardenedServer, config: Config, drain_only: tuple[int, ...] = (),
                        drain_now: Callable[[], bool] = lambda: False) -> None:
    """Run ``server``'s loop under the signal rules of :func:`serve`.

    ``drain_only``: signals that start the drain but never stop at once (a serving process
    hears them from its supervisor, which may pass on a signal the process also got itself).
    ``drain_now``: asked once the handlers are in place; True starts the drain at once (the
    supervisor said stop while this process was starting).
    """
    draining, drained = threading.Event(), threading.Event()
    direct = [0]  # signals received that are not drain_only
    grace = config.query_timeout + 5.0

    def drain() -> None:
        deadline = time.monotonic() + grace
        time.sleep(0.1)  # a pass of the loop reads what the connections just taken have sent
        while time.monotonic() < deadline and _in_flight(server):
            time.sleep(0.05)
        drained.set()
        signal.raise_signal(signal.SIGINT)  # wakes the loop in the main thread

    def on_signal(signum: int, frame: object) -> None:
        if signum not in drain_only:
            direct[0] += 1
        if drained.is_set() or direct[0] >= 2:
            raise KeyboardInterrupt
        if draining.is_set():
            return
        draining.set()
        log.info("signal %d: finishing the requests in flight, then stopping", signum)
        # Connections already queued on the listening socket would be reset by its close:
        # they came before the signal, so they are taken and answered like the open ones.
        server.handle_accept()
        server.del_channel()  # accept nothing new; the open connections carry on
        server.socket.close()
        threading.Thread(target=drain, name="esgkg-drain", daemon=True).start()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT, *drain_only)}
    try:
        if drain_now():
            signal.raise_signal(drain_only[0] if drain_only else signal.SIGTERM)
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        server.close()
