"""Blueprint for ``/search``: find any resource by a label in any language or by a code.

``/search?q=TEXT`` runs the ``search`` named query (queries/search.rq) and shows one line per
resource, best match first, linked to its page here; ``/search.json`` is the twin. Without
``q`` the page is the search box.
"""
from __future__ import annotations

import json

from flask import Blueprint, Response, render_template, request

from esgkg.graph import search_index
from esgkg.graph.dumps import Preparing
from esgkg.graph.errors import QueryError

from .errors import HttpError
from .linked_data.labels import Labeller
from .state import current_state

bp = Blueprint("search", __name__)

MAX_QUERY = 200  # characters: a name or a code, not a document


def _text() -> str:
    text = " ".join(request.args.get("q", "").split())
    if len(text) > MAX_QUERY:
        raise HttpError(400, f"q: {len(text)} characters; search for a name or a code of at most {MAX_QUERY}")
    return text


def _rows(text: str) -> list[dict[str, str]]:
    """search.rq's rows: from the version's search index once written, else by the query; a
    store whose every label is too many to scan within the limits gets a 503 while its index
    is written (the downloads' writer makes it, once per version)."""
    state = current_state()
    index = state.search_index()
    if index is not None:
        return search_index.search(index, text)
    try:
        return state.rows("search", {"q": text})
    except QueryError as exc:
        version = state.version()
        if not exc.limited or version is None or state.dumps is None:
            raise HttpError(exc.status if exc.status >= 400 else 503, str(exc)) from exc
        writer = state.dump_files(version, wait=0)  # starts the writer that makes the index
        reason = exc.reason
        if isinstance(writer, Preparing) and writer.failed and not writer.retry:
            raise HttpError(503, f"Searching every label of this store is beyond this service's limits ({reason}), "
                                 f"and its search index could not be written: {writer.failed}.") from exc
        raise HttpError(503, f"Searching every label of this store is beyond this service's limits ({reason}); "
                             "its search index is being written, once per store version. Try again in a minute.",
                        **{"Retry-After": "60"}) from exc


def hits(text: str) -> list[dict]:
    """One hit per resource, in the query's order (its best-matching label first), with every
    kind the resource has."""
    state = current_state()
    # The linked-data pages' own rules for a link here and a short name (no labels needed).
    links = Labeller([], state.iris, "en", request.script_root)
    found: dict[str, dict] = {}
    for row in _rows(text):
        iri = row["resource"]
        hit = found.get(iri)
        if hit is None:
            hit = found[iri] = {"resource": iri, "href": links.href(iri), "curie": links.curie(iri),
                                "label": row["label"], "language": row.get("label_language", ""),
                                "report": row.get("report", ""), "kinds": []}
        if row.get("kind") and row["kind"] not in hit["kinds"]:
            hit["kinds"].append(row["kind"])
    return list(found.values())


@bp.route("/search")
@bp.route("/search.json", endpoint="search_json")
def page() -> Response:
    text = _text()
    results = hits(text) if text else []
    if request.path.endswith(".json"):
        if not text:
            raise HttpError(400, "q: missing; /search.json?q=TEXT finds labels and codes that contain TEXT")
        doc = {"q": text, "results": results}
        return Response(json.dumps(doc, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8")
    html = render_template("search/index.html", q=text, results=results)
    return Response(html, content_type="text/html; charset=utf-8")
