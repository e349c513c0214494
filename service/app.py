"""The Flask application factory: one blueprint per URL area, one backend for SPARQL."""
from __future__ import annotations

import atexit

from flask import Flask, Response, request

from . import errors
from .backends import Backend
from .backends.factory import make_backend
from .config import Config
from .errors import HttpError
from .state import State


# Reads may be called from any origin; writes need a token and get no CORS headers, so a
# browser on another site cannot even send them with credentials.
_CORS_PATHS = ("/sparql", "/static/")


def _cors(response: Response) -> Response:
    if request.path.startswith(_CORS_PATHS) and response.status_code not in (401, 403) \
            and request.method in ("GET", "HEAD", "POST", "OPTIONS"):
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type"
        response.headers["Access-Control-Max-Age"] = "86400"
    return response


def _security_headers(response: Response) -> Response:
    # Browsers must not guess a type: an uploaded graph or a query result served as
    # text/plain must never be sniffed into HTML or script.
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response


def create_app(config: Config | None = None, backend: Backend | None = None) -> Flask:
    """Build the app. Without ``backend`` one is made from ``config`` (and closed at exit)."""
    config = config or Config.from_env()
    app = Flask(__name__, static_folder="static", template_folder="templates")
    made = backend is None
    backend = backend or make_backend(config)
    state = app.extensions["esgkg"] = State(config, backend)
    # The backend is closed only where it was made here; the writers this state starts, always.
    atexit.register(state.close if made else (state.dumps.close if state.dumps else lambda: None))
    app.config["MAX_CONTENT_LENGTH"] = max(config.max_body, config.max_upload)

    @app.before_request
    def _limit_body() -> Response | None:
        # Queries are small; only Graph Store uploads get the larger limit.
        limit = config.max_upload if request.path.startswith("/store") else config.max_body
        request.max_content_length = limit
        if request.content_length is not None and request.content_length > limit:
            raise HttpError(413, f"Request body too large: the limit here is {limit} bytes.")
        return None

    errors.register(app)
    app.after_request(_security_headers)
    if config.cors:
        app.after_request(_cors)

    for blueprint in _blueprints():
        app.register_blueprint(blueprint)
    return app


def _blueprints() -> list:
    """One blueprint per URL area. Linked data comes last: it answers any other path."""
    from . import compare, dumps, home, queries, sdg, search
    from .linked_data import routes as linked_data
    from .sparql import endpoint, graph_store

    return [home.bp, search.bp, endpoint.bp, graph_store.bp, queries.bp, sdg.bp, compare.bp, dumps.bp, linked_data.bp]
