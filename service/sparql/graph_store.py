"""Blueprint for ``/store``: the SPARQL 1.1 Graph Store HTTP Protocol (indirect identification).

Reads (GET/HEAD) are public like /sparql; writes (PUT/POST/DELETE) need update mode and the
bearer token, exactly as SPARQL Update does.
"""
from __future__ import annotations

from flask import Blueprint, Response, request

from .. import http
from ..http import GRAPH_FORMATS
from ..errors import HttpError, from_reply
from ..state import current_state
from .endpoint import check_update_allowed

bp = Blueprint("graph_store", __name__)

TRIPLE_FORMATS = tuple(f for f in GRAPH_FORMATS if f.name not in ("trig", "nquads"))


def _target() -> str | None:
    """The graph IRI (None = default graph) named by ``?graph=`` or ``?default``."""
    graphs = request.args.getlist("graph")
    if "default" in request.args and not graphs:
        return None
    if len(graphs) == 1 and graphs[0]:
        return graphs[0]
    raise HttpError(400, "Name one graph: ?graph=<IRI> or ?default.")


@bp.route("/store", methods=["GET", "HEAD", "PUT", "POST", "DELETE"])
def graph_store() -> Response:
    graph = _target()
    backend = current_state().backend
    if request.method in ("GET", "HEAD"):
        chosen = http.negotiate(request.headers.get("Accept"), request.args.get("format"), TRIPLE_FORMATS)
        if chosen is None:
            raise HttpError(406, "Graphs are available as " + ", ".join(f.media_type for f in TRIPLE_FORMATS))
        return from_reply(backend.run({"op": "graph_get", "graph": graph, "media_type": chosen.media_type}),
                      Vary="Accept")
    check_update_allowed()
    if request.method == "DELETE":
        return from_reply(backend.run({"op": "graph_delete", "graph": graph}))
    fmt = http.by_name(request.mimetype or "", TRIPLE_FORMATS)
    if fmt is None or request.mimetype != fmt.media_type and request.mimetype not in fmt.aliases:
        raise HttpError(415, "Send the graph as one of " + ", ".join(f.media_type for f in TRIPLE_FORMATS))
    job = {"op": "graph_load", "graph": graph, "data": request.get_data(), "content_type": fmt.media_type,
           "replace": request.method == "PUT", "base_iri": graph or request.base_url}
    return from_reply(backend.run(job))
