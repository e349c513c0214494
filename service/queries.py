"""Blueprint for /queries: the named-query library as pages, JSON, CSV and pictures.

``/queries`` lists the questions; ``/queries/NAME`` answers one as an HTML table with its
SPARQL (parameters from the query string, e.g. ``?topic=climate-change``);
``/queries/NAME.json`` and ``.csv`` are the same answer as data; ``/queries/NAME.png`` and
``.svg`` draw the picture that belongs to the question, where there is one.
"""
from __future__ import annotations

import json

from flask import Blueprint, Response, render_template, request

from esgkg.graph import named_queries, plots
from esgkg.graph.errors import EsgkgError
from esgkg.graph.sparql import QueryError, Table
from esgkg.graph.result_format import cell_text, is_iri_column, to_csv, to_json

from .errors import HttpError
from . import http
from .linked_data import routes as linked_data
from .state import current_state

bp = Blueprint("queries", __name__)

# The picture that goes with a question: (plot kind, parameter that carries the metric,
# parameters the picture draws). A parameter beyond report and metric draws only the topics
# and goals of the answer's rows; one the picture cannot draw means no picture (never one
# that looks filtered and is not).
PICTURES = {
    "topics-by-pillar": ("materiality", None, ("report", "pillar")),
    "sdg-coverage": ("coverage", None, ("report",)),
    "topic-sdgs": ("network", None, ("report", "topic", "sdg")),
    "sdg-topics": ("network", None, ("report", "sdg")),
    "metric-trend": ("trend", "metric", ("report", "metric")),
    "value-provenance": ("trend", "metric", ("report", "metric")),
}
_WHOLE = ("report", "metric")  # parameters the pictures take themselves


def _params(query: named_queries.NamedQuery) -> dict[str, str]:
    """The query string as the query's parameters (empty ones dropped); a name the query does
    not declare, or one given twice, is a 400 naming what it accepts (graph/named_queries.py)."""
    try:
        return named_queries.given_values(request.args.items(multi=True), query)
    except named_queries.NamedQueryError as exc:
        raise HttpError(400, str(exc)) from exc


def _load(name: str) -> named_queries.NamedQuery:
    try:
        return named_queries.get(name, base=current_state().iris.base)
    except named_queries.NamedQueryError:
        raise HttpError(404, f"No named query {name!r}. See /queries for the list.") from None


