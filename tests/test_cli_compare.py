"""`esgkg compare KPI`, the compare picture and the four comparison queries, on a store of two
companies' reports (the bundled OneConnect 2024 report and the synthetic Example Co 2023)."""
from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from esgkg.graph import named_queries, plots
from esgkg.graph.build import build
from esgkg.graph.namespaces import Iris
from esgkg.graph.sparql import StoreSparql
from esgkg.graph.store import StoreRoot
from esgkg.service.cli import main

TESTS = Path(__file__).parent
REPORTS = (TESTS.parent / "graph" / "reports" / "oneconnect-2024", TESTS / "fixtures" / "reports" / "example-2023")
ONECONNECT, EXAMPLE = "OneConnect Financial Technology", "Example Co"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    reports = tmp_path_factory.mktemp("two-reports")
    for report in REPORTS:
        shutil.copytree(report, reports / report.name)
    root = StoreRoot(tmp_path_factory.mktemp("two-company-store"))
    build(root, reports_root=reports, iris=Iris())
    return root.root


@pytest.fixture(scope="module")
def run(store: Path):
    opened, _ = StoreRoot(store).open_read_only()
    return StoreSparql(opened).select


def _compare(store: Path, *args: str):
    return CliRunner().invoke(main, ["compare", *args, "--store", str(store)])


def test_table(store: Path) -> None:
    result = _compare(store, "A1.2")
    assert result.exit_code == 0, result.output
    out = result.output
    for text in ("hkex-esg-code:A1.2 across companies", EXAMPLE, "example-2023", "oneconnect-2024", "2022", "757.08",
                 "1,326.3", "3.1", "17 value(s) from 2 report(s); 2 units"):
        assert text in out, text
    assert "OneConnect" in out and "Technology" in out  # folded over lines at 80 columns


