"""Helpers for the reliability tests: a real `esgkg serve` subprocess and its memory.

The soak and start-up tests need the server in its own process (so its RSS is its own and
its exit status is observable), unlike the in-thread server of sparql_support.
"""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import psutil
import requests

from sparql_support import free_port

ESGKG = [sys.executable, "-m", "esgkg.service.cli"]
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def count(url: str, query: str = COUNT, timeout: float = 30) -> int:
    """The single integer a COUNT query returns (raises on any HTTP error)."""
    r = requests.get(url + "/sparql", params={"query": query}, timeout=timeout,
                     headers={"Accept": "application/sparql-results+json"})
    r.raise_for_status()
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def tree_rss(pid: int) -> int:
    """RSS in bytes of a process and all its descendants (server + query workers)."""
    proc = psutil.Process(pid)
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += p.memory_info().rss
    return total


@contextlib.contextmanager
def serve_process(store: Path, *extra: str, env: dict | None = None) -> Iterator[tuple[str, subprocess.Popen]]:
    """`esgkg serve` on ``store`` in its own process group; yields (base URL, process)."""
    port = free_port()
    proc = subprocess.Popen([*ESGKG, "serve", "--store", str(store), "--port", str(port), *extra],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, env={**os.environ, **(env or {})})
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"esgkg serve exited {proc.returncode}: {proc.stderr.read()}")
            with contextlib.suppress(requests.ConnectionError):
                requests.get(url + "/sparql", timeout=2)
                break
            time.sleep(0.1)
        yield url, proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)
        if proc.stderr is not None:
            proc.stderr.close()
