"""Blueprint for ``/search``: find any resource by a label in any language or by a code.

``/search?q=TEXT`` runs the ``search`` named query (queries/search.rq) and shows one line per
resource, best match first, linked to its page here; ``/search.json`` is the twin. Without
``q`` the page is the search box.
"""
from __future__ import annotations

import json

from flask import Blueprint, Response, render_template, request

from .errors import HttpError, answer
from .linked_data.labels import Labeller
from .state import current_state

bp = Blueprint("search", __name__)

MAX_QUERY = 200  # characters: a name or a code, not a document


def _text() -> str:
    text = " ".join(request.args.get("q", "").split())
    if len(text) > MAX_QUERY:
        raise HttpError(400, f"q: {len(text)} characters; search for a name or a code of at most {MAX_QUERY}")
    return text


def hits(text: str) -> list[dict]:
    """One hit per resource, in the query's order (its best-matching label first), with every
    kind the resource has."""
    state = current_state()
    # The linked-data pages' own rules for a link here and a short name (no labels needed).
    links = Labeller([], state.iris, "en", request.script_root)
    found: dict[str, dict] = {}
    for row in answer(lambda: state.rows("search", {"q": text})):
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
