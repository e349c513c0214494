"""Binding parameter values to a named query and running it.

Binding never pastes text into the query: each value is checked against its type and
written as one RDF term in a ``VALUES`` block placed at the top of the query's outermost
group, so the value can only ever be data.
"""
from __future__ import annotations

import difflib
from typing import Iterable, Mapping

from ..disjoint_graphs import SHARED, scope_graphs
from ..errors import QueryError
from ..namespaces import DEFAULT_BASE, Iris
from ..sparql import QueryFn, Table
from ..sparql_text import tokens
from .header import ID_KINDS, ID_LOOKUPS, NamedQuery, scope_names
from .terms import TERM_WRITERS, TYPE_HELP, UNBOUND, NamedQueryError, sparql_term, spelled


def _ids_query(pattern: str, base: str, where: str = "", limit: str = "") -> str:
    return (f"PREFIX esg: <{base}ontology#> PREFIX dcterms: <http://purl.org/dc/terms/> "
            f"SELECT DISTINCT ?value WHERE {{ {where} {pattern} }}{limit}")


def known_ids(kind: str, query_fn: QueryFn, base: str = DEFAULT_BASE) -> list[str]:
    """Every id of ``kind`` (see :data:`ID_KINDS`) in the store under ``base``, sorted."""
    return sorted(v for v in query_fn(_ids_query(ID_KINDS[kind], base)).values("value") if v)


def id_exists(kind: str, value: str, query_fn: QueryFn, base: str = DEFAULT_BASE) -> bool:
    """Whether ``value`` is an id of ``kind`` in the store, found by one lookup (``ID_LOOKUPS``)
    or by a scan that stops at the first match, where :func:`known_ids` reads every id (every
    metric of every report). A fast path: False only says "list them to be sure"."""
    literal = TERM_WRITERS["string"](value)
    if kind in ID_LOOKUPS:
        text = _ids_query(ID_LOOKUPS[kind], base, f"VALUES ?value {{ {literal} }}", " LIMIT 1")
    else:
        text = _ids_query(f"{ID_KINDS[kind]} FILTER(STR(?value) = {literal})", base, limit=" LIMIT 1")
    return len(query_fn(text)) > 0


def check_ids(query: NamedQuery, given: Mapping[str, str], query_fn: QueryFn) -> None:
    """NamedQueryError when a value of an ``ids:`` parameter is no id of its kind in the store,
    naming the closest ids (an id that exists elsewhere but gives no rows is not an error)."""
    for name, value in given.items():
        param = query.param(name)
        value = str(value).strip()
        if not param.ids or not value or value.lower() == UNBOUND:
            continue
        if id_exists(param.ids, value, query_fn, query.base):
            continue
        refusal = f"parameter {name}={value!r}: no {param.ids} with that id in the store"
        try:
            ids = known_ids(param.ids, query_fn, query.base)
        except QueryError as exc:
            if not exc.limited:
                raise
            raise NamedQueryError(f"{refusal} (too many ids to list here)") from None
        if value in ids:
            continue
        close = difflib.get_close_matches(value, ids, n=5, cutoff=0.5)
        shown = close or ids[:10]
        more = "" if len(shown) == len(ids) else f" (of {len(ids)})"
        raise NamedQueryError(f"{refusal}; {'closest' if close else 'ids'}{more}: {', '.join(shown) or 'none'}")


def resolve_values(query: NamedQuery, given: Mapping[str, str]) -> dict[str, str]:
    """Given values plus defaults, each written as a SPARQL term (unbound ones left out)."""
    for key in given:
        query.param(key)  # unknown parameter: error listing the known ones
    terms: dict[str, str] = {}
    for p in query.params:
        value = given.get(p.name)
        if value is not None and str(value).strip().lower() == UNBOUND and not p.required:
            continue
        if value is None or value == "":
            value = p.default
        if value is None:
            if p.required:
                raise NamedQueryError(f"query {query.name!r} needs parameter {p.name} ({TYPE_HELP[p.type]})")
            continue
        terms[p.name] = sparql_term(p, str(value))
    return terms


def inject_values(text: str, values_block: str) -> str:
    """Insert ``values_block`` right after the opening brace of the outermost group."""
    first_open = next((t for t in tokens(text) if t.kind == "open"), None)
    if first_open is None:
        raise NamedQueryError("the query has no WHERE group to bind parameters in")
    at = first_open.start + 1
    return text[:at] + "\n  " + values_block + "\n" + text[at:]


def bind(query: NamedQuery, given: Mapping[str, str] | None = None, scope: bool = True) -> str:
    """The query text with parameter values bound by a VALUES block (see module doc); a query
    of ``scope: report`` asked about one report reads that report's dataset (:func:`scoped`)
    unless ``scope`` is false (a store of an older layout: ``disjoint_graphs.scopes_reports``)."""
    terms = resolve_values(query, given or {})
    if not terms:
        return query.text
    names = " ".join(f"${n}" for n in terms)
    row = " ".join(terms.values())
    text = inject_values(query.text, f"VALUES ({names}) {{ ({row}) }}")
    declared = query.extra.get("scope") if scope else None
    report = _one_report(query, given or {}) if declared and "report" in terms else None
    return scoped(text, report, scope_names(declared), query.base) if declared and report else text


