"""The named-query library: headers, safe parameter binding, every query on the bundled report."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from esgkg.graph import named_queries as nq
from esgkg.graph.sparql import StoreSparql
from esgkg.graph.store import StoreRoot
from esgkg.service.cli import main
from report_support import required_params

REPORT_DIR = Path(__file__).parent.parent / "graph" / "reports" / "oneconnect-2024"
QUERIES = nq.load_all()


@pytest.fixture(scope="module")
def run(bundled_store: StoreRoot):
    store, _ = bundled_store.open_read_only()
    return StoreSparql(store).select


def test_every_query_has_a_documented_header() -> None:
    assert len(QUERIES) >= 16
    for q in QUERIES.values():
        assert q.title and q.title_zh and q.description, q.name
        for p in q.params:
            assert p.description, (q.name, p.name)


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_query_runs_on_the_bundled_report_and_returns_rows(name: str, run) -> None:
    query = QUERIES[name]
    needed = required_params(query)
    table = nq.run(query, run, needed)
    assert len(table) > 0
    if any(p.name == "report" for p in query.params):
        # Every row belongs to one report: the reports' answers add up to the whole.
        reports = run("PREFIX esg: <https://w3id.org/esgkg/ontology#> PREFIX dcterms: <http://purl.org/dc/terms/> "
                      "SELECT ?id WHERE { ?r a esg:Report ; dcterms:identifier ?id }").values("id")
        assert "oneconnect-2024" in reports
        assert sum(len(nq.run(query, run, {**needed, "report": r})) for r in reports) == len(table)
        assert len(nq.run(query, run, {**needed, "report": "no-such-report"})) == 0
    example = query.extra.get("example")
    if example:
        assert len(nq.run(query, run, nq.parse_assignments(example.split()))) > 0, example


def test_slug_values_cannot_change_the_query() -> None:
    query = QUERIES["topic-sdgs"]
    for evil in ['x" } ; DROP ALL #', "x>", "a b", "", "../x"]:
        if evil == "":
            assert nq.bind(query, {"topic": evil}) == query.text  # empty = not given
            continue
        with pytest.raises(nq.NamedQueryError):
            nq.bind(query, {"topic": evil})


def test_string_values_are_escaped_not_pasted(run) -> None:
    query = QUERIES["gri-index"]
    sparql = nq.bind(query, {"code": '305-2" } } SELECT * { ?s ?p ?o'})
    assert r'"305-2\" } } SELECT * { ?s ?p ?o"' in sparql
    assert len(run(sparql)) == 0  # still one valid query, matching nothing
    assert len(nq.run(query, run, {"code": "305-2", "report": "oneconnect-2024"})) == 1


def test_typed_parameters() -> None:
    assert nq.sdg_iri("13") == nq.sdg_iri("SDG 13") == nq.sdg_iri("sdg13") == "http://metadata.un.org/sdg/13"
    assert nq.sdg_iri("13.3") == "http://metadata.un.org/sdg/13.3"
    with pytest.raises(ValueError):
        nq.sdg_iri("18")
    year = nq.Param("year", "year", None, False, "")
    assert nq.sparql_term(year, "2024") == '"2024"^^<http://www.w3.org/2001/XMLSchema#gYear>'
    with pytest.raises(nq.NamedQueryError):
        nq.sparql_term(year, "2024) }")
    with pytest.raises(nq.NamedQueryError):
        nq.sparql_term(nq.Param("i", "iri", None, False, ""), "http://x/> } <y")
    with pytest.raises(nq.NamedQueryError, match="no parameter"):
        nq.bind(QUERIES["reports"], {"nope": "1"})


def test_values_go_into_the_outermost_group_not_into_comments_or_strings() -> None:
    text = '# title: t\n# param: a (slug, default: all) x\nPREFIX p: <http://x/a#b>\nSELECT * WHERE { # {\n ?s ?p "{" . FILTER(?a = $a) }'
    query = nq.parse(text, "t")
    bound = nq.bind(query, {"a": "v"})
    assert bound.index('VALUES ($a) { ("v") }') > bound.index("WHERE {")
    assert '"{"' in bound


def test_malformed_headers_are_refused() -> None:
    with pytest.raises(nq.NamedQueryError, match="title"):
        nq.parse("SELECT * { ?s ?p ?o }", "x")
    with pytest.raises(nq.NamedQueryError, match="not used"):
        nq.parse("# title: t\n# param: a (slug, default: all) x\nSELECT * { ?s ?p ?o }", "x")
    with pytest.raises(nq.NamedQueryError, match="unknown type"):
        nq.parse("# title: t\n# param: a (float, default: all) x\nSELECT * { ?s ?p $a }", "x")


def test_hkex_index_lists_provisions_the_report_does_not_index(run) -> None:
    """Independent check: provisions of the reference scheme minus the report's own index rows."""
    reference = yaml.safe_load((REPORT_DIR.parent.parent / "reference" / "frameworks" / "hkex-esg-code.yaml").read_text())
    indexed = {d["code"] for d in yaml.safe_load((REPORT_DIR / "disclosures.yaml").read_text())["disclosures"]
               if d["scheme"] == "hkex-esg-code"}
    expected = {p["code"] for p in reference["provisions"] if p["level"] != "aspect"} - indexed
    table = nq.run(QUERIES["hkex-index"], run, {"status": "not-in-index", "report": "oneconnect-2024"})
    assert set(table.values("code")) == expected