def _index_json(queries: list[named_queries.NamedQuery]) -> Response:
    doc = [{"name": q.name, "title": {"en": q.title, "zh": q.title_zh}, "description": q.description,
            "parameters": [{"name": p.name, "type": p.type, "default": p.default, "description": p.description,
                            "accepts": p.accepted(), **({"one_of": list(p.choices)} if p.choices else {}),
                            **({"ids": p.ids} if p.ids else {})}
                           for p in q.params]} for q in queries]
    return Response(json.dumps(doc, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8")


@bp.route("/queries")
def index() -> Response:
    queries = list(named_queries.load_all(base=current_state().iris.base).values())
    if request.args.get("format") == "json" or request.accept_mimetypes.best == "application/json":
        return _index_json(queries)
    return Response(render_template("queries/index.html", queries=queries, pictures=PICTURES),
                    content_type="text/html; charset=utf-8")


@bp.route("/queries.json")
def index_json() -> Response:
    return _index_json(list(named_queries.load_all(base=current_state().iris.base).values()))


def _run(query: named_queries.NamedQuery, params: dict[str, str]):
    """(SPARQL, result table); a bad parameter or a failed query ends the request with its status."""
    state = current_state()
    select = state.sparql.select
    try:
        sparql = named_queries.prepare(query, params, select, state.scopes_reports())
        return sparql, select(sparql)
    except named_queries.NamedQueryError as exc:
        raise HttpError(400, str(exc)) from exc
    except QueryError as exc:
        # Past the time limit or the row cap, the advice of the endpoint (patterns, LIMIT) is no
        # use to someone who wrote no SPARQL: say which of the question's parameters narrow it.
        hint = named_queries.narrowing_hint(query, params) if exc.limited else ""
        raise HttpError(exc.status, str(exc) + hint) from exc


def _run_checks(query: named_queries.NamedQuery, params: dict[str, str]) -> None:
    """The parameter rules without running the question (a 400 as for its table)."""
    try:
        state = current_state()
        named_queries.prepare(query, params, state.sparql.select, state.scopes_reports())
    except named_queries.NamedQueryError as exc:
        raise HttpError(400, str(exc)) from exc


def _rdf_requested(ext: str | None = None) -> bool:
    """A named query's IRI also dereferences to RDF (its SHACL-SPARQL description)."""
    if ext is not None:
        return ext in http.BY_KEY and ext != "html"
    accept = request.headers.get("Accept", "").strip()
    if accept in ("", "*/*"):
        return False  # the query page is for people first; RDF only when asked for
    fmt = http.negotiate_resource(accept)
    return fmt is not None and fmt is not http.HTML


@bp.route("/queries/<name>")
def page(name: str) -> Response:
    if _rdf_requested():
        return linked_data.resource(f"queries/{name}")
    query = _load(name)
    params = _params(query)
    missing = [p for p in query.params if p.required and not params.get(p.name)]
    if missing:
        # The page is where a person fills in the form: asked without a required value it shows
        # the question and its form, not an error (its .json and .csv twins answer 400).
        return _form_only(query, params, missing)
    sparql, table = _run(query, params)
    columns = [v for v in table.variables if not is_iri_column(table, v)]
    links = [v for v in table.variables if is_iri_column(table, v)]
    picture = _picture_url(query, params)
    html = render_template("queries/query.html", query=query, params=params, sparql=sparql, table=table,
                           columns=columns, links=links, cell_text=cell_text, picture=picture,
                           query_string=request.query_string.decode(),
                           empty_hint=named_queries.empty_hint(query, params) if not len(table) else "")
    return Response(html, content_type="text/html; charset=utf-8")


def _form_only(query: named_queries.NamedQuery, params: dict[str, str],
               missing: list[named_queries.Param]) -> Response:
    hint = "Give " + " and ".join(f"{p.name} ({p.description})" for p in missing) + " to ask this question."
    html = render_template("queries/query.html", query=query, params=params, sparql=query.text,
                           table=Table([]), columns=[], links=[],
                           cell_text=cell_text, picture=None, query_string=request.query_string.decode(),
                           empty_hint=hint)
    return Response(html, content_type="text/html; charset=utf-8")


def _undrawn(query: named_queries.NamedQuery, params: dict[str, str]) -> list[str]:
    """The given parameters the question's picture cannot draw."""
    drawn = PICTURES.get(query.name, (None, None, ()))[2]
    return [name for name in params if name not in drawn]


def _picture_url(query: named_queries.NamedQuery, params: dict[str, str]) -> str | None:
    kind, needs, _ = PICTURES.get(query.name, (None, None, ()))
    if kind is None or (needs and not params.get(needs)) or _undrawn(query, params):
        return None
    qs = request.query_string.decode()
    return f"/queries/{query.name}.svg" + (f"?{qs}" if qs else "")


@bp.route("/queries/<name>.<ext>")
def twin(name: str, ext: str) -> Response:
    if _rdf_requested(ext):
        return linked_data.resource(f"queries/{name}.{ext}")
    query = _load(name)
    params = _params(query)
    if ext in plots.FORMATS:
        return _picture(query, params, ext)
    if ext not in ("json", "csv"):
        raise HttpError(404, f"/queries/{name} comes as .json, .csv (and .png/.svg where it has a picture)")
    _, table = _run(query, params)
    if ext == "csv":
        response = Response(to_csv(table), content_type="text/csv; charset=utf-8")
        response.headers["Content-Disposition"] = f'inline; filename="{name}.csv"'
        return response
    return Response(json.dumps(to_json(query, params, table), ensure_ascii=False, indent=2),
                    content_type="application/json; charset=utf-8")


def _picture(query: named_queries.NamedQuery, params: dict[str, str], fmt: str) -> Response:
    kind, needs, drawn = PICTURES.get(query.name, (None, None, ()))
    if kind is None:
        raise HttpError(404, f"{query.name} has no picture")
    if _undrawn(query, params):
        raise HttpError(404, f"the picture of {query.name} draws only {', '.join(drawn)}; "
                             f"ask for it without {', '.join(_undrawn(query, params))}")
    metric = params.get(needs) if needs else None
    part = None
    if any(name not in _WHOLE for name in params):
        # Only what the answer holds: the topics and goals named in its rows.
        def answer_iris() -> set[str]:
            _, table = _run(query, params)
            return {cell["value"] for row in table.rows for cell in row.values() if cell.get("type") == "uri"}
        part = (tuple(sorted(params.items())), answer_iris)
    else:
        _run_checks(query, params)
    try:
        data = current_state().picture(kind, fmt, params.get("report"), metric, part)
    except QueryError as exc:
        raise HttpError(exc.status, str(exc)) from exc
    except EsgkgError as exc:
        raise HttpError(404 if isinstance(exc, plots.PlotError) else 400, str(exc)) from exc
    response = Response(data, content_type=plots.FORMATS[fmt])
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
