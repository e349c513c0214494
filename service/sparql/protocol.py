"""Read a SPARQL 1.1 Protocol request: which operation, its text and its dataset.

Pure request parsing, no execution, so the rules of Protocol §2.1/§2.2 live in one place.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox
from flask import Request

from ..errors import HttpError
from werkzeug.datastructures import MultiDict


class ProtocolError(HttpError):
    """A request the protocol says to refuse; carries the HTTP status."""


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


def _graph_iris(values: list[str], name: str) -> list[str]:
    """The values of a dataset parameter, each checked to be an absolute IRI.

    They become graph names for the engine and are spliced into update text as ``<IRI>``
    (using-graph-uri), so an empty, relative or malformed one must stop here: a character
    such as '>' or a space would otherwise end the IRI and let the value write SPARQL.
    """
    for value in values:
        try:
            ox.NamedNode(value)
        except ValueError as exc:
            shown = value if len(value) <= 200 else value[:200] + "..."
            raise ProtocolError(400, f"'{name}' must be an absolute IRI such as http://example.org/graph; "
                                     f"got {shown!r} ({exc}).") from None
    return values


def _operation(kind: str, text: str, sources: list[MultiDict[str, str]], default: str, named: str) -> Operation:
    """An operation whose dataset is read from the ``default`` and ``named`` parameters of ``sources``."""
    return Operation(kind, text,
                     _graph_iris([v for source in sources for v in source.getlist(default)], default),
                     _graph_iris([v for source in sources for v in source.getlist(named)], named))


def read_operation(request: Request) -> Operation | None:
    """The operation a GET or POST to the endpoint carries; None for a bare GET."""
    args = request.args
    if request.method == "GET":
        if "update" in args:
            raise ProtocolError(400, "SPARQL Update must be sent with POST, never GET.")
        if "query" not in args:
            return None
        return _operation("query", _one(args.getlist("query"), "query"), [args],
                          "default-graph-uri", "named-graph-uri")

    mimetype = request.mimetype
    if mimetype == "application/x-www-form-urlencoded":
        _charset_ok(request)
        form = request.form
        has_query, has_update = "query" in form, "update" in form
        if has_query and has_update:
            raise ProtocolError(400, "Send either 'query' or 'update', not both.")
        if has_query:
            return _operation("query", _one(form.getlist("query"), "query"), [args, form],
                              "default-graph-uri", "named-graph-uri")
        if has_update:
            return _operation("update", _one(form.getlist("update"), "update"), [args, form],
                              "using-graph-uri", "using-named-graph-uri")
        raise ProtocolError(400, "A form-encoded POST needs a 'query' or an 'update' field.")
    if mimetype in ("application/sparql-query", "application/sparql-update"):
        _charset_ok(request)
        try:
            text = request.get_data(cache=True).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ProtocolError(415, f"The request body is not UTF-8: {exc}") from exc
        if mimetype == "application/sparql-query":
            return _operation("query", text, [args], "default-graph-uri", "named-graph-uri")
        return _operation("update", text, [args], "using-graph-uri", "using-named-graph-uri")
    raise ProtocolError(
        415,
        "POST a query as application/sparql-query or application/x-www-form-urlencoded "
        f"(query=...), an update as application/sparql-update; got {mimetype or 'no Content-Type'}.",
    )
