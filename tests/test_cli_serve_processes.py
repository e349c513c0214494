"""`esgkg serve` in several serving processes on one port (service/prefork.py): each takes
connections, each follows a publish, a dead one is replaced, a signal stops them all."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import psutil
import pytest
import requests

from reliability_support import COUNT
from sparql_support import free_port, make_store, sample_nquads

from esgkg.service.config import Config

SERVE = [sys.executable, "-m", "esgkg.service.cli", "serve"]


def test_the_totals_are_split_between_the_serving_processes(tmp_path):
    config = Config(store=str(tmp_path), processes=2, workers=5, max_workers=16, connection_limit=101)
    share = config.serving_share()
    assert (share.processes, share.workers, share.max_workers, share.connection_limit) == (1, 3, 8, 51)
    assert share.threads >= share.max_workers + 8  # a lane for pages beside the queries, as before
    assert Config(store=str(tmp_path), processes=1).serving_share() == Config(store=str(tmp_path), processes=1)


def test_one_serving_process_per_core_by_default_and_one_in_update_mode(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 3)
    assert Config(store=str(tmp_path)).processes == 3
    assert Config(store=str(tmp_path), allow_update=True, update_token="t").processes == 1
    with pytest.raises(ValueError, match="one process"):
        Config.from_env(store=str(tmp_path), allow_update=True, update_token="t", processes=2)


def _serving(parent: psutil.Process) -> list[psutil.Process]:
    """The supervisor's serving processes (a dead one that is not reaped yet excluded)."""
    found = []
    for p in parent.children():
        try:
            if p.status() != psutil.STATUS_ZOMBIE and "backends.worker" not in " ".join(p.cmdline()):
                found.append(p)
        except psutil.Error:  # ended while we looked
            pass
    return found


def _wait(condition, timeout: float = 60.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def _count(url: str) -> int:
    # A new connection each time, so the kernel chooses a serving process each time.
    r = requests.get(url, params={"query": COUNT}, timeout=10, headers={
        "Accept": "application/sparql-results+json", "Connection": "close"})
    r.raise_for_status()
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def _established(process: psutil.Process, port: int) -> int:
    return sum(1 for c in process.net_connections(kind="tcp")
               if c.status == psutil.CONN_ESTABLISHED and c.laddr.port == port)


@pytest.mark.slow
def test_two_serving_processes_share_the_port(tmp_path):
    root = make_store(tmp_path / "store", sample_nquads(100))
    port = free_port()
    env = {**os.environ, "ESGKG_STORE": str(root.root), "ESGKG_WORKERS": "2", "ESGKG_QUERY_TIMEOUT": "5"}
    process = subprocess.Popen([*SERVE, "--port", str(port), "--processes", "2"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/sparql"
    parent = psutil.Process(process.pid)
    try:
        assert "2 serving processes" in process.stdout.readline()
        served = _serving(parent)
        assert len(served) == 2
        # Both take connections: 40 open at once land on both (all on one: odds 2^-39).
        held = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(40)]
        try:
            _wait(lambda: sum(_established(p, port) for p in served) == 40, 10, "the 40 connections")
            assert all(_established(p, port) > 0 for p in served)
        finally:
            for s in held:
                s.close()
        # Every process follows a publish (each worker pool and answer cache of its own).
        assert _count(url) == 103
        make_store(tmp_path / "store", sample_nquads(400))
        _wait(lambda: all(_count(url) == 403 for _ in range(20)), 30, "the new version everywhere")
        # A serving process that dies is replaced; the service answers throughout the rest.
        served[0].kill()
        _wait(lambda: len(_serving(parent)) == 2 and served[0].pid not in {p.pid for p in _serving(parent)},
              60, "a replacement")
        _wait(lambda: _count(url) == 403, 30, "answers after the replacement")
        assert all(_count(url) == 403 for _ in range(10))
        everything = [*_serving(parent), *parent.children(recursive=True)]
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0
        _wait(lambda: not [p for p in everything if p.is_running() and p.status() != psutil.STATUS_ZOMBIE],
              10, "every serving and worker process to end")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
        process.stdout.close()


@pytest.mark.slow
def test_a_serving_process_that_cannot_start_stops_the_service(tmp_path):
    env = {**os.environ, "ESGKG_STORE": str(tmp_path / "store"), "ESGKG_WORKERS": "2",
           "ESGKG_WORKER_MEMORY": "1000"}  # no worker can start in 1000 bytes of address space
    make_store(tmp_path / "store", sample_nquads(10))
    result = subprocess.run([*SERVE, "--port", str(free_port()), "--processes", "2"], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "error:" in result.stderr


@pytest.mark.slow
def test_a_port_taken_by_another_program_is_one_error_line(tmp_path):
    make_store(tmp_path / "store", sample_nquads(10))
    env = {**os.environ, "ESGKG_STORE": str(tmp_path / "store"), "ESGKG_WORKERS": "2"}
    with socket.socket() as taken:  # no SO_REUSEPORT: nobody may share this port
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([*SERVE, "--port", str(port), "--processes", "2"], env=env,
                                capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "error: cannot serve on 127.0.0.1:" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.slow
def test_serving_processes_end_when_the_supervisor_is_killed(tmp_path):
    root = make_store(tmp_path / "store", sample_nquads(10))
    port = free_port()
    env = {**os.environ, "ESGKG_STORE": str(root.root), "ESGKG_WORKERS": "2"}
    process = subprocess.Popen([*SERVE, "--port", str(port), "--processes", "2"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert "2 serving processes" in process.stdout.readline()
        tree = psutil.Process(process.pid).children(recursive=True)
        assert len(tree) >= 4  # two serving processes, each with its query workers
        process.kill()  # no signal to pass on: the serving processes must notice by themselves
        process.wait(10)
        _wait(lambda: not [p for p in tree if p.is_running() and p.status() != psutil.STATUS_ZOMBIE],
              30, "the orphaned serving processes and their workers to end")
        with pytest.raises(requests.ConnectionError):
            requests.get(f"http://127.0.0.1:{port}/sparql", timeout=2)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
        process.stdout.close()