def test_json(store: Path) -> None:
    result = _compare(store, "a1.2", "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["kpi"] == "hkex-esg-code:A1.2" and doc["companies"] == [f"{EXAMPLE} (example-2023)", f"{ONECONNECT} (oneconnect-2024)"]
    scope2 = [r for r in doc["rows"] if r["metric_id"] == "ghg-scope-2-location" and r["year"] == 2022]
    assert {(r["value"], r["unit"], r["section"]) for r in scope2} == {(1326.3, "tonnes CO2-equivalent", "4.1.4"),
                                                                      (1326.3, "tonnes CO2-equivalent", "5.1")}


def test_csv(store: Path) -> None:
    result = _compare(store, "A1.2", "--format", "csv", "--report", "example-2023")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert list(rows[0]) == ["company", "company_as_printed", "report", "year", "metric", "metric_id", "value", "unit",
                             "as_printed", "section"]
    assert [(r["company"], r["company_as_printed"], r["year"], r["value"], r["unit"], r["as_printed"], r["section"]) for r in rows] == [
        (EXAMPLE, "示例公司", "2022", "110", "tonnes CO2-equivalent", "110 tCO2e", "3.1"),
        (EXAMPLE, "示例公司", "2023", "105", "tonnes CO2-equivalent", "105 tCO2e", "2.1"),
        (EXAMPLE, "示例公司", "2023", "100", "tonnes CO2-equivalent", "100 tCO2e", "3.1"),
    ]


def test_without_a_kpi_the_kpis_that_have_values(store: Path) -> None:
    result = _compare(store, "--format", "json")
    assert result.exit_code == 0, result.output
    kpis = {k["kpi"]: k for k in json.loads(result.output)}
    assert kpis["hkex-esg-code:A1.2"]["companies"] == [f"{EXAMPLE} (example-2023)", f"{ONECONNECT} (oneconnect-2024)"]
    assert all(code.startswith("hkex-esg-code:") for code in kpis)
    table = _compare(store)
    assert table.exit_code == 0 and "HKEX KPIs with values" in table.output and "A1.2" in table.output


@pytest.mark.parametrize(("kpi", "message"), [
    ("Z9.9", "kpi: no provision 'Z9.9'"),
    ('A1.2" }', "is not a provision code"),
    ("gri:305-1", "kpi: no values for 'gri:305-1' in any report"),
])
def test_errors(store: Path, kpi: str, message: str) -> None:
    result = _compare(store, kpi)
    assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output


def test_plot_compare(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "a12.svg"
    result = CliRunner().invoke(main, ["plot", "compare", "--metric", "A1.2", "-o", str(out), "--store", str(store)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "<svg" in text and EXAMPLE in text and ONECONNECT in text
    again = tmp_path / "again.svg"
    CliRunner().invoke(main, ["plot", "compare", "--metric", "A1.2", "-o", str(again), "--store", str(store)])
    assert again.read_bytes() == out.read_bytes()  # reproducible


def test_parse_kpi() -> None:
    assert plots.parse_kpi(" A1.2 ") == "hkex-esg-code:A1.2"
    assert plots.parse_kpi("GRI:305-2") == "gri:305-2"
    assert plots.parse_kpi("https://w3id.org/esgkg/id/scheme/gri/305-2") == "https://w3id.org/esgkg/id/scheme/gri/305-2"
    for bad in ("", "A1.2 }", "<x>", "a:b:c", "all;"):
        with pytest.raises(plots.KpiError, match="kpi"):
            plots.parse_kpi(bad)


# -- the four queries, which need more than one company to say anything ------------------------------

def _rows(run, name: str, **params: str) -> list[dict[str, str]]:
    return [{k: v["value"] for k, v in r.items()} for r in named_queries.run(named_queries.get(name), run, params).rows]


def test_kpi_across_companies_query(run) -> None:
    rows = _rows(run, "kpi-across-companies", kpi="A1.2")
    assert len(rows) == 17 and {r["company_en"] for r in rows} == {EXAMPLE, ONECONNECT}
    assert {r["company_as_printed"] for r in rows} == {"示例公司", "金融壹賬通"}
    assert all(r["kpi_code"] == "hkex-esg-code:A1.2" and r["year"] and r["unit"] and r["section"] for r in rows)
    everything = _rows(run, "kpi-across-companies")
    assert {r["kpi_code"].split(":")[0] for r in everything} == {"hkex-esg-code"}  # no kpi: every HKEX provision
    # provision= (how /compare asks: from the provision, not a text match over all of them) is
    # the same answer, in the same order, for a provision of any scheme.
    for kpi in ("A1.2", "gri:305-2"):
        by_text = _rows(run, "kpi-across-companies", kpi=kpi)
        by_iri = _rows(run, "kpi-across-companies", provision=by_text[0]["provision"])
        assert by_iri == by_text and by_iri == _rows(run, "kpi-across-companies", kpi=kpi, provision=by_text[0]["provision"])
    assert _rows(run, "kpi-across-companies", kpi="A1.2", provision=by_text[0]["provision"]) == []  # both must hold
    assert plots.provisions(run, "hkex-esg-code:a1.2") == ["https://w3id.org/esgkg/id/scheme/hkex-esg-code/A1.2"]


def test_hkex_coverage_query(run) -> None:
    rows = _rows(run, "hkex-coverage", report="example-2023")
    by_code = {r["code"]: r for r in rows}
    assert by_code["A1.2"]["coverage"] == "disclosed" and by_code["A1.1"]["coverage"] == "explained"
    assert by_code["A1.1"]["explanation_as_printed"] == "不涉及" and by_code["A1.1"]["explanation_en"] == "Not relevant"
    assert by_code["B1.1"]["coverage"] == "not-in-index"
    assert {(r["company_en"], r["year"]) for r in rows} == {(EXAMPLE, "2023")}
    assert {r["coverage"] for r in _rows(run, "hkex-coverage", status="explained")} == {"explained"}


def test_shared_material_topics_query(run) -> None:
    rows = _rows(run, "shared-material-topics")
    assert rows and all(int(r["companies"]) >= 2 for r in rows)
    keys = {(r["basis"], r["shared"]) for r in rows}
    assert {("sdg", "SDG 13"), ("sdg", "SDG 8"), ("hkex", "HKEX A1.2"), ("label", "應對氣候變化 (zh-hant)")} <= keys
    for basis, shared in keys:  # every key is shared by topics of two companies
        assert len({r["company_en"] for r in rows if (r["basis"], r["shared"]) == (basis, shared)}) >= 2
    only = _rows(run, "shared-material-topics", report="example-2023", basis="sdg")
    assert {r["report"] for r in only} == {"example-2023"} and {r["shared"] for r in only} == {"SDG 8", "SDG 13"}


def test_sdgs_per_company_query(run) -> None:
    rows = _rows(run, "sdgs-per-company", sdg="13")
    assert {(r["company_en"], r["company_as_printed"], r["report"], r["year"], r["goal"]) for r in rows} == {
        (EXAMPLE, "示例公司", "example-2023", "2023", "13"), (ONECONNECT, "金融壹賬通", "oneconnect-2024", "2024", "13")}
    assert {r["goal_zh"] for r in rows} == {"氣候行動"}


def _synthetic_rows(reports: int) -> list[dict[str, str]]:
    """kpi-across-companies rows of ``reports`` reports: one metric each, two years."""
    return [{"kpi_code": "hkex-esg-code:A1.2", "company_en": f"Company {i % 4}", "report": f"r-{i:03}",
             "year": str(year), "metric_id": "ghg", "metric_en": "GHG", "value": str(100 + i + year - 2023),
             "unit": "tonnes", "unit_iri": "http://qudt.org/vocab/unit/TONNE", "section": "3"}
            for i in range(reports) for year in (2023, 2024)]


@pytest.mark.parametrize("reports", [3, 11])
def test_compare_picture_of_many_reports_shows_each_years_spread(reports: int) -> None:
    """Past one colour per report (10), a line and a legend entry per report inform no one: the
    panel shows each year's spread (box plot over every value) and how many values it has."""
    comparison = plots.Comparison("hkex-esg-code:A1.2", "hkex-esg-code:A1.2", "p", "GHG", None, _synthetic_rows(reports))
    fig = plots.compare(comparison)
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    if reports <= 10:
        assert ax.get_legend() is not None and len(ax.lines) == reports
        assert "spread per year" not in ax.get_title(loc="left")
    else:
        assert ax.get_legend() is None and "11 reports, spread per year" in ax.get_title(loc="left")
        assert texts.count(f"n = {reports}") == 2  # one a year
        dots = [c for c in ax.collections if len(c.get_offsets()) == reports]
        assert len(dots) == 2 and sorted(dots[0].get_offsets()[:, 1]) == [100 + i for i in range(reports)]
        again = [c for c in plots.compare(comparison).axes[0].collections if len(c.get_offsets()) == reports]
        assert all((a.get_offsets() == b.get_offsets()).all() for a, b in zip(dots, again))  # no random jitter
