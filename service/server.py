"""Run the app on waitress, a production WSGI server (never the Flask debug server)."""
from __future__ import annotations

from flask import Flask
from waitress.server import create_server

from .config import Config


def make_server(app: Flask, config: Config):
    """A bound waitress server (call ``.run()``; ``.close()`` to stop). Port 0 picks a free one."""
    return create_server(
        app,
        host=config.host,
        port=config.port,
        threads=config.threads,
        # waitress refuses bigger bodies itself, before the app reads a byte.
        max_request_body_size=max(config.max_body, config.max_upload),
        ident="esgkg",
        clear_untrusted_proxy_headers=True,
    )


def bound_port(server) -> int:
    """The port a server from :func:`make_server` listens on."""
    return server.effective_port


def serve(app: Flask, config: Config) -> None:
    """Serve until interrupted."""
    server = make_server(app, config)
    print(f"esgkg SPARQL endpoint on http://{config.host}:{bound_port(server)}/sparql", flush=True)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
