"""Blueprint for /compare: one KPI across companies and years, and what the reports share.

``/compare`` without ``kpi`` is the overview: the HKEX KPIs that have values (the chooser),
HKEX disclosure coverage per company, SDGs per company and the material topics companies
share. ``/compare?kpi=A1.2`` (an HKEX code, ``scheme:code`` or a provision IRI) is the KPI's
values by company and year in canonical units, with a chart (``/compare/A1.2.svg`` and
``.png``, one panel per unit). ``/compare.json`` is the twin of both. All take ``?report=ID``.
Every row names its company and year: the pages mix reports.
"""
from __future__ import annotations

import json
import re
from typing import Callable, TypeVar
from urllib.parse import quote, urlencode

from flask import Blueprint, Response, render_template, request

from esgkg.graph import named_queries, plots
from esgkg.graph.errors import QueryError

from .errors import HttpError, answer
from .state import current_state

bp = Blueprint("compare", __name__)

QUERIES = ("kpi-across-companies", "hkex-coverage", "shared-material-topics", "sdgs-per-company")
COVERAGE = ("disclosed", "explained", "unexplained", "not-in-index")
T = TypeVar("T")
# Rows of a unit's table on the HTML page (the JSON and CSV have every row): at 1,000 reports a
# KPI has ~10,000 values, a page of several MB that no one reads row by row.
TABLE_ROWS = 500
_REPORT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")


