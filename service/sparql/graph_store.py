"""Blueprint for ``/store``: the SPARQL 1.1 Graph Store HTTP Protocol.

Graphs are named three ways (GSP §4 and §5.5):

* indirectly, ``/store?graph=<IRI>`` or ``/store?default``;
* directly, by the request URL itself: ``/store/some/path`` is the graph
  ``<http://host/store/some/path>`` (the URL without its query string);
* ``POST /store`` with neither parameter creates a graph with a new IRI under ``/store/``
  and answers 201 with that IRI in ``Location``.

Reads (GET/HEAD) are public like /sparql; writes (PUT/POST/DELETE) need update mode and the
bearer token, exactly as SPARQL Update does, and go through the same writer (validated,
published by an atomic swap) however the graph is named.
"""
from __future__ import annotations

import uuid

from flask import Blueprint, Response, request

from .. import http
from ..http import GRAPH_FORMATS
from ..errors import HttpError, from_reply
from ..state import current_state
from .endpoint import check_update_allowed

bp = Blueprint("graph_store", __name__)

TRIPLE_FORMATS = tuple(f for f in GRAPH_FORMATS if f.name not in ("trig", "nquads"))
METHODS = ["GET", "HEAD", "PUT", "POST", "DELETE"]
NEW_GRAPH = object()  # POST /store with no graph named: the store names a new one


def _target() -> str | None | object:
    """The graph IRI (None = default graph) named by ``?graph=`` or ``?default``."""
    graphs = request.args.getlist("graph")
    if "default" in request.args and not graphs:
        return None
    if len(graphs) == 1 and graphs[0]:
        return graphs[0]
    if not graphs and request.method == "POST":
        return NEW_GRAPH
    raise HttpError(400, "Name one graph: ?graph=<IRI> or ?default (or use the graph's own URL, "
                         "/store/<path>).")


@bp.route("/store", methods=METHODS)
def graph_store() -> Response:
    """Indirect identification, and POST creating a graph."""
    return _serve(_target())


@bp.route("/store/<path:_path>", methods=METHODS)
def graph_store_direct(_path: str) -> Response:
    """Direct identification: the request URL (without its query) is the graph's IRI."""
    if "graph" in request.args or "default" in request.args:
        raise HttpError(400, "A graph's own URL names it already: drop ?graph= / ?default, or use /store?graph=.")
    return _serve(request.base_url)


def _serve(graph: str | None | object) -> Response:
    backend = current_state().backend
    if request.method in ("GET", "HEAD"):
        chosen = http.negotiate(request.headers.get("Accept"), request.args.get("format"), TRIPLE_FORMATS)
        if chosen is None:
            raise HttpError(406, "Graphs are available as " + ", ".join(f.media_type for f in TRIPLE_FORMATS))
        return from_reply(backend.run({"op": "graph_get", "graph": graph, "media_type": chosen.media_type}),
                          Vary="Accept")
    check_update_allowed()
    if graph is NEW_GRAPH:
        graph = f"{request.host_url.rstrip('/')}/store/{uuid.uuid4().hex}"
        created = True
    else:
        created = False
    if request.method == "DELETE":
        return from_reply(backend.run({"op": "graph_delete", "graph": graph}))
    fmt = http.by_name(request.mimetype or "", TRIPLE_FORMATS)
    if fmt is None or request.mimetype != fmt.media_type and request.mimetype not in fmt.aliases:
        raise HttpError(415, "Send the graph as one of " + ", ".join(f.media_type for f in TRIPLE_FORMATS))
    job = {"op": "graph_load", "graph": graph, "data": request.get_data(), "content_type": fmt.media_type,
           "replace": request.method == "PUT", "base_iri": graph or request.base_url}
    reply = backend.run(job)
    return from_reply(reply, Location=graph) if created and reply.status == 201 else from_reply(reply)
