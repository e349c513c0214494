"""Rewriting a named query for speed or for another engine must not change its answer.

Every named query's answer on the bundled store, for all reports and for each report, is
kept as a digest of its rows (sorted, as SPARQL JSON terms) with the row count, in
``fixtures/named-query-answers.json``: a digest rather than the rows, so that no report text
is copied beside the curated sources. A rewrite that changes any answer fails here, naming
the query and the report. When the *data* changes on purpose (a report added or corrected),
write the file again with ``ESGKG_WRITE_ANSWERS=1`` and review the diff of the counts.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from esgkg.graph import named_queries as nq
from esgkg.graph.sparql import StoreSparql, Table
from esgkg.graph.store import StoreRoot
from engines_support import aggregate_columns
from report_support import required_params

SAVED = Path(__file__).parent / "fixtures" / "named-query-answers.json"
QUERIES = nq.load_all()
REPORTS_QUERY = ("PREFIX esg: <https://w3id.org/esgkg/ontology#> PREFIX dcterms: <http://purl.org/dc/terms/> "
                 "SELECT ?id WHERE { ?r a esg:Report ; dcterms:identifier ?id } ORDER BY ?id")


def fingerprint(table: Table, query_text: str = "") -> dict[str, object]:
    """Row count and a digest of the rows as a multiset (row order is compared by the
    queries' own tests; ORDER BY ties may come in any order). A GROUP_CONCAT cell counts as
    the multiset of its parts: SPARQL 1.1 leaves their order to the engine (§18.5.1.7), and
    Oxigraph's order follows its join plan, so a rewrite for speed may reorder them."""
    concat = {v: sep for v, (kind, sep) in aggregate_columns(query_text).items() if kind == "GROUP_CONCAT"}
    # SAMPLE may answer any of a group's values (§18.5.1.8); Oxigraph answers the first it
    # meets, which follows the dataset's layout (a report's FROM graphs, the union copy): only
    # that it is bound is kept, as the engines' comparison does.
    samples = {v for v, (kind, _) in aggregate_columns(query_text).items() if kind == "SAMPLE"}

    def cell(variable: str, term: dict) -> dict:
        if variable in samples:
            return {"type": "bound"}
        if variable in concat and term.get("type") == "literal":
            return {**term, "value": concat[variable].join(sorted(term["value"].split(concat[variable])))}
        return term

    rows = sorted(json.dumps({v: cell(v, row[v]) for v in table.variables if v in row}, sort_keys=True,
                             ensure_ascii=False) for row in table.rows)
    digest = hashlib.sha256(json.dumps([table.variables, rows], ensure_ascii=False).encode()).hexdigest()
    return {"rows": len(rows), "sha256": digest}


def current_answers(select) -> dict[str, dict[str, object]]:
    """``{"query": {"(all)": fp, report_id: fp, ...}}`` for every named query."""
    reports = select(REPORTS_QUERY).values("id")
    found: dict[str, dict[str, object]] = {}
    for name, query in sorted(QUERIES.items()):
        needed = required_params(query)
        found[name] = {"(all)": fingerprint(nq.run(query, select, needed), query.text)}
        if any(p.name == "report" for p in query.params):
            for report in reports:
                found[name][report] = fingerprint(nq.run(query, select, {**needed, "report": report}), query.text)
    return found


@pytest.fixture(scope="module")
def answers(bundled_store: StoreRoot) -> dict[str, dict[str, object]]:
    store, info = bundled_store.open_read_only()
    # With the version's metadata, as the service reads it: a query of `scope: report` reads
    # one report's graph and the shared ones without a copy (graph/disjoint_graphs.py).
    got = current_answers(StoreSparql(store, meta=info.meta).select)
    if os.environ.get("ESGKG_WRITE_ANSWERS") == "1":
        SAVED.write_text(json.dumps(got, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    return got


def test_every_named_query_has_a_saved_answer(answers) -> None:
    saved = json.loads(SAVED.read_text())
    assert sorted(saved) == sorted(answers), "a query was added or removed: write the answers again"


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_answer_unchanged(answers, name: str) -> None:
    saved = json.loads(SAVED.read_text()).get(name)
    assert saved is not None, f"{name}: no saved answer (ESGKG_WRITE_ANSWERS=1)"
    changed = {scope: (saved.get(scope), got) for scope, got in answers[name].items() if saved.get(scope) != got}
    assert changed == {}, f"{name}: answers changed (saved, now) per report: {changed}"
