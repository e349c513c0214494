"""Read a SPARQL 1.1 Protocol request: which operation, its text and its dataset.

Pure request parsing, no execution, so the rules of Protocol §2.1/§2.2 live in one place.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import Request


class ProtocolError(Exception):
    """A request the protocol says to refuse; carries the HTTP status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Operation:
    kind: str  # "query" or "update"
    text: str
    default_graphs: list[str] = field(default_factory=list)  # default-graph-uri / using-graph-uri
    named_graphs: list[str] = field(default_factory=list)  # named-graph-uri / using-named-graph-uri


def _charset_ok(request: Request) -> None:
    charset = request.mimetype_params.get("charset")
    if charset and charset.strip().lower().replace("_", "-") not in ("utf-8", "utf8", "us-ascii"):
        raise ProtocolError(415, f"Only UTF-8 is accepted, not charset={charset}.")


def _one(values: list[str], name: str) -> str:
    if len(values) != 1:
        raise ProtocolError(400, f"Exactly one '{name}' parameter is allowed, got {len(values)}.")
    return values[0]


def read_operation(request: Request) -> Operation | None:
    """The operation a GET or POST to the endpoint carries; None for a bare GET."""
    args = request.args
    if request.method == "GET":
        if "update" in args:
            raise ProtocolError(400, "SPARQL Update must be sent with POST, never GET.")
        if "query" not in args:
            return None
        return Operation("query", _one(args.getlist("query"), "query"),
                         args.getlist("default-graph-uri"), args.getlist("named-graph-uri"))

    mimetype = request.mimetype
    if mimetype == "application/x-www-form-urlencoded":
        _charset_ok(request)
        form = request.form
        has_query, has_update = "query" in form, "update" in form
        if has_query and has_update:
            raise ProtocolError(400, "Send either 'query' or 'update', not both.")
        if has_query:
            return Operation("query", _one(form.getlist("query"), "query"),
                             args.getlist("default-graph-uri") + form.getlist("default-graph-uri"),
                             args.getlist("named-graph-uri") + form.getlist("named-graph-uri"))
        if has_update:
            return Operation("update", _one(form.getlist("update"), "update"),
                             args.getlist("using-graph-uri") + form.getlist("using-graph-uri"),
                             args.getlist("using-named-graph-uri") + form.getlist("using-named-graph-uri"))
        raise ProtocolError(400, "A form-encoded POST needs a 'query' or an 'update' field.")
    if mimetype in ("application/sparql-query", "application/sparql-update"):
        _charset_ok(request)
        try:
            text = request.get_data(cache=True).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ProtocolError(415, f"The request body is not UTF-8: {exc}") from exc
        if mimetype == "application/sparql-query":
            return Operation("query", text, args.getlist("default-graph-uri"),
                             args.getlist("named-graph-uri"))
        return Operation("update", text, args.getlist("using-graph-uri"),
                         args.getlist("using-named-graph-uri"))
    raise ProtocolError(
        415,
        "POST a query as application/sparql-query or application/x-www-form-urlencoded "
        f"(query=...), an update as application/sparql-update; got {mimetype or 'no Content-Type'}.",
    )