def test_metric_trend_year_on_year_change(run) -> None:
    rows = {(r["year"]["value"], r["section"]["value"]): r
            for r in nq.run(QUERIES["metric-trend"], run, {"metric": "employees-total"})}
    row = rows[("2023", "5.1")]
    assert row["previous"]["value"] == "2832" and row["change"]["value"] == "-392"
    assert float(row["change_percent"]["value"]) == pytest.approx(-13.84)
    # A value that did not change is a 0 % change, also where the previous value is a
    # non-integer decimal (Oxigraph 0.5 makes 0 / 22.22 an error; the query never divides 0).
    unchanged = [r for r in nq.run(QUERIES["metric-trend"], run)
                 if "change" in r and float(r["change"]["value"]) == 0 and float(r["previous"]["value"]) != 0]
    assert unchanged and all(float(r["change_percent"]["value"]) == 0 for r in unchanged)


def test_cli_query_formats(bundled_store: StoreRoot) -> None:
    runner = CliRunner()
    store = ["--store", str(bundled_store.root)]
    listed = runner.invoke(main, ["query", "--list", *store])
    assert listed.exit_code == 0 and "topic-sdgs" in listed.output
    out = runner.invoke(main, ["query", "topic-sdgs", "-p", "topic=climate-change", "--format", "json", *store])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.output)
    assert {r["goal"] for r in doc["rows"]} == {"12", "13"}
    csv_out = runner.invoke(main, ["query", "sdg-topics", "-p", "sdg=SDG 13", "--format", "csv", *store])
    assert csv_out.output.splitlines()[0].startswith("report,goal,")
    assert "應對氣候變化" in csv_out.output
    table = runner.invoke(main, ["query", "topics-by-pillar", "-p", "pillar=E", *store], env={"COLUMNS": "200"})
    assert table.exit_code == 0 and "應對氣候變化" in table.output and "Addressing climate change" in table.output
    bad = runner.invoke(main, ["query", "topic-sdgs", "-p", 'topic=x" }', *store])
    assert bad.exit_code == 1 and "expected an id" in bad.output


def test_one_loader_so_every_surface_carries_the_deployment_base(tmp_path, monkeypatch, fixture_reports):
    """The YASGUI examples, the RDF of /queries/NAME and the query pages read queries/*.rq
    through one loader: with a custom base IRI all of them run against the rebased data."""
    import json
    import re

    import pyoxigraph as ox

    from esgkg.graph.build import build
    from esgkg.graph.namespaces import Iris
    from esgkg.graph.store import StoreRoot
    from esgkg.service.app import create_app
    from esgkg.service.config import Config

    base = "https://example.org/kg/"
    monkeypatch.setenv("ESGKG_BASE_IRI", base)
    root = StoreRoot(tmp_path / "store")
    build(root, reports_root=fixture_reports, iris=Iris(base))
    app = create_app(Config(store=str(root.root), workers=1))
    try:
        client = app.test_client()
        page = client.get("/sparql", headers={"Accept": "text/html"}).get_data(as_text=True)
        config = json.loads(re.search(r'<script id="esgkg-config" type="application/json">(.*?)</script>', page, re.S).group(1))
        example = next(e["query"] for e in config["examples"] if e["name"] == "reports")
        rdf = client.get("/queries/reports", headers={"Accept": "text/turtle"})
        assert rdf.status_code == 200
        graph = list(ox.parse(rdf.data, format=ox.RdfFormat.TURTLE, base_iri=base))
        described = next(t.object.value for t in graph if t.predicate.value.endswith("#select"))
        listed = client.get("/queries/reports.json").get_json()
        for text in (example, described):
            assert "w3id.org/esgkg" not in text and base in text
            r = client.post("/sparql", data={"query": text}, headers={"Accept": "application/sparql-results+json"})
            assert len(r.get_json()["results"]["bindings"]) == len(listed["rows"]) >= 1
    finally:
        app.extensions["esgkg"].backend.close()


