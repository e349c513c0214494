"""`esgkg serve` against slow clients and signals, run as a user runs it (a separate process).

* Slowloris: more half-open connections than waitress's default connection limit, each
  trickling header bytes, must not keep anyone else out; and a connection whose headers do
  not finish in time is closed, however steadily it trickles.
* ``Expect: 100-continue`` with an oversized body gets the 413 at once, not "100 Continue".
* SIGTERM finishes the request in flight, then stops, leaving no worker process behind.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time

import psutil
import pytest
import requests

from sparql_support import free_port, make_store, sample_nquads

SERVE = [sys.executable, "-m", "esgkg.service.cli", "serve"]
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"


class Served:
    """A running ``esgkg serve`` process on a free port."""

    def __init__(self, root, **env: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        environ = {**os.environ, "ESGKG_STORE": str(root.root), "ESGKG_WORKERS": "2", **env}
        self.process = subprocess.Popen([*SERVE, "--port", str(self.port)], env=environ,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(self.url + "/sparql", params={"query": "ASK {}"}, timeout=2)
                return
            except requests.ConnectionError:
                assert self.process.poll() is None and time.monotonic() < deadline, self.process.stdout.read()
                time.sleep(0.1)

    def workers(self) -> list[psutil.Process]:
        found = []
        for p in psutil.Process(self.process.pid).children(recursive=True):
            try:
                command = " ".join(p.cmdline())
            except (psutil.ZombieProcess, psutil.NoSuchProcess):
                continue  # a short-lived helper process that has ended (e.g. the sandbox probe)
            if "backends.worker" in command:
                found.append(p)
        return found

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self.process.stdout.close()


@pytest.fixture
def root(tmp_path):
    return make_store(tmp_path / "store", sample_nquads(30))


def _trickler(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.sendall(b"GET /sparql HTTP/1.1\r\nHost: x\r\n")
    return sock


@pytest.mark.slow
def test_half_open_connections_keep_nobody_out(root):
    served = Served(root, ESGKG_HEADER_TIMEOUT="3")
    socks = []
    try:
        socks = [_trickler(served.port) for _ in range(300)]  # waitress's own default limit is 100
        for _ in range(5):
            for s in socks:
                s.sendall(b"X-a: b\r\n")
            r = requests.post(served.url + "/sparql", data={"query": "ASK { ?s ?p ?o }"}, timeout=5)
            assert r.status_code == 200
            assert requests.get(served.url + "/static/esgkg.css", timeout=5).status_code == 200
            time.sleep(0.5)
        # Trickling does not extend the header deadline: after it, the server has hung up.
        time.sleep(4)
        closed = 0
        for s in socks:
            try:
                s.sendall(b"X-a: b\r\n")
                s.settimeout(0.5)
                if s.recv(1) == b"":
                    closed += 1
            except OSError:
                closed += 1
        assert closed == len(socks)
    finally:
        for s in socks:
            s.close()
        served.stop()


@pytest.mark.slow
@pytest.mark.parametrize("head", [
    # a "query" of a terabyte that asks whether to send its body
    b"Content-Length: 1000000000000\r\nExpect: 100-continue\r\n\r\n",
    # 50 MB announced, the first kilobyte sent: answered without reading the rest
    b"Content-Length: 50000000\r\n\r\n" + b"#" * 1000,
], ids=["expect-continue", "plain"])
def test_an_oversized_query_body_gets_413_before_it_is_read(root, head):
    served = Served(root, ESGKG_MAX_BODY="10000")
    try:
        with socket.create_connection(("127.0.0.1", served.port), timeout=10) as sock:
            sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n" + head)
            answer = sock.recv(200)
        assert answer.startswith(b"HTTP/1.1 413"), answer
    finally:
        served.stop()


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_finishes_the_request_in_flight_then_stops(root, sig):
    served = Served(root, ESGKG_QUERY_TIMEOUT="3")
    answers: list[int] = []
    try:
        workers = served.workers()
        assert workers
        slow = threading.Thread(target=lambda: answers.append(
            requests.post(served.url + "/sparql", data={"query": SLOW}, timeout=30).status_code))
        slow.start()
        time.sleep(0.5)  # the slow query is running
        served.process.send_signal(sig)
        slow.join(30)
        assert answers and answers[0] in (200, 503)  # an answer, not a dropped connection
        assert served.process.wait(30) == 0
        time.sleep(1.0)
        assert not [w for w in workers if w.is_running() and w.status() != psutil.STATUS_ZOMBIE]
        with pytest.raises(requests.ConnectionError):
            requests.get(served.url + "/sparql", timeout=2)
    finally:
        served.stop()
