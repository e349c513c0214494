"""A named query asked about one report reads that report's dataset, as on a store of one report.

`# scope: report` queries name the report's graph and the shared graphs in FROM clauses
(docs/decisions.md §32). Oxigraph reads several FROM graphs as a bag, so the build keeps the
graphs disjoint, and the readers take the engine's bag only for a version so marked. Here:
the built store shares no triple between a report graph and a shared graph; the engine's
read equals the merge made by copying (set semantics by construction) for every scoped
query and report; and the answer equals the one a store of that report alone gives.
"""
from __future__ import annotations

import shutil
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef

from esgkg.graph import named_queries as nq
from esgkg.graph.build import build
from esgkg.graph.disjoint_graphs import DISJOINT, SHARED, drop_shared, reads_as_set, shared_triples
from esgkg.graph.named_queries.terms import NamedQueryError
from esgkg.graph.namespaces import Iris
from esgkg.graph.reference import reports_dir
from esgkg.graph.sparql import StoreSparql
from esgkg.graph.store import StoreRoot
from test_queries_answers_unchanged import REPORTS_QUERY, fingerprint

SCOPED = sorted(name for name, q in nq.load_all().items() if q.extra.get("scope"))
IRIS = Iris()


def test_every_built_triple_of_a_shared_graph_is_in_no_other_graph(bundled_store: StoreRoot) -> None:
    store, info = bundled_store.open_read_only()
    assert info.meta["disjoint_graphs"] == DISJOINT
    graphs_of: dict[tuple, set[str]] = defaultdict(set)
    for q in store.quads_for_pattern(None, None, None, None):
        graphs_of[(q.subject, q.predicate, q.object)].add(q.graph_name.value)
    shared = {str(IRIS.graph(name)) for name in SHARED}
    assert shared <= {g for gs in graphs_of.values() for g in gs}
    in_two = {t: gs for t, gs in graphs_of.items() if len(gs) > 1 and gs & shared}
    assert in_two == {}


def test_a_report_triple_the_shared_graphs_hold_is_dropped_from_the_report() -> None:
    label = (URIRef("https://example.org/sdg/13"), URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
             Literal("Climate action", lang="en"))
    reference, report = Graph(), Graph()
    reference.add(label)
    report.add(label)
    report.add((label[0], label[1], Literal("Take urgent action", lang="en")))
    assert drop_shared(report, shared_triples([reference])) == 1
    assert label not in report and len(report) == 1 and label in reference


def test_the_engines_bag_is_taken_only_for_one_report_and_shared_graphs_of_a_marked_version() -> None:
    meta = {"base": IRIS.base, "disjoint_graphs": DISJOINT}
    report = [str(IRIS.report_graph("a"))]
    shared = [str(IRIS.graph(name)) for name in SHARED]
    assert reads_as_set(meta, report + shared)
    assert not reads_as_set({**meta, "disjoint_graphs": None}, report + shared)  # built before the rule
    assert not reads_as_set(meta, report + [str(IRIS.report_graph("b"))])  # two reports may share a triple
    assert not reads_as_set(meta, report + report)
    assert not reads_as_set(meta, report + ["https://example.org/other"])
    assert not reads_as_set({**meta, "base": "https://example.org/"}, report + shared)


def test_a_scoped_query_names_the_reports_graph_and_refuses_a_report_that_is_no_iri_segment() -> None:
    query = nq.load_all()["topics-by-pillar"]
    text = nq.bind(query, {"report": "oneconnect-2024"})
    assert f"FROM <{IRIS.report_graph('oneconnect-2024')}>" in text
    assert f"FROM <{IRIS.graph('reference')}>" in text and f"<{IRIS.graph('shapes')}>" not in text
    assert "FROM" not in nq.bind(query, {})  # all reports: the union, as before
    with pytest.raises(NamedQueryError):
        nq.parse("# title: t\n# scope: report\n# param: report (slug) r\n"
                 "SELECT * WHERE { GRAPH ?g { ?s ?p $report } }", "bad")
    with pytest.raises(NamedQueryError, match="shared graphs are"):
        nq.parse("# title: t\n# scope: report, elsewhere\n# param: report (slug) r\n"
                 "SELECT * WHERE { ?s ?p $report }", "bad")