def _json(doc: object) -> Response:
    return Response(json.dumps(doc, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8")


def _html(template: str, **context: object) -> Response:
    return Response(render_template(template, **context), content_type="text/html; charset=utf-8")


def _report() -> str | None:
    report = request.args.get("report", "").strip() or None
    if report is not None and not _REPORT_ID.match(report):
        raise HttpError(400, f"report: {report!r} is not a report id (letters, digits, '.', '_', '-')")
    return report


def _rows(name: str, report: str | None, **params: str) -> list[dict[str, str]]:
    return current_state().rows(name, {**params, **({"report": report} if report else {})})


def picture_path(code: str) -> str:
    """The chart's path for a ``scheme:code`` KPI; HKEX codes go without their scheme."""
    short = code.removeprefix(plots.HKEX_SCHEME + ":")
    return "/compare/" + quote(short, safe=":")


def _query_string(report: str | None) -> str:
    return ("?" + urlencode({"report": report})) if report else ""


# -- the overview --------------------------------------------------------------------------------

def _coverage(report: str | None) -> list[dict]:
    """Per report: how many HKEX provisions are disclosed, explained, unexplained, not in the index."""
    summary: dict[str, dict] = {}
    for r in _rows("hkex-coverage", report):
        entry = summary.setdefault(r["report"], {
            "company": r.get("company_en", ""), "company_as_printed": r.get("company_as_printed", ""), "report": r["report"],
            "year": int(r["year"]), **{c: 0 for c in COVERAGE}})
        entry[r["coverage"]] += 1
    return sorted(summary.values(), key=lambda e: (e["company"], e["report"]))


def _sdgs(report: str | None, coverage: list[dict]) -> tuple[list[int], list[dict]]:
    """All 17 goals, and per report (every report, also one whose topics reach none: the gap
    shows) the topics behind each goal."""
    reports: dict[str, dict] = {e["report"]: {**{k: e[k] for k in ("company", "company_as_printed", "report", "year")},
                                              "goals": {}} for e in coverage}
    for r in _rows("sdgs-per-company", report):
        goal = int(r["goal"])
        entry = reports.setdefault(r["report"], {
            "company": r.get("company_en", ""), "company_as_printed": r.get("company_as_printed", ""), "report": r["report"],
            "year": int(r["year"]), "goals": {}})
        entry["goals"][goal] = {"topics": int(r["topics"]), "topics_en": r.get("topics_en", ""),
                                "name": r.get("goal_en", "")}
    return list(range(1, 18)), sorted(reports.values(), key=lambda e: (e["company"], e["report"]))


def _shared(report: str | None) -> list[dict]:
    """Keys shared by topics of two or more companies, each with the topics that share it."""
    shared: dict[tuple[str, str], dict] = {}
    for r in _rows("shared-material-topics", report):
        entry = shared.setdefault((r["basis"], r["shared"]), {
            "basis": r["basis"], "shared": r["shared"], "companies": int(r["companies"]), "topics": []})
        entry["topics"].append({"company": r.get("company_en", ""), "company_as_printed": r.get("company_as_printed", ""),
                                "report": r["report"], "year": int(r["year"]), "topic": r.get("topic_en", ""),
                                "topic_as_printed": r.get("topic_as_printed", "")})
    order = {"label": 0, "sdg": 1, "hkex": 2}  # the closest kind of sharing first
    return sorted(shared.values(), key=lambda e: (order.get(e["basis"], 3), -e["companies"]))


def _section(name: str, call: Callable[[], T], empty: T, left_out: dict[str, str]) -> T:
    """One section of the overview; a section beyond the service's limits (time, rows) is left
    out and listed with the limit that stopped it, and the rest of the page still answers."""
    try:
        return answer(call)
    except HttpError as exc:
        cause = exc.__cause__
        if not (isinstance(cause, QueryError) and cause.limited):
            raise
        left_out[name] = cause.reason
        return empty


def _overview(report: str | None, as_json: bool) -> Response:
    state = current_state()
    left_out: dict[str, str] = {}
    choices = _section("kpis", lambda: state.kpi_choices(report), [], left_out)
    coverage = _section("hkex_coverage", lambda: _coverage(report), [], left_out)
    goals, sdgs = _section("sdgs", lambda: _sdgs(report, coverage), (list(range(1, 18)), []), left_out)
    shared = _section("shared_topics", lambda: _shared(report), [], left_out)
    if as_json:
        return _json({
            "report": report,
            "left_out": left_out,
            "kpis": [{"kpi": c.code, "label": c.label, "companies": list(c.companies), "values": c.values,
                      "units": list(c.units), "url": f"/compare?kpi={quote(c.short_code, safe=':')}"} for c in choices],
            "hkex_coverage": coverage,
            "sdgs": [{**e, "goals": {str(g): v for g, v in e["goals"].items()}} for e in sdgs],
            "shared_topics": shared,
        })
    return _html("compare/index.html", choices=choices, coverage=coverage, coverage_kinds=COVERAGE, goals=goals,
                 sdgs=sdgs, shared=shared, report=report, qs=_query_string(report), queries=QUERIES,
                 left_out=left_out)


# -- one KPI ---------------------------------------------------------------------------------------

def _kpi(kpi: str, report: str | None, as_json: bool) -> Response:
    state = current_state()
    comparison = answer(lambda: state.kpi_comparison(kpi, report))
    if as_json:
        return _json(comparison.as_json())
    picture = picture_path(comparison.code)
    left_out: dict[str, str] = {}
    choices = _section("kpis", lambda: state.kpi_choices(None), [], left_out)
    # By the provision's IRI: the named query then starts from it (kpi= matches text against every provision).
    query_link = "/queries/kpi-across-companies?" + urlencode({"provision": comparison.provision, **({"report": report} if report else {})})
    json_link = "/compare.json?" + urlencode({"kpi": comparison.code, **({"report": report} if report else {})})
    return _html("compare/kpi.html", comparison=comparison, panels=comparison.panels(), picture=picture,
                 qs=_query_string(report), choices=choices, report=report, query_link=query_link,
                 json_link=json_link, matches=_crosswalk(comparison.code), left_out=left_out,
                 table_rows=TABLE_ROWS)


def _crosswalk(code: str) -> list[dict[str, str]]:
    """The HKEX KPI's matches in other frameworks, where the reference data has a crosswalk
    (the kpi-crosswalk query); the values on the page count direct links only."""
    if not code.startswith(plots.HKEX_SCHEME + ":") or named_queries.find("kpi-crosswalk") is None:
        return []
    rows = _rows("kpi-crosswalk", None, code=code.removeprefix(plots.HKEX_SCHEME + ":"))
    state = current_state()
    counts = answer(lambda: plots.provision_value_counts(state.sparql.select, [r["match"] for r in rows],
                                                         state.iris.base))
    # A match is linked only where there is a comparison to see.
    return [{**r, "kpi": f"{r['match_scheme']}:{r['match_code']}", "values": counts.get(r["match"], 0)} for r in rows]


@bp.route("/compare")
@bp.route("/compare.json", endpoint="compare_json")
def page() -> Response:
    as_json = request.path.endswith(".json")
    report = _report()
    if "kpi" in request.args:
        kpi = request.args["kpi"].strip()
        if not kpi:
            raise HttpError(400, "kpi: empty; give an HKEX code (A1.2), scheme:code (gri:305-1), or leave kpi "
                                 "out for the list of KPIs that have values")
        return _kpi(kpi, report, as_json)
    return _overview(report, as_json)


@bp.route("/compare/<kpi>.<fmt>")
def picture(kpi: str, fmt: str) -> Response:
    """The chart of one KPI: /compare/A1.2.svg, /compare/gri:305-2.png."""
    if fmt not in plots.FORMATS:
        raise HttpError(404, f"/compare/{kpi}.{fmt}: the chart comes as "
                             f"{' or '.join('.' + f for f in plots.FORMATS)}; the page is /compare?kpi={kpi}.{fmt}")
    report = _report()
    asked = answer(lambda: plots.parse_kpi(kpi))
    data = answer(lambda: current_state().picture("compare", fmt, report, asked))
    response = Response(data, content_type=plots.FORMATS[fmt])
    response.headers["Cache-Control"] = "public, max-age=300"
    return response

