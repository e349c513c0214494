"""Blueprint for ``/``, the front door: the reports in the store, a search box, the areas of
the site with an example question each; ``/.json`` is its twin (the JSON twin of ``/`` is
``/.json``, as in Datasette). Also ``/favicon.ico``, which browsers ask the root for.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from flask import Blueprint, Response, render_template, request, send_from_directory

from esgkg.graph.errors import QueryError

from .errors import HttpError, answer
from .state import current_state

bp = Blueprint("home", __name__)


@dataclass(frozen=True)
class Area:
    """One area of the site: where it is, what it is for, and a question it answers."""

    path: str
    name: str
    name_zh: str
    summary: str
    example: str
    example_path: str


# The order of the navigation bar; every example works on any store (codes of the shared
# KPI vocabulary and named queries, nothing of one company).
AREAS = (
    Area("/search", "Search", "搜尋", "Every label in every language, and the codes of the KPI vocabulary.",
         "Where does the data speak of greenhouse gases?", "/search?q=greenhouse"),
    Area("/queries", "Questions", "問題", "Named questions with parameters; each answer as a table, CSV, JSON or a picture.",
         "Which material topics does each report name, by pillar?", "/queries/topics-by-pillar"),
    Area("/sdg", "Topics & SDGs", "議題與可持續發展目標",
         "From each material topic to the UN Sustainable Development Goals it serves, with the evidence.",
         "Which SDGs do the reports' material topics reach, and how often?", "/sdg"),
    Area("/compare", "Compare", "比較", "One KPI across companies and years in canonical units; coverage of the HKEX ESG Code.",
         "Greenhouse gas emissions (HKEX KPI A1.2) by company and year", "/compare?kpi=A1.2"),
    Area("/sparql", "SPARQL", "SPARQL", "A SPARQL 1.1 endpoint for your own queries and clients (read-only, time-limited).",
         "Write a query, starting from one of the named questions", "/sparql"),
    Area("/dumps/", "Downloads", "下載", "The whole dataset in six RDF formats (N-Quads, TriG, Turtle, JSON-LD, N-Triples, RDF/XML), with checksums.",
         "Download everything with its SHA-256 sums", "/dumps/"),
    Area("/ontology", "Ontology", "本體", "The terms the data uses, and the vocabularies they reuse.",
         "What is an observation, and which unit is its value in?", "/ontology"),
)


@bp.app_context_processor
def _navigation() -> dict:
    # base.html draws its navigation bar from AREAS: one list of the site's areas.
    return {"site_areas": AREAS}


COUNTS = ("topics", "metrics", "observations", "warnings", "notes")


def _reports() -> tuple[list[dict], str | None]:
    """One entry per report of the report-summary query, numbers as numbers; and, where
    counting over every report is beyond the service's limits, why the counts are left out
    (the reports are then listed from the lighter reports query, without them)."""
    state = current_state()
    try:
        rows = state.rows("report-summary")
    except QueryError as exc:
        if not exc.limited:
            raise HttpError(exc.status if exc.status >= 400 else 503, str(exc)) from exc
        listed = answer(lambda: state.rows("reports"))
        return ([{**r, "frameworks": [f for f in r.get("frameworks", "").split(" | ") if f]} for r in listed],
                exc.reason)
    return [{**{k: v for k, v in r.items() if k not in COUNTS},
             "frameworks": [f for f in r.get("frameworks", "").split(" | ") if f],
             **{k: int(r.get(k, 0)) for k in COUNTS}} for r in rows], None


@bp.route("/")
@bp.route("/.json", endpoint="index_json")
def index() -> Response:
    reports, left_out = _reports()
    version = current_state().version()
    doc = {"reports": reports,
           "counts_left_out": left_out,
           "version": version.id if version else None,
           "published": version.published.isoformat() if version else None,
           "areas": [asdict(a) for a in AREAS]}
    if request.path.endswith(".json"):
        return Response(json.dumps(doc, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8")
    html = render_template("home/index.html", **doc)
    response = Response(html, content_type="text/html; charset=utf-8")
    response.headers["Link"] = '</.json>; rel="alternate"; type="application/json"'
    return response


@bp.route("/favicon.ico")
def favicon() -> Response:
    response = send_from_directory(bp.root_path + "/static", "favicon.ico", mimetype="image/vnd.microsoft.icon")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