def test_the_shared_graphs_a_scoped_query_lists_are_all_it_reads(bundled_store: StoreRoot) -> None:
    """Listing fewer shared graphs makes a query faster (the engine reads k graphs at k times
    the cost) and must change no answer: each query, each report, against all shared graphs."""
    import dataclasses

    store, info = bundled_store.open_union_read_only()
    select = StoreSparql(store, union_store=store, meta=info.meta).select
    reports = select(REPORTS_QUERY).values("id")
    every = ", ".join(("report", *SHARED))
    differ = []
    for name in SCOPED:
        query = nq.load_all()[name]
        wide = dataclasses.replace(query, extra={**query.extra, "scope": every})
        for report in reports:
            listed = fingerprint(nq.run(query, select, {"report": report}), query.text)
            if listed != fingerprint(nq.run(wide, select, {"report": report}), query.text):
                differ.append((name, report))
    assert differ == []


def _answers(select, reports: list[str]) -> dict:
    queries = nq.load_all()
    return {(name, report): fingerprint(nq.run(queries[name], select, {"report": report}), queries[name].text)
            for name in SCOPED for report in reports}


def test_the_engines_read_equals_the_merge_for_every_scoped_query_and_report(bundled_store: StoreRoot) -> None:
    store, info = bundled_store.open_union_read_only()
    reports = StoreSparql(store, union_store=store).select(REPORTS_QUERY).values("id")
    assert len(reports) >= 2 and len(SCOPED) >= 15
    native = _answers(StoreSparql(store, union_store=store, meta=info.meta).select, reports)
    copied = _answers(StoreSparql(store, union_store=store, meta={}).select, reports)  # merged(): a set
    assert native == copied
    assert sum(fp["rows"] for fp in native.values()) > 500


def test_a_scoped_answer_is_the_answer_of_a_store_of_that_report_alone(bundled_store: StoreRoot, tmp_path: Path) -> None:
    from esgkg.graph.validation import build_validator

    # baidu-2021: other reports name some of its frameworks in their own words, which its
    # unscoped row showed too; its own store holds only its words.
    report = "baidu-2021"
    alone = tmp_path / "reports"
    alone.mkdir()
    shutil.copytree(reports_dir() / report, alone / report)
    one = StoreRoot(tmp_path / "store")
    build(one, reports_root=alone, iris=IRIS, validate=build_validator(), jobs=1)
    store, info = bundled_store.open_union_read_only()
    many = _answers(StoreSparql(store, union_store=store, meta=info.meta).select, [report])
    store1, info1 = one.open_union_read_only()
    single = _answers(StoreSparql(store1, union_store=store1, meta=info1.meta).select, [report])
    assert many == single


def test_each_reports_findings_are_a_graph_of_their_own_that_updates_may_not_change(bundled_store, tmp_path) -> None:
    import requests

    from sparql_support import make_config, running_server

    store, info = bundled_store.open_read_only()
    graphs = {g.value for g in store.named_graphs()}
    reports = list(info.meta["reports"])
    assert {str(IRIS.validation_graph(r)) for r in reports} <= graphs
    # The verdict alone is in graph/validation: the findings hang on it from each report's graph.
    verdict = [q for q in store.quads_for_pattern(None, None, None, ox.NamedNode(str(IRIS.graph("validation"))))]
    assert len(verdict) == 2
    root = tmp_path / "store"
    shutil.copytree(bundled_store.root, root, symlinks=True)
    token = "disjoint-test-token"
    config = make_config(StoreRoot(root), workers=1, allow_update=True, update_token=token)
    version = StoreRoot(root).current().version
    with running_server(config) as url:
        for update in (f"DROP GRAPH <{IRIS.validation_graph(reports[0])}>",
                       f"INSERT DATA {{ GRAPH <{IRIS.validation_graph(reports[0])}> {{ <urn:a> <urn:b> <urn:c> }} }}"):
            r = requests.post(url + "/update", data=update.encode(), timeout=120,
                              headers={"Authorization": f"Bearer {token}",
                                       "Content-Type": "application/sparql-update"})
            assert r.status_code == 403 and "system graph" in r.text, r.text
    assert StoreRoot(root).current().version == version


