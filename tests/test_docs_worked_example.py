"""docs/adding-a-report.md's worked example is a report like any other, and adding it breaks nothing.

The example (docs/example-report/acme-2025, a fictional company) is copied beside every bundled
report into one reports folder and built as `esgkg build` does, with SHACL validation. Then:

* the build publishes (0 violations) and the example's only finding is the one the guide shows;
* every named query runs; a query with a `report` parameter answers each report separately and
  the answers add up to the whole; every bundled report gets exactly the answer it gets in a store
  without the example (``bundled_store``), so nobody's results change when a report is added
  (except, by design, the count of companies sharing a topic in shared-material-topics);
* the example's own rows are there wherever its files have data (topics, values, index rows,
  stakeholder concerns), and its values are stored in the canonical units, so they compare with
  the other reports' values ('000 tonnes are tonnes × 1000, like Chalco's 10,000t);
* the app serves the example's pages (/sdg, the materiality picture, /queries/reports, its topics'
  linked-data pages, /compare) naming the company, and compares its packaging with another
  company's in one unit;
* every file excerpt in the guide is literally in the example's files, and the build error and
  the `esgkg validate` text the guide shows are what the commands print, so the guide and the
  example cannot drift apart.
"""
from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from esgkg.graph import named_queries as nq
from esgkg.graph.build import build
from esgkg.graph.namespaces import Iris
from esgkg.graph.sparql import StoreSparql
from esgkg.graph.store import StoreRoot
from esgkg.graph.validation import ValidationOutcome, build_validator
from esgkg.service.cli import main
from report_support import required_params

REPO = Path(__file__).resolve().parents[1]
BUNDLED = REPO / "graph" / "reports"
EXAMPLE = REPO / "docs" / "example-report" / "acme-2025"
GUIDE = REPO / "docs" / "adding-a-report.md"
REPORT = "acme-2025"
COMPANY = "Acme Widgets Ltd"
QUERIES = nq.load_all()
# Queries whose rows come from a file the example does not have: no GRI content index.
NO_DATA_IN_EXAMPLE = {"gri-index"}
# Queries whose per-report rows count companies over all reports, by design (a topic is shared
# when another company has it too): a new company may add rows and raise that count by one.
COUNTED_OVER_ALL_REPORTS = {"shared-material-topics": "companies"}
PREFIXES = """PREFIX esg: <https://w3id.org/esgkg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX sdmx-attribute: <http://purl.org/linked-data/sdmx/2009/attribute#>
"""


def example_yaml(name: str) -> dict:
    return yaml.safe_load((EXAMPLE / name).read_text(encoding="utf-8"))