def test_a_known_id_is_checked_by_one_lookup_not_by_listing_the_store(run) -> None:
    """Listing every metric id cost 637 ms per request at 100 reports (11.5 ms to look one up)."""
    asked: list[str] = []

    def spy(text: str):
        asked.append(text)
        return run(text)

    nq.prepare(QUERIES["metric-trend"], {"metric": "employees-total", "report": "oneconnect-2024"}, spy)
    assert len(asked) == 2 and all(text.endswith("LIMIT 1") for text in asked)
    asked.clear()
    with pytest.raises(nq.NamedQueryError, match="closest"):
        nq.prepare(QUERIES["metric-trend"], {"metric": "employes-total"}, spy)
    assert len(asked) == 2 and not asked[1].endswith("LIMIT 1")  # the listing, for the closest ids


def test_unknown_names_and_values_say_what_is_accepted(run) -> None:
    """One set of rules (graph/named_queries.py) for every surface: unknown names, values
    outside a declared list and ids the store does not hold are refused, naming what is accepted."""
    trend, pillars = QUERIES["metric-trend"], QUERIES["topics-by-pillar"]
    with pytest.raises(nq.NamedQueryError, match=r"no parameter 'bogus'; it accepts: report, metric"):
        nq.prepare(trend, {"bogus": "1"}, run)
    with pytest.raises(nq.NamedQueryError, match=r"pillar is one of E, S, G"):
        nq.prepare(pillars, {"pillar": "x"}, run)
    with pytest.raises(nq.NamedQueryError, match=r"no metric with that id in the store; closest .*employees-total"):
        nq.prepare(trend, {"metric": "employes-total"}, run)
    with pytest.raises(nq.NamedQueryError, match=r"no report with that id.*oneconnect-2024"):
        nq.prepare(trend, {"report": "oneconnect"}, run)
    with pytest.raises(nq.NamedQueryError, match="more than once"):
        nq.given_values([("pillar", "E"), ("pillar", "S")], pillars)
    # A declared value in another case is that value: pillar=e asks for E.
    lower = nq.run(pillars, run, {"pillar": "e"})
    assert len(lower) == len(nq.run(pillars, run, {"pillar": "E"})) > 0
    assert set(lower.values("pillar")) == {"E"}
    assert "one of: E|S|G" not in pillars.param("pillar").accepted()  # said in words, not header syntax


def test_declared_ids_exist_and_choices_filter(run) -> None:
    for query in QUERIES.values():
        for param in query.params:
            if param.ids:
                assert nq.known_ids(param.ids, run, query.base), (query.name, param.name)
    for name in ("validation-checks", "validation-warnings"):
        for level in QUERIES[name].param("severity").choices:
            rows = nq.run(QUERIES[name], run, {"severity": level})
            assert len(rows) > 0 and set(rows.values("level")) == {level}, (name, level)


def test_metric_trend_is_in_year_order(run) -> None:
    rows = [(r["report"]["value"], r["metric_id"]["value"], r["year"]["value"], r["section"]["value"])
            for r in nq.run(QUERIES["metric-trend"], run).rows]
    assert rows == sorted(rows) and len(rows) > 100


def test_validation_findings_once_each_and_every_check_has_its_message(run) -> None:
    findings = nq.run(QUERIES["validation-warnings"], run)
    stored = run("PREFIX sh: <http://www.w3.org/ns/shacl#> SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { "
                 "?r a sh:ValidationResult ; sh:resultSeverity ?s FILTER(?s IN (sh:Warning, sh:Info)) }")
    assert len(findings) == int(stored.rows[0]["n"]["value"]) > 0
    assert all(r.get("message_en") for r in findings.rows)
    zh = [r for r in findings.rows if r.get("message_zh")]
    assert zh and all(r["message_zh"]["value"] != r["message_en"]["value"] for r in zh)
    checks = nq.run(QUERIES["validation-checks"], run)
    assert len(checks) >= 8
    assert all(r.get("message_en") and r.get("message_zh") for r in checks.rows), \
        [r["check"]["value"] for r in checks.rows if not r.get("message_en")]