def _older_layout(bundled_store: StoreRoot, root: Path) -> StoreRoot:
    """A copy of the bundled store as a build before 2026-12 made it: every report's findings
    in graph/validation, and no ``graph_layout`` in the version's metadata."""
    import json

    shutil.copytree(bundled_store.root, root, symlinks=True)
    old = StoreRoot(root)
    info = old.current()
    shutil.rmtree(old.union_dir(info), ignore_errors=True)
    store = ox.Store(str(info.path))
    common = ox.NamedNode(str(IRIS.graph("validation")))
    for report in info.meta["reports"]:
        own = ox.NamedNode(str(IRIS.validation_graph(report)))
        for q in list(store.quads_for_pattern(None, None, None, own)):
            store.add(ox.Quad(q.subject, q.predicate, q.object, common))
        store.remove_graph(own)
    store.flush()
    del store
    meta_file = info.path.parent / f"{info.version}.json"
    meta = {k: v for k, v in json.loads(meta_file.read_text()).items() if k != "graph_layout"}
    meta_file.write_text(json.dumps(meta))
    return old


def test_a_store_of_the_older_layout_answers_per_report_findings_unscoped(bundled_store, tmp_path, capsys) -> None:
    """Scoped, validation-warnings would read graph/validation/ID, which such a store lacks, and
    list no finding: the CLI and the pages read it unscoped instead, and `esgkg serve` says so."""
    import json

    from click.testing import CliRunner

    from esgkg.service.cli import main
    from sparql_support import app_client, make_config

    old = _older_layout(bundled_store, tmp_path / "old")
    runner = CliRunner()

    def warnings(store: StoreRoot, report: str) -> list:
        out = runner.invoke(main, ["query", "validation-warnings", "-p", f"report={report}", "--format", "json",
                                   "--store", str(store.root)])
        assert out.exit_code == 0, out.output
        return sorted(json.dumps(r, sort_keys=True) for r in json.loads(out.stdout)["rows"])

    reports = bundled_store.current().meta["reports"]
    expected = {r: warnings(bundled_store, r) for r in reports}
    assert sum(len(rows) for rows in expected.values()) > 0
    assert {r: warnings(old, r) for r in reports} == expected
    with app_client(make_config(old, workers=1)) as client:
        for report in reports:
            doc = client.get(f"/queries/validation-warnings.json?report={report}").get_json()
            assert len(doc["rows"]) == len(expected[report]), report
    from esgkg.service.commands.serve import _build_if_missing

    capsys.readouterr()
    _build_if_missing(str(bundled_store.root))
    assert capsys.readouterr().err == ""
    _build_if_missing(str(old.root))
    assert "until `esgkg build` runs again" in capsys.readouterr().err


def test_an_edited_version_keeps_its_layout_and_loses_the_disjoint_mark(bundled_store, tmp_path) -> None:
    """An update may copy a shared graph's triple into a report graph; FROM both must still
    match it once (the RDF merge), so the edited version is read through the merge copy."""
    import requests

    from sparql_support import make_config, running_server

    root = tmp_path / "store"
    shutil.copytree(bundled_store.root, root, symlinks=True)
    store, info = StoreRoot(root).open_read_only()
    reference = ox.NamedNode(str(IRIS.graph("reference")))
    triple = next(iter(store.quads_for_pattern(None, None, None, reference)))
    del store
    report_graph = IRIS.report_graph(info.meta["reports"][0])
    token = "disjoint-test-token"
    # An update copies and validates the version: seconds, more on a loaded machine.
    config = make_config(StoreRoot(root), workers=1, allow_update=True, update_token=token, query_timeout=120.0)
    pattern = f"{triple.subject} {triple.predicate} {triple.object}"
    with running_server(config) as url:
        r = requests.post(url + "/update", data=f"INSERT DATA {{ GRAPH <{report_graph}> {{ {pattern} }} }}".encode(),
                          timeout=120, headers={"Authorization": f"Bearer {token}",
                                                "Content-Type": "application/sparql-update"})
        assert r.status_code == 204, r.text
        count = f"SELECT (COUNT(*) AS ?n) FROM <{report_graph}> FROM <{reference.value}> WHERE {{ {pattern} }}"
        r = requests.get(url + "/sparql", params={"query": count}, timeout=120,
                         headers={"Accept": "application/sparql-results+json"})
        assert r.status_code == 200, r.text
        assert r.json()["results"]["bindings"][0]["n"]["value"] == "1"
    meta = StoreRoot(root).current().meta
    assert meta["edited_from"] == info.version
    assert "disjoint_graphs" not in meta and meta["graph_layout"] == info.meta["graph_layout"]
