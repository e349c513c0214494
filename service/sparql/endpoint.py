"""Blueprint for ``/sparql`` (SPARQL 1.1 Protocol) and ``/update`` (update mode only).

This module is the HTTP shell: read the operation, apply the service's rules (no SERVICE,
no LOAD, updates only with the token), negotiate the format, and hand a job to the backend
(worker pool or remote engine), which does the work and enforces the limits.
"""
from __future__ import annotations

import hmac

from flask import Blueprint, Response, request

from esgkg.graph.sparql_text import add_using, forbidden_keyword, has_dataset_clause, only_silent_loads, query_form

from .. import http
from ..backends import Reply
from ..errors import HttpError, from_reply
from ..http import BOOLEAN_FORMATS, GRAPH_FORMATS, RESULT_FORMATS
from . import description, page
from .protocol import Operation, read_operation
from ..state import State, current_state

bp = Blueprint("sparql", __name__)

# The keyword check is the friendly early 403; the sandbox of the workers is the guarantee
# (backends/sandbox.py). So the HTTP process, whose time every request shares, checks only
# texts up to this size: crafted megabytes can cost its lexer a second each, and a longer
# text that names SERVICE or LOAD gets its 403 from the worker's refused socket instead.
FRIENDLY_CHECK_MAX = 64 * 1024


def _refused_keyword(text: str) -> str | None:
    return forbidden_keyword(text) if len(text) <= FRIENDLY_CHECK_MAX else None

FORMS_TO_FORMATS = {
    "SELECT": RESULT_FORMATS, "ASK": BOOLEAN_FORMATS,
    "CONSTRUCT": GRAPH_FORMATS, "DESCRIBE": GRAPH_FORMATS,
}


def _services() -> State:
    return current_state()


def endpoint_url() -> str:
    """This endpoint's own URL, used as the base IRI of queries and in the description."""
    return request.host_url.rstrip("/") + "/sparql"


@bp.route("/sparql", methods=["GET", "POST"], strict_slashes=False)
def sparql() -> Response:
    """SPARQL 1.1 Protocol: query (GET/POST), update (POST, update mode), description, page."""
    operation = read_operation(request)  # ProtocolError: the app's error handler answers
    if operation is None:
        if http.prefers_html(request.headers.get("Accept")) and "format" not in request.args:
            return page.render(endpoint_url())
        return description.response(endpoint_url(), _services().config)
    if operation.kind == "update":
        return run_update(operation)
    return run_query(operation)


@bp.route("/update", methods=["POST"])
def update() -> Response:
    """The update-only endpoint (same rules as updates POSTed to /sparql)."""
    operation = read_operation(request)
    if operation is None or operation.kind != "update":
        raise HttpError(400, "POST an update (application/sparql-update or form field 'update').")
    return run_update(operation)


def run_query(operation: Operation) -> Response:
    keyword = _refused_keyword(operation.text)
    if keyword:
        raise HttpError(403, f"{keyword} is not allowed: this service never fetches remote data "
                           "(no federation, no LOAD). Query the data already in the store.")
    form = query_form(operation.text) or "SELECT"  # a malformed query fails in the engine: 400
    formats = FORMS_TO_FORMATS[form]
    chosen = http.negotiate(request.headers.get("Accept"), request.values.get("format"), formats)
    if chosen is None:
        offered = ", ".join(f.media_type for f in formats)
        raise HttpError(406, f"Cannot produce the requested format for a {form} query. "
                           f"Available: {offered} (or format={'|'.join(f.name for f in formats)}).")
    job = {
        "op": "query", "query": operation.text, "media_type": chosen.media_type,
        "default_graphs": operation.default_graphs, "named_graphs": operation.named_graphs,
        "base_iri": endpoint_url(),
    }
    reply = _services().backend.run(job)
    return from_reply(reply, Vary="Accept")


def check_update_allowed() -> None:
    """Return if this request may write; else raise the 403 (read-only service) or the 401."""
    config = _services().config
    if not config.allow_update:
        raise HttpError(403, "SPARQL Update is disabled: this service is read-only. "
                           "Maintainers start it with --allow-update and a bearer token.")
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    expected = config.update_token or ""
    if scheme.lower() != "bearer" or not expected \
            or not hmac.compare_digest(_header_bytes(token.strip()), expected.encode("utf-8")):
        raise HttpError(401, "Updates need 'Authorization: Bearer <token>'.",
                      **{"WWW-Authenticate": 'Bearer realm="esgkg-update"'})
    return None


def _header_bytes(value: str) -> bytes:
    """The bytes a client sent in a header (WSGI hands them over decoded as Latin-1).

    hmac.compare_digest refuses str with non-ASCII characters (TypeError, a 500), so tokens
    are compared as bytes; a UTF-8 token sent as UTF-8 compares equal to the configured one.
    """
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:  # not from the wire (a test client may pass any str)
        return value.encode("utf-8")


def run_update(operation: Operation) -> Response:
    text = operation.text
    # A malformed update is the client's error before any question of permission: 400
    # whatever the mode and the token. The engine's parser decides, executing nothing.
    parsed = _services().backend.run({"op": "update_syntax", "update": text, "base_iri": endpoint_url()})
    if parsed.status != 204:
        return from_reply(parsed)
    if only_silent_loads(text):
        # SPARQL 1.1 Update §3.1.4: LOAD SILENT always succeeds, so fetching nothing and
        # changing nothing is a correct answer, in any mode (it tells and changes nothing).
        return from_reply(Reply.no_content())
    check_update_allowed()
    if operation.default_graphs or operation.named_graphs:
        if has_dataset_clause(text):
            # Protocol §2.2.3: parameters and USING/WITH together are an error.
            raise HttpError(400, "Use either using-graph-uri/using-named-graph-uri or "
                               "USING/WITH in the update, not both.")
        text = add_using(text, operation.default_graphs, operation.named_graphs)
    # Checked on the text the engine will run, USING clauses included.
    keyword = _refused_keyword(text)
    if keyword:
        raise HttpError(403, f"{keyword} is not allowed: this service never fetches remote data.")
    job = {"op": "update", "update": text, "base_iri": endpoint_url(),
           "using": operation.default_graphs, "using_named": operation.named_graphs}
    return from_reply(_services().backend.run(job))
