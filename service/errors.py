"""One error shape for every URL area: an HTML page for browsers, JSON for clients that ask
for it, plain text otherwise; never a traceback, always the status and what to do.

Views raise :class:`HttpError` (or let werkzeug raise its 404/405/413); backends hand back
a :class:`~esgkg.service.backends.Reply` with an error status, which :func:`from_reply`
turns into the same shape. ``register`` installs the handlers in the app factory.
"""
from __future__ import annotations

import json
import logging
from typing import Callable, TypeVar

from flask import Flask, Response, render_template, request
from werkzeug.exceptions import HTTPException

from esgkg.graph import named_queries, plots
from esgkg.graph.errors import EsgkgError
from esgkg.graph.sparql import QueryError

from .backends import Reply
from .http import prefers_html

log = logging.getLogger(__name__)
T = TypeVar("T")


class HttpError(Exception):
    """An answer with an error status, raised from a view; ``headers`` go on the response."""

    def __init__(self, status: int, message: str, **headers: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers


def _wants_json() -> bool:
    """True when the client named JSON in Accept, at least as high as HTML and text."""
    named = {value: q for value, q in request.accept_mimetypes}
    json_q = named.get("application/json", 0)
    return json_q > 0 and json_q >= named.get("text/html", 0) and json_q >= named.get("text/plain", 0)


def error_response(status: int, message: str, headers: dict[str, str] | None = None,
                   template: str = "error.html", as_html: bool | None = None, **context: object) -> Response:
    """The error in the shape the client asked for (see the module docstring).

    ``as_html`` overrides Accept where the URL already chose (a ``.html`` or ``.ttl`` suffix).
    """
    message = message.strip()
    html = prefers_html(request.headers.get("Accept")) if as_html is None else as_html
    if not as_html and (request.path.endswith(".json") or _wants_json()):
        body, kind = json.dumps({"status": status, "error": message}, ensure_ascii=False) + "\n", \
            "application/json; charset=utf-8"
    elif html:
        body = render_template(template, status=status, message=message, **context)
        kind = "text/html; charset=utf-8"
    else:
        body, kind = message + "\n", "text/plain; charset=utf-8"
    response = Response(body, status=status, content_type=kind)
    response.headers["Vary"] = "Accept"
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def from_reply(reply: Reply, **headers: str) -> Response:
    """A backend's reply as a response: errors in the one shape, answers as they are."""
    if reply.status >= 400:
        return error_response(reply.status, reply.body.decode("utf-8", "replace"), {**reply.headers, **headers})
    response = Response(reply.body, status=reply.status, content_type=reply.content_type)
    for key, value in {**reply.headers, **headers}.items():
        response.headers[key] = value
    return response


def answer(call: Callable[[], T]) -> T:
    """``call()``, with the library errors a view meets turned into the HTTP status that names
    the bad parameter (400), the thing not found (404) or the engine's own status."""
    try:
        return call()
    except (plots.KpiError, named_queries.NamedQueryError) as exc:
        raise HttpError(400, str(exc)) from exc
    except plots.PlotError as exc:
        raise HttpError(404, str(exc)) from exc
    except QueryError as exc:
        raise HttpError(exc.status if exc.status >= 400 else 503, str(exc)) from exc


def _http_error(exc: HttpError) -> Response:
    return error_response(exc.status, exc.message, exc.headers)


def _werkzeug(exc: HTTPException) -> Response:
    status = exc.code or 500
    headers = {k: v for k, v in exc.get_headers() if k.lower() == "allow"}
    return error_response(status, exc.description or exc.name, headers)


def _library(exc: EsgkgError) -> Response:
    # A library error that reached a view uncaught: the data cannot be served right now.
    log.warning("%s on %s: %s", type(exc).__name__, request.path, exc)
    return error_response(503, str(exc), {"Retry-After": "5"})


def _unexpected(exc: Exception) -> Response:
    log.exception("unhandled error on %s", request.path)
    return error_response(500, "Internal error: the request could not be answered. "
                               "The service log has the details.")


def register(app: Flask) -> None:
    """Install the handlers: every error of every area leaves through error_response."""
    app.register_error_handler(HttpError, _http_error)
    app.register_error_handler(HTTPException, _werkzeug)
    app.register_error_handler(EsgkgError, _library)
    app.register_error_handler(Exception, _unexpected)
