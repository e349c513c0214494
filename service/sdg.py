"""Blueprint for /sdg: topic ⇄ SDG traces, coverage, centrality and pictures.

``/sdg`` is the overview (coverage heat map, topic–SDG network, materiality, ranking);
``/sdg/topic/NAME``, ``/sdg/goal/NAME`` and ``/sdg/stakeholder/NAME`` trace one thing
(NAME: id, label in either language, IRI, or for goals "13" / "SDG 13"); every page has a
``.json`` twin; pictures are ``/sdg/KIND.png|svg`` and ``/sdg/trend/METRIC.png|svg``.
All take ``?report=ID``. Everything is computed from the projection cached per store version.
"""
from __future__ import annotations

import json
from urllib.parse import urlencode

from flask import Blueprint, Response, redirect, render_template, request, url_for

from esgkg.graph import plots, traversal
from esgkg.graph.errors import EsgkgError
from esgkg.graph.projection import Node, Projection
from esgkg.graph.sparql import QueryError

from . import http
from .errors import HttpError
from .state import current_state

bp = Blueprint("sdg", __name__)

KIND_ROUTES = {"topic": "topic", "goal": "goal", "stakeholder": "stakeholder"}


def _json(doc: object) -> Response:
    return Response(json.dumps(doc, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8")


def _report() -> str | None:
    return request.args.get("report", "").strip() or None


def _lang_context() -> dict:
    """What every /sdg page needs to speak the reader's language (``?lang=zh`` or
    Accept-Language, negotiated by service/http.py): ``tr(en, zh)`` picks the words, and the
    link to the same page in the other language."""
    lang = http.language(request)
    args = {k: v for k, v in request.args.items() if k != "lang"}
    args["lang"] = "en" if lang == "zh-hant" else "zh"
    return {"lang": lang, "page_lang": "zh-Hant" if lang == "zh-hant" else "en",
            "tr": lambda en, zh: zh if lang == "zh-hant" else en,
            "other_lang_url": request.path + "?" + urlencode(args),
            "lang_qs": "" if lang == "en" else "lang=zh"}


class BeyondLimits(HttpError):
    """Something asked of every report that is beyond the service's limits; says what to ask
    instead in the page's own terms (a reader of /sdg wrote no query to add LIMIT to)."""

    def __init__(self, exc: QueryError, what: str) -> None:
        self.reason = exc.reason
        super().__init__(exc.status, f"{what} for every report in this store is beyond this service's limits "
                                     f"({self.reason}); ask about one report: add report=ID "
                                     "(the reports and their ids: /sdg or /queries/reports)")


def _projection(report: str | None = None) -> Projection:
    try:
        return current_state().projection(report)
    except QueryError as exc:
        if exc.limited and report is None:
            raise BeyondLimits(exc, "This page") from exc
        raise HttpError(exc.status if exc.status >= 400 else 503, str(exc)) from exc


def node_url(node: Node) -> str:
    """The page of a topic, goal or stakeholder group."""
    name = node.number if node.kind == "goal" else node.slug
    # A goal belongs to no report: its page keeps the report being read, if one is.
    args = {"report": node.report} if node.kind != "goal" else ({"report": _report()} if _report() else {})
    if request.args.get("lang"):
        args["lang"] = request.args["lang"]  # the reader stays in the language they chose
    return url_for("sdg.trace_page", kind=node.kind, name=name, **args)


@bp.route("/sdg")
@bp.route("/sdg.json", endpoint="overview_json")
def overview() -> Response:
    report = _report()
    try:
        projection = _projection(report)
    except BeyondLimits as exc:
        return _choose_report(exc.reason)
    matrix = traversal.coverage_matrix(projection, report)
    ranks = traversal.rank_topics(projection, report)
    groups = [(g, traversal.trace_stakeholder(projection, g.iri)) for g in projection.of_kind("stakeholder", report)]
    if request.path.endswith(".json"):
        return _json({"report": report, "coverage": matrix.as_json(), "ranking": [r.as_json() for r in ranks],
                      "stakeholders": [t.as_json() for _, t in groups]})
    qs = f"?report={report}" if report else ""
    names = current_state().report_names()
    html = render_template("sdg/index.html", matrix=matrix, ranks=ranks, groups=groups, node_url=node_url,
                           reports=sorted(names), report=report, qs=qs,
                           report_name=lambda r: names.get(r or "", r or ""), **_lang_context())
    return Response(html, content_type="text/html; charset=utf-8")


def _choose_report(reason: str) -> Response:
    """/sdg of a store too large to show at once: every report, each a link to its own overview."""
    names = current_state().report_names()
    if request.path.endswith(".json"):
        return _json({"report": None, "beyond_limits": reason,
                      "reports": [{"report": r, "name": names[r], "url": f"/sdg.json?report={r}"} for r in sorted(names)]})
    html = render_template("sdg/reports.html", names=names, by_name=sorted((n, r) for r, n in names.items()),
                           reason=reason, **_lang_context())
    return Response(html, content_type="text/html; charset=utf-8")


@bp.route("/sdg/trace")
def search() -> Response:
    """Resolve a free-text name and redirect to its page (the search box of /sdg)."""
    name = request.args.get("name", "").strip()
    projection = _projection(_report())
    nodes = traversal.resolve(projection, name, _report())
    if not nodes:
        raise HttpError(404, f"Nothing named {name!r}: try a topic, a stakeholder group or an SDG number.")
    if len({(n.kind, n.slug, n.report) for n in nodes}) > 1:  # several kinds, or several reports
        return choices_page(name, nodes, projection)
    return redirect(node_url(nodes[0]))


def choices_page(name: str, nodes: list[Node], projection: Projection) -> Response:
    """The page that lists every node a search matched, each with its company and year
    (labels come from report data: escaped)."""
    html = render_template("sdg/choose.html", name=name, nodes=nodes, node_url=node_url,
                           report_name=projection.report_name, **_lang_context())
    return Response(html, content_type="text/html; charset=utf-8")


def _trace_page(kind: str, name: str, as_json: bool) -> Response:
    projection = _projection(_report())
    nodes = traversal.resolve(projection, name, _report(), kinds=(kind,))
    if not nodes:
        raise HttpError(404, f"No {kind} named {name!r}.")
    if len({n.report for n in nodes}) > 1:
        # The same name in several reports: never pick one company silently.
        if as_json:
            raise HttpError(400, f"{len(nodes)} reports have a {kind} named {name!r}: "
                            f"add report= (one of {', '.join(sorted(str(n.report) for n in nodes))}).")
        return choices_page(name, nodes, projection)
    node = nodes[0]
    if kind == "topic":
        trace = traversal.trace_topic(projection, node.iri)
    elif kind == "goal":
        trace = traversal.trace_goal(projection, node.iri, _report())
    else:
        trace = traversal.trace_stakeholder(projection, node.iri)
    if as_json:
        return _json(trace.as_json())
    html = render_template("sdg/trace.html", kind=kind, node=node, trace=trace, node_url=node_url,
                           report_name=projection.report_name,
                           json_url=request.path + ".json" + (f"?{request.query_string.decode()}" if request.query_string else ""),
                           **_lang_context())
    return Response(html, content_type="text/html; charset=utf-8")


@bp.route("/sdg/<any(topic, goal, stakeholder):kind>/<name>")
def trace_page(kind: str, name: str) -> Response:
    """/sdg/topic/NAME, /sdg/goal/NAME, /sdg/stakeholder/NAME (and their .json twins)."""
    as_json = name.endswith(".json")
    return _trace_page(kind, name.removesuffix(".json"), as_json)


def _image(kind: str, fmt: str, metric: str | None = None) -> Response:
    if fmt not in plots.FORMATS:
        raise HttpError(404, f"Pictures come as {' or '.join('.' + f for f in plots.FORMATS)}.")
    try:
        data = current_state().picture(kind, fmt, _report(), metric)
    except plots.PlotError as exc:
        raise HttpError(404, str(exc)) from exc
    except QueryError as exc:
        if exc.limited and _report() is None:
            raise BeyondLimits(exc, "This picture") from exc
        raise HttpError(exc.status, str(exc)) from exc
    except EsgkgError as exc:
        raise HttpError(400, str(exc)) from exc
    response = Response(data, content_type=plots.FORMATS[fmt])
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.route("/sdg/<any(network, coverage, materiality):kind>.<fmt>")
def picture(kind: str, fmt: str) -> Response:
    return _image(kind, fmt)


@bp.route("/sdg/trend/<metric>.<fmt>")
def trend_picture(metric: str, fmt: str) -> Response:
    return _image("trend", fmt, metric)
