"""Helpers for the SPARQL endpoint tests: small stores and a real server on loopback.

Stores are made here from a few triples (never the real reports); the server is the real
app on waitress in a thread, bound to 127.0.0.1 on a free port.
"""
from __future__ import annotations

import contextlib
import hashlib
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Iterator

import pyoxigraph as ox
import requests

from esgkg.graph.store import StoreRoot
from flask.testing import FlaskClient

from esgkg.service.app import create_app
from esgkg.service.backends.factory import make_backend
from esgkg.service.config import Config
from esgkg.service.server import bound_port, make_server

BASE = "https://w3id.org/esgkg/"
W3C_DIR = Path(__file__).parent / "w3c" / "protocol"
W3C_GRAPHS = {f"http://kasei.us/2009/09/sparql/data/data{i}.rdf": W3C_DIR / f"data{i}.nt" for i in (1, 2, 3)}


def sample_nquads(people: int = 100) -> str:
    """A small ESG-flavoured dataset: one report graph, one reference graph."""
    report = f"<{BASE}graph/report/acme-2024>"
    reference = f"<{BASE}graph/reference>"
    lines = [
        f'<{BASE}id/org/acme> <http://www.w3.org/2000/01/rdf-schema#label> "Acme"@en {report} .',
        f'<{BASE}id/org/acme> <http://www.w3.org/2000/01/rdf-schema#label> "頂峰"@zh-Hant {report} .',
        f'<http://metadata.un.org/sdg/13> <http://www.w3.org/2004/02/skos/core#prefLabel> "Climate action"@en {reference} .',
    ]
    for i in range(people):
        lines.append(f'<{BASE}id/acme-2024/item/i{i}> <{BASE}ontology#value> "{i}"^^<http://www.w3.org/2001/XMLSchema#integer> {report} .')
    return "\n".join(lines) + "\n"


def make_store(root_dir: Path, nquads: str = "", graphs: dict[str, Path] | None = None) -> StoreRoot:
    """Publish a store version built from N-Quads text and/or N-Triples files per graph."""
    root = StoreRoot(root_dir)
    digest = hashlib.sha256(nquads.encode())
    for name, path in sorted((graphs or {}).items()):
        digest.update(name.encode() + path.read_bytes())
    version = digest.hexdigest()[:16]
    staging = root.staging_dir(version)
    store = ox.Store(str(staging))
    if nquads:
        store.load(nquads.encode(), format=ox.RdfFormat.N_QUADS)
    for name, path in (graphs or {}).items():
        store.load(path=str(path), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(name))
    store.flush()
    del store  # release the RocksDB lock before the directory is published
    root.publish(staging, version, {"version": version, "test": True})
    return root


@contextlib.contextmanager
def app_client(config: Config) -> Iterator[FlaskClient]:
    """Flask's test client on the real app and backend (workers), closed afterwards."""
    backend = make_backend(config)
    try:
        yield create_app(config, backend=backend).test_client()
    finally:
        backend.close()


@contextlib.contextmanager
def running_server(config: Config) -> Iterator[str]:
    """Start the real app on waitress (127.0.0.1, free port) in a thread; yield its base URL."""
    config = config.with_(host="127.0.0.1", port=0)
    backend = make_backend(config)
    app = create_app(config, backend=backend)
    server = make_server(app, config)
    closing = threading.Event()

    def serve() -> None:
        try:
            server.run()
        except (OSError, ValueError):
            if not closing.is_set():  # a real failure, not the asyncore loop seeing close()
                raise

    thread = threading.Thread(target=serve, daemon=True, name="esgkg-test-server")
    thread.start()
    url = f"http://127.0.0.1:{bound_port(server)}"
    try:
        _wait_until_up(url + "/sparql")
        yield url
    finally:
        closing.set()
        server.close()
        backend.close()
        thread.join(5)


def _wait_until_up(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.05)
    raise RuntimeError(f"server at {url} did not come up")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_config(root: StoreRoot, **changes: object) -> Config:
    """A config for tests: the given store, small pool, defaults otherwise."""
    values = {"store": str(root.root), "workers": 2, "threads": 8}
    values.update(changes)
    return Config(**values)  # type: ignore[arg-type]




def which(name: str) -> str | None:
    return shutil.which(name)


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, **kwargs)


def when_ready(fetch, seconds: float = 180.0):
    """``fetch()`` again while it answers 503 with Retry-After (downloads still being written by
    their own process, which runs at nice 19 and is slow on a loaded machine), as a client that
    honours Retry-After does; the first other answer."""
    import time

    deadline = time.monotonic() + seconds
    while True:
        response = fetch()
        if response.status_code != 503 or "Retry-After" not in response.headers or time.monotonic() > deadline:
            return response
        time.sleep(0.5)
