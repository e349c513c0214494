"""Start and stop the three SPARQL servers the benchmark compares, on loopback.

* ``esgkg serve`` on the published store (its worker pool, waitress);
* ``oxigraph serve-read-only --union-default-graph`` on the *same* RocksDB directory (the
  Oxigraph server in its read-only mode, which is what esgkg serves too);
* ``rdflib-endpoint serve`` on an N-Quads dump of the same dataset (rdflib ``Dataset`` with
  ``default_union=True``, uvicorn).

Every server is a subprocess in its own process group, so stopping it also stops what it
started (esgkg's query workers). Memory is the RSS of the server plus its children.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import requests


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """A running server: where to send queries and how to stop it."""

    name: str
    process: subprocess.Popen
    query_url: str  # full URL of the SPARQL query endpoint
    log: Path
    rss_samples: list[int] = field(default_factory=list)

    @property
    def path(self) -> str:
        """The endpoint path (what wrk requests), e.g. ``/sparql``."""
        return "/" + self.query_url.split("/", 3)[3]

    @property
    def origin(self) -> str:
        return "/".join(self.query_url.split("/", 3)[:3])

    def rss(self) -> int:
        """Resident memory of the server and every process it started, in bytes."""
        try:
            proc = psutil.Process(self.process.pid)
            procs = [proc, *proc.children(recursive=True)]
        except psutil.NoSuchProcess:
            return 0
        total = 0
        for p in procs:
            try:
                total += p.memory_info().rss
            except psutil.NoSuchProcess:
                pass
        return total

    def sample(self) -> int:
        value = self.rss()
        self.rss_samples.append(value)
        return value

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)


def _start(name: str, cmd: list[str], query_url: str, log_dir: Path, env: dict | None = None,
           ready_timeout: float = 600.0) -> Server:
    log = log_dir / f"{name}.log"
    fh = log.open("w")
    process = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                               start_new_session=True, env=env)
    server = Server(name, process, query_url, log)
    deadline = time.monotonic() + ready_timeout
    probe = {"query": "ASK { ?s ?p ?o }"}
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}; see {log}")
        try:
            if requests.get(query_url, params=probe, timeout=5,
                            headers={"Accept": "application/sparql-results+json"}).status_code == 200:
                return server
        except requests.RequestException:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"{name} did not answer within {ready_timeout:.0f} s; see {log}")


def start_esgkg(store_root: Path, log_dir: Path, workers: int | None = None,
                remote: str | None = None) -> Server:
    """``esgkg serve`` on an embedded store, or in remote mode with ``remote`` as its store."""
    port = free_port()
    cmd = ["esgkg", "serve", "--host", "127.0.0.1", "--port", str(port),
           "--store", remote or str(store_root)]
    if workers:
        cmd += ["--workers", str(workers)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    name = "esgkg-remote" if remote else "esgkg"
    return _start(name, cmd, f"http://127.0.0.1:{port}/sparql", log_dir, env)


def start_oxigraph(store_dir: Path, log_dir: Path, timeout_s: int | None = 60) -> Server:
    """``oxigraph serve-read-only`` on the RocksDB directory esgkg published.

    ``timeout_s`` None: no time limit. Oxigraph 0.5.13 enforces ``--timeout-s`` with a thread
    per query that lives for the whole limit, so thousands of cheap queries a second pile up
    threads until spawning fails (the server aborts); the cheap-query runs go without it.
    """
    port = free_port()
    exe = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    cmd = [exe, "serve-read-only", "--location", str(store_dir), "--bind", f"127.0.0.1:{port}",
           "--union-default-graph"] + (["--timeout-s", str(timeout_s)] if timeout_s else [])
    return _start("oxigraph", cmd, f"http://127.0.0.1:{port}/query", log_dir)


def start_rdflib_endpoint(nquads: Path, log_dir: Path) -> Server:
    """``rdflib-endpoint serve`` on an N-Quads dump (it parses everything into memory first)."""
    port = free_port()
    exe = shutil.which("rdflib-endpoint") or str(Path(sys.executable).with_name("rdflib-endpoint"))
    cmd = [exe, "serve", str(nquads), "--host", "127.0.0.1", "--port", str(port)]
    return _start("rdflib-endpoint", cmd, f"http://127.0.0.1:{port}/", log_dir)
