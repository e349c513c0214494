"""Helpers for the linked-data tests: the app with the linked-data blueprints, a real server.

The lead registers the blueprints in ``create_app``; until then (and harmlessly after) the
helpers register them when the factory has not.
"""
from __future__ import annotations

import contextlib
import threading
from typing import Iterator

import requests
from flask import Flask

from esgkg.service.app import create_app, make_backend
from esgkg.service.config import Config
from esgkg.service.server import bound_port, make_server


def with_blueprints(app: Flask) -> Flask:
    from esgkg.service.dumps_blueprint import blueprint as dumps_bp
    from esgkg.service.linked_data import blueprint as ld_bp

    if "dumps" not in app.blueprints:
        app.register_blueprint(dumps_bp)
    if "linked_data" not in app.blueprints:
        app.register_blueprint(ld_bp)
    return app


def ld_app(config: Config, backend=None) -> Flask:
    return with_blueprints(create_app(config, backend=backend))


@contextlib.contextmanager
def running_ld_server(config: Config) -> Iterator[str]:
    """The real app (with the linked-data blueprints) on waitress at 127.0.0.1; yields its URL."""
    config = config.with_(host="127.0.0.1", port=0)
    backend = make_backend(config)
    app = ld_app(config, backend)
    server = make_server(app, config)
    closing = threading.Event()

    def serve() -> None:
        try:
            server.run()
        except (OSError, ValueError):
            if not closing.is_set():
                raise

    thread = threading.Thread(target=serve, daemon=True, name="esgkg-ld-test-server")
    thread.start()
    url = f"http://127.0.0.1:{bound_port(server)}"
    try:
        for _ in range(600):
            try:
                requests.get(url + "/robots.txt", timeout=2)
                break
            except requests.ConnectionError:
                threading.Event().wait(0.05)
        yield url
    finally:
        closing.set()
        server.close()
        backend.close()
        thread.join(5)


_DUMPS: dict[str, list] = {}


def shared_dumps(root) -> tuple["Path", list]:
    """The dumps of a store's current version, written once per test session into the same
    cache folder the service uses (``<store>/dumps/<version>``), so tests share the work."""
    from pathlib import Path

    from esgkg.graph.dumps import DumpCache
    from esgkg.graph.namespaces import Iris

    cache = DumpCache(Path(root.root) / "dumps")
    version = root.current().version
    if str(root.root) not in _DUMPS:
        _DUMPS[str(root.root)] = cache.ensure(version, lambda: root.open_read_only()[0], Iris())
    return cache.folder(version), _DUMPS[str(root.root)]