def example_observations() -> list[dict[str, str]]:
    with (EXAMPLE / "observations.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# ------------------------------------------------------------------ the store with the example added

@pytest.fixture(scope="module")
def reports_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every bundled report and the example, side by side, as a user would have them."""
    folder = tmp_path_factory.mktemp("reports-with-example")
    for report in sorted(BUNDLED.iterdir()):
        if report.is_dir():
            shutil.copytree(report, folder / report.name)
    assert not (folder / REPORT).exists()
    shutil.copytree(EXAMPLE, folder / REPORT)
    return folder


@pytest.fixture(scope="module")
def built(reports_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[StoreRoot, ValidationOutcome]:
    verdicts: list[ValidationOutcome] = []
    root = StoreRoot(tmp_path_factory.mktemp("store-with-example"))
    build(root, reports_root=reports_folder, iris=Iris(), validate=build_validator(on_verdict=verdicts.append))
    assert len(verdicts) == 1
    return root, verdicts[0]


@pytest.fixture(scope="module")
def select(built):
    store, _ = built[0].open_read_only()
    return StoreSparql(store).select


@pytest.fixture(scope="module")
def answer(select):
    """A named query's answer on the store with the example, per report (None: all); each
    asked once, since several tests read the same answers (some take seconds)."""
    cache: dict[tuple[str, str | None], object] = {}

    def run(name: str, report: str | None = None):
        if (name, report) not in cache:
            given = {**required_params(QUERIES[name]), **({"report": report} if report else {})}
            cache[(name, report)] = nq.run(QUERIES[name], select, given)
        return cache[(name, report)]
    return run


@pytest.fixture(scope="module")
def select_without_example(bundled_store: StoreRoot):
    store, _ = bundled_store.open_read_only()
    return StoreSparql(store).select


def report_ids(select) -> list[str]:
    return sorted(select(PREFIXES + "SELECT ?id WHERE { ?r a esg:Report ; dcterms:identifier ?id }").values("id"))


def rows(table) -> list[str]:
    """The rows of a table as sorted canonical JSON: order-free, comparable across stores."""
    return sorted(json.dumps(row, sort_keys=True, ensure_ascii=False) for row in table.rows)


# ------------------------------------------------------------------ build and validation

def test_the_build_publishes_with_no_violations(built, reports_folder: Path) -> None:
    root, outcome = built
    assert outcome.count("Violation") == 0, [r.message.get("en") for r in outcome.records if r.severity == "Violation"]
    assert root.exists()
    assert sorted(p.name for p in reports_folder.iterdir()) == sorted(
        [p.name for p in BUNDLED.iterdir() if p.is_dir()] + [REPORT])


def test_the_example_has_one_finding_the_deliberate_contradiction(built) -> None:
    _, outcome = built
    mine = [r for r in outcome.records if f"/id/{REPORT}/" in r.focus_node]
    assert [(r.severity, r.source_shape.rsplit("#", 1)[-1], r.focus_node.rsplit("/", 1)[-1], r.year) for r in mine] == [
        ("Warning", "SameQuantityShape", "employees-total", "2025")]
    assert sorted(mine[0].sections) == ["4", "5"]


# ------------------------------------------------------------------ named queries

def test_the_store_holds_the_example_beside_every_bundled_report(select, select_without_example) -> None:
    before = report_ids(select_without_example)
    assert before and REPORT not in before
    assert report_ids(select) == sorted([*before, REPORT])


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_named_query_runs_and_the_reports_add_up(name: str, select, answer) -> None:
    query = QUERIES[name]
    whole = answer(name)
    assert len(whole) > 0
    if not any(p.name == "report" for p in query.params):
        return
    assert len(nq.run(query, select, {**required_params(query), "report": "no-such-report"})) == 0
    answers = {r: len(answer(name, r)) for r in report_ids(select)}
    assert sum(answers.values()) == len(whole), answers
    if name in NO_DATA_IN_EXAMPLE:
        assert answers[REPORT] == 0
    else:
        assert answers[REPORT] > 0, f"{name}: no rows for {REPORT}"


@pytest.mark.parametrize("name", sorted(q.name for q in QUERIES.values() if any(p.name == "report" for p in q.params)))
def test_every_bundled_report_answers_as_it_did_without_the_example(name: str, answer, select_without_example) -> None:
    query = QUERIES[name]
    for report in report_ids(select_without_example):
        now, before = answer(name, report), nq.run(query, select_without_example, {"report": report})
        count = COUNTED_OVER_ALL_REPORTS.get(name)
        if count is None:
            assert rows(now) == rows(before), (name, report)
            continue
        counts = {r: int(c) for r, c in _split(now, count)}
        for row, c in _split(before, count):
            assert counts.get(row) in (int(c), int(c) + 1), (name, report, row, c, counts.get(row))


def _split(table, column: str) -> list[tuple[str, str]]:
    """(the row without ``column`` as canonical JSON, the value of ``column``) for every row."""
    return [(json.dumps({k: v for k, v in row.items() if k != column}, sort_keys=True, ensure_ascii=False),
             row[column]["value"]) for row in table.rows]


def test_queries_without_a_report_parameter_gain_only_the_example(select, select_without_example) -> None:
    # Reference data (the crosswalk) and the shapes are shared: adding a report changes neither.
    for name in ("kpi-crosswalk", "validation-checks"):
        assert rows(nq.run(QUERIES[name], select)) == rows(nq.run(QUERIES[name], select_without_example)), name
    # The stored findings: the bundled reports' as before, plus the example's one warning
    # (a row per language of its message).
    findings = nq.run(QUERIES["validation-warnings"], select)
    mine = [r for r in findings if f"/id/{REPORT}/" in r["focus"]["value"]]
    assert {(r["focus"]["value"].rsplit("/", 1)[-1], r["check"]["value"].rsplit("#", 1)[-1]) for r in mine} == {
        ("employees-total", "SameQuantityShape")}
    others = [r for r in findings.rows if r not in mine]
    assert rows(type(findings)(findings.variables, others)) == rows(nq.run(QUERIES["validation-warnings"], select_without_example))


def test_topics_by_pillar_has_the_example_topics(answer) -> None:
    table = answer("topics-by-pillar", REPORT)
    got = {(r["topic"]["value"].rsplit("/", 1)[-1], r["pillar"]["value"], r["topic_en"]["value"]) for r in table}
    assert got == {(t["id"], t["pillar"], t["label"]["en"]) for t in example_yaml("topics.yaml")["topics"]}


def test_metric_trend_has_every_example_value(answer) -> None:
    table = answer("metric-trend", REPORT)
    got = sorted((r["metric_id"]["value"], r["year"]["value"], r["section"]["value"], r["as_written"]["value"]) for r in table)
    assert got == sorted((o["metric"], o["year"], o["section"], o["as_written"]) for o in example_observations())


def test_hkex_index_has_the_example_index_rows(answer) -> None:
    table = answer("hkex-index", REPORT)
    status = {r["code"]["value"]: r["index_status"]["value"] for r in table}
    indexed = {d["code"]: d["status"] for d in example_yaml("disclosures.yaml")["disclosures"]}
    assert {code: status[code] for code in indexed} == indexed
    assert {s for code, s in status.items() if code not in indexed} == {"not-in-index"}


def test_stakeholder_concerns_has_every_group_and_concern(answer) -> None:
    table = answer("stakeholder-concerns", REPORT)
    got = {(r["stakeholder_en"]["value"], r["concern_en"]["value"]) for r in table}
    data = example_yaml("stakeholders.yaml")
    concern = {c["id"]: c["label"]["en"] for c in data["concerns"]}
    assert got == {(s["label"]["en"], concern[c]) for s in data["stakeholders"] for c in s["concerns"]}


def test_example_values_are_stored_in_canonical_units(select) -> None:
    table = nq.run(QUERIES["metric-trend"], select, {"report": REPORT, "metric": "packaging-material"})
    by_year = {r["year"]["value"]: r for r in table}
    assert sorted(by_year) == ["2024", "2025"]
    for year, printed in (("2024", "1.86"), ("2025", "1.72")):
        row = by_year[year]
        assert row["unit_as_printed"]["value"] == "'000 tonnes" and row["value_as_printed"]["value"] == printed
        assert float(row["value"]["value"]) == pytest.approx(float(printed) * 1000)
        assert row["unit"]["value"] == "tonnes"
    # Same unit IRI as another report's tonnes printed another way (Chalco 2019 prints 10,000t).
    units = select(PREFIXES + """SELECT ?report ?printed ?factor ?unit WHERE {
        ?o esg:metric ?m ; sdmx-attribute:unitMeasure ?unit ; esg:unitAsPrinted ?printed ; esg:conversionFactor ?factor .
        ?m esg:report/dcterms:identifier ?report .
        FILTER(?printed IN ("'000 tonnes", "10,000t")) }""")
    seen = {(r["report"]["value"], r["printed"]["value"], float(r["factor"]["value"]), r["unit"]["value"]) for r in units}
    assert {(rep, printed, factor) for rep, printed, factor, _ in seen} >= {
        (REPORT, "'000 tonnes", 1000.0), ("chalco-2019", "10,000t", 10000.0)}
    assert len({unit for *_, unit in seen}) == 1


def test_the_ghg_breakdown_adds_up(select) -> None:
    values = {(o["metric"], o["year"]): float(o["value"]) for o in example_observations() if o["section"] == "5"}
    for year in ("2024", "2025"):
        assert values[("ghg-scope-1", year)] + values[("ghg-scope-2", year)] == pytest.approx(values[("ghg-total", year)])


# ------------------------------------------------------------------ the app

def test_the_app_serves_the_example(built) -> None:
    from sparql_support import app_client, make_config

    topic = example_yaml("topics.yaml")["topics"][0]["id"]
    pages = {"/sdg": "text/html", "/sdg/materiality.svg": "image/svg+xml", "/queries/reports": "text/html",
             f"/id/{REPORT}/topic/{topic}": "text/html", "/compare": "text/html", "/compare?kpi=A2.5": "text/html"}
    with app_client(make_config(built[0])) as client:
        for url, accept in pages.items():
            response = client.get(url, headers={"Accept": accept})
            assert response.status_code == 200, url
            assert response.mimetype == accept, url
            assert COMPANY in response.get_data(as_text=True), url
        doc = client.get("/queries/reports.json").get_json()
        assert REPORT in {row["report"] for row in doc["rows"]}
        # Packaging (HKEX A2.5) beside another company's, in one unit: the example's '000 tonnes as tonnes.
        compared = client.get("/compare.json?kpi=A2.5").get_json()
        [tonnes] = [u for u in compared["units"] if any(s["report"] == REPORT for s in u["series"])]
        assert tonnes["unit_iri"] == "http://qudt.org/vocab/unit/TONNE"
        assert len({s["report"] for s in tonnes["series"]}) > 1
        [mine] = [s for s in tonnes["series"] if s["report"] == REPORT]
        assert [(v["year"], v["value"], v["unit_as_printed"]) for v in mine["values"]] == [
            (2024, 1860.0, "'000 tonnes"), (2025, 1720.0, "'000 tonnes")]


# ------------------------------------------------------------------ the guide and the example agree

def fenced_blocks(text: str) -> list[tuple[str, str, str]]:
    """(the line before the block, info string, body) of every fenced block of a Markdown text."""
    blocks, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        match = re.match(r"^```(\S*)\s*$", lines[i])
        if match:
            end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
            before = next((lines[k] for k in range(i - 1, -1, -1) if lines[k].strip()), "")
            blocks.append((before, match.group(1), "\n".join(lines[i + 1:end])))
            i = end
        i += 1
    return blocks


EXCERPT_LABEL = re.compile(r"`acme-2025/([\w.-]+)`:?\s*$")


def excerpts() -> list[tuple[str, str]]:
    return [(m.group(1), body) for before, _, body in fenced_blocks(GUIDE.read_text(encoding="utf-8"))
            if (m := EXCERPT_LABEL.search(before))]


def test_the_guide_shows_every_example_file() -> None:
    shown = {name for name, _ in excerpts()}
    assert shown == {p.name for p in EXAMPLE.iterdir()}, "each file of the example has an excerpt in the guide"


@pytest.mark.parametrize("name,body", excerpts(), ids=[f"{n}-{i}" for i, (n, _) in enumerate(excerpts())])
def test_every_excerpt_in_the_guide_is_in_the_example_file(name: str, body: str) -> None:
    source = (EXAMPLE / name).read_text(encoding="utf-8")
    assert body.strip("\n") + "\n" in source, f"the guide's excerpt of {name} is not literally in {EXAMPLE / name}"


def test_every_data_block_of_the_guide_is_a_labelled_excerpt() -> None:
    """A YAML or CSV block without the `acme-2025/<file>`: label would escape the check above."""
    for before, info, body in fenced_blocks(GUIDE.read_text(encoding="utf-8")):
        if info in ("yaml", "csv"):
            assert EXCERPT_LABEL.search(before), f"unlabelled {info} block after {before!r}:\n{body}"


def guide_output(first_words: str) -> str:
    """The one output (``text``) block of the guide that starts with ``first_words``."""
    found = [body for _, info, body in fenced_blocks(GUIDE.read_text(encoding="utf-8"))
             if info == "text" and body.lstrip().startswith(first_words)]
    assert len(found) == 1, f"the guide should show one output block starting {first_words!r}"
    return found[0]


def test_the_validation_text_in_the_guide_is_what_esgkg_validate_prints(built) -> None:
    result = CliRunner().invoke(main, ["validate", "--store", str(built[0].root), "--report", REPORT],
                                env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    shown = guide_output("SHACL validation:")
    assert shown.strip() and shown.strip() in result.output, result.output


def test_the_build_error_in_the_guide_is_what_esgkg_build_prints(tmp_path: Path) -> None:
    """The guide's mistake (an unquoted comma in a flow-style map) fails the build as shown."""
    reports = tmp_path / "example-report"
    shutil.copytree(EXAMPLE, reports / REPORT)
    report = reports / REPORT / "report.yaml"
    text = report.read_text(encoding="utf-8")
    quoted = "title: {en: 'Acme Widgets Ltd Environmental, Social and Governance Report 2025'}"
    assert quoted in text
    report.write_text(text.replace(quoted, quoted.replace("'", "")), encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--store", str(tmp_path / "store"), "--reports", str(reports)])
    assert result.exit_code == 1
    shown = guide_output("error:")
    for line in shown.strip().splitlines():
        assert line.strip() in result.output, (line, result.output)
    assert not StoreRoot(tmp_path / "store").exists()  # nothing was published