def _one_report(query: NamedQuery, given: Mapping[str, str]) -> str | None:
    value = given.get("report") or query.param("report").default
    return spelled(query.param("report"), str(value).strip()) if value else None


def scoped(text: str, report_id: str, shared: Iterable[str] = SHARED, base: str = DEFAULT_BASE) -> str:
    """``text`` with FROM clauses naming one report's graph and the ``shared`` graphs.

    The clauses go before the outermost group (its WHERE, if written). Those graphs share no
    triple (graph/disjoint_graphs.py), so an engine reads them as the set SPARQL defines,
    without a copy; every report but this one is out of the query's reach.
    """
    try:
        graphs = scope_graphs(Iris(base), report_id, list(shared))
    except ValueError as exc:
        raise NamedQueryError(f"parameter report={report_id!r}: {exc}") from exc
    outer = [t for t in tokens(text) if t.depth == 0]
    at = next((i for i, t in enumerate(outer) if t.kind == "open"), None)
    if at is None:
        raise NamedQueryError("the query has no WHERE group to scope")
    start = outer[at - 1].start if at and outer[at - 1].keyword == "WHERE" else outer[at].start
    clauses = "".join(f"FROM <{g}>\n" for g in graphs)
    return text[:start] + clauses + text[start:]


def prepare(query: NamedQuery, given: Mapping[str, str] | None, query_fn: QueryFn, scope: bool = True) -> str:
    """The SPARQL to run, every parameter rule checked (names, types, ``one of``, and
    ``ids`` against the store through ``query_fn``); NamedQueryError says what is wrong
    and what is accepted. The HTTP pages and the CLI both come through here (``scope``: as
    for :func:`bind`)."""
    sparql = bind(query, given or {}, scope)
    check_ids(query, given or {}, query_fn)
    return sparql


def run(query: NamedQuery, query_fn: QueryFn, given: Mapping[str, str] | None = None,
        scope: bool = True) -> Table:
    """Bind and run a named query with ``query_fn`` (embedded store or service backend).
    Names, types and ``one of`` are checked; ids are not (an id from another store gives no
    rows, which library callers comparing stores rely on): people's surfaces use :func:`prepare`
    (``scope``: as for :func:`bind`)."""
    return query_fn(bind(query, given, scope))


def parse_assignments(pairs: Iterable[str]) -> dict[str, str]:
    """``["k=v", …]`` (the CLI's --param options) as a dict."""
    return given_values((key.strip(), value) for key, sep, value in (_assignment(p) for p in pairs))


def _assignment(pair: str) -> tuple[str, str, str]:
    key, sep, value = pair.partition("=")
    if not sep or not key.strip():
        raise NamedQueryError(f"--param expects NAME=VALUE, got {pair!r}")
    return key, sep, value


def given_values(items: Iterable[tuple[str, str]], query: NamedQuery | None = None) -> dict[str, str]:
    """Parameter values as given (a query string's items, the CLI's assignments), stripped; a
    name given twice is refused, and with ``query`` so is a name it does not declare (even with
    an empty value). Empty values mean "not given" and are dropped."""
    values: dict[str, str] = {}
    for key, value in items:
        if key in values:
            raise NamedQueryError(f"parameter {key} is given more than once; give one value")
        values[key] = value.strip()
        if query is not None and values[key]:
            values[key] = spelled(query.param(key), values[key])
        elif query is not None:
            query.param(key)
    return {k: v for k, v in values.items() if v}


def empty_hint(query: NamedQuery, given: Mapping[str, str]) -> str:
    """What to say when a query with these (valid) parameters has no rows."""
    if not given:
        return "No rows: the store holds nothing this question asks about."
    asked = ", ".join(f"{k}={v}" for k, v in given.items())
    accepted = "; ".join(f"{p.name}: {p.accepted()}" for p in query.params if p.name in given)
    example = query.extra.get("example")
    return (f"No rows for {asked}: each value is accepted ({accepted}), but nothing matches them together."
            + (f" An example that has rows: {example}." if example else ""))


def narrowing_hint(query: NamedQuery, given: Mapping[str, str]) -> str:
    """What to say when a query ran past a limit (time, rows): the parameters left unset that
    would narrow it, report first (a store of many reports makes the all-reports form the
    costly one), with an example; empty when every parameter is set."""
    unset = [p for p in query.params if not (given.get(p.name) or "").strip()]
    unset.sort(key=lambda p: p.name != "report")
    if not unset:
        return ""
    example = query.extra.get("example")
    return (" For this question that means: set " + "; ".join(f"{p.name} ({p.accepted()})" for p in unset) + "."
            + (f" An example: {example}." if example else ""))
