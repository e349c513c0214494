"""/compare on the real app and worker pool, on a store of two companies' reports: the
bundled OneConnect 2024 report (zh-Hant) and the synthetic Example Co 2023 report (whose
total GHG emissions answer HKEX A1.2, like OneConnect's scope 1 and 2 figures)."""
from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import requests

from esgkg.graph.build import build
from esgkg.graph.namespaces import Iris
from esgkg.graph.store import StoreRoot
from esgkg.service.config import Config

TESTS = Path(__file__).parent
REPORTS = (TESTS.parent / "graph" / "reports" / "oneconnect-2024", TESTS / "fixtures" / "reports" / "example-2023")
ONECONNECT, EXAMPLE = "OneConnect Financial Technology", "Example Co"


@pytest.fixture(scope="module")
def two_reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("two-reports")
    for report in REPORTS:
        shutil.copytree(report, folder / report.name)
    return folder


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory, two_reports: Path) -> Config:
    root = StoreRoot(tmp_path_factory.mktemp("two-company-store"))
    build(root, reports_root=two_reports, iris=Iris())
    return Config(store=str(root.root), workers=2, host="127.0.0.1", port=0)


@pytest.fixture(scope="module")
def client(config: Config):
    from sparql_support import app_client

    with app_client(config) as test_client:
        yield test_client


def _values(doc: dict, report: str, metric: str) -> list[tuple[int, float, str]]:
    return sorted((r["year"], r["value"], r["section"]) for r in doc["rows"]
                  if r["report"] == report and r["metric_id"] == metric)


def test_kpi_json_has_both_companies_in_canonical_units(client) -> None:
    response = client.get("/compare.json?kpi=A1.2")
    assert response.status_code == 200 and response.content_type.startswith("application/json")
    doc = response.get_json()
    assert doc["kpi"] == "hkex-esg-code:A1.2"
    assert doc["provision"] == str(Iris().provision("hkex-esg-code", "A1.2"))
    assert doc["companies"] == [f"{EXAMPLE} (example-2023)", f"{ONECONNECT} (oneconnect-2024)"]
    # The fixture states 2023 twice (KPI table and body text): both values are kept, with their section.
    assert _values(doc, "example-2023", "ghg-total") == [(2022, 110.0, "3.1"), (2023, 100.0, "3.1"), (2023, 105.0, "2.1")]
    assert (2024, 757.08, "5.1") in _values(doc, "oneconnect-2024", "ghg-scope-2-location")
    for row in doc["rows"]:
        assert row["company"] in (EXAMPLE, ONECONNECT) and row["year"] and row["unit"], row
        assert row["language"] == "zh-Hant" and row["company_as_printed"] in ("示例公司", "金融壹賬通")
    example = next(r for r in doc["rows"] if r["report"] == "example-2023")
    assert (example["unit"], example["unit_as_printed"], example["value_as_printed"]) == ("tonnes CO2-equivalent", "tCO2e", "110")


def test_a_total_and_an_intensity_never_share_a_unit(client) -> None:
    doc = client.get("/compare.json?kpi=A1.2").get_json()
    units = {u["unit"]: u for u in doc["units"]}
    assert set(units) == {"tonnes CO2-equivalent", "tonnes CO2-equivalent per person"}
    per_person = {s["metric_id"] for s in units["tonnes CO2-equivalent per person"]["series"]}
    totals = {s["metric_id"] for s in units["tonnes CO2-equivalent"]["series"]}
    assert per_person == {"ghg-scope-2-intensity"} and "ghg-scope-2-intensity" not in totals
    assert {"ghg-total", "ghg-scope-1", "ghg-scope-2-location"} <= totals


@pytest.mark.parametrize("spelling", ["a1.2", "hkex-esg-code:A1.2", "HKEX-ESG-CODE:a1.2",
                                      str(Iris().provision("hkex-esg-code", "A1.2"))])
def test_the_kpi_can_be_spelled_several_ways(client, spelling: str) -> None:
    doc = client.get("/compare.json", query_string={"kpi": spelling}).get_json()
    assert doc["kpi"] == "hkex-esg-code:A1.2" and len(doc["rows"]) == 17


def test_a_provision_of_another_scheme(client) -> None:
    doc = client.get("/compare.json?kpi=gri:305-2").get_json()
    assert doc["kpi"] == "gri:305-2" and {r["metric_id"] for r in doc["rows"]} == {"ghg-scope-2-location"}


def test_one_report_only(client) -> None:
    doc = client.get("/compare.json?kpi=A1.2&report=example-2023").get_json()
    assert {r["report"] for r in doc["rows"]} == {"example-2023"} and doc["report"] == "example-2023"


def test_kpi_page_names_every_company_and_year(client) -> None:
    response = client.get("/compare?kpi=A1.2")
    assert response.status_code == 200 and response.content_type.startswith("text/html")
    html = response.get_data(as_text=True)
    for text in (EXAMPLE, ONECONNECT, "示例公司", "金融壹賬通", "example-2023", "oneconnect-2024",
                 "In tonnes CO2-equivalent</h2>", "In tonnes CO2-equivalent per person</h2>",
                 '<img src="/compare/A1.2.svg"', "1,326.3", "757.08", "110 tCO2e", "/compare.json?kpi=hkex-esg-code%3AA1.2"):
        assert text in html, text
    assert re.search(r"<td class=\"num\">2022</td>", html)
    # The alternative text names the companies, for people who cannot see the chart.
    alt = re.search(r'<img src="/compare/A1.2.svg" alt="([^"]+)"', html).group(1)
    assert EXAMPLE in alt and ONECONNECT in alt


def test_the_chart_is_an_svg_and_a_png_naming_both_companies(client) -> None:
    state = client.application.extensions["esgkg"]
    svg = client.get("/compare/A1.2.svg")
    assert svg.status_code == 200 and svg.content_type == "image/svg+xml"
    text = svg.get_data(as_text=True)
    assert text.lstrip().startswith("<?xml") and "<svg" in text[:1000] and text.rstrip().endswith("</svg>")
    title = re.search(r"<dc:title>([^<]*)</dc:title>", text).group(1)
    assert "hkex-esg-code:A1.2" in title and f"{EXAMPLE} (example-2023)" in title and f"{ONECONNECT} (oneconnect-2024)" in title
    description = re.search(r"<dc:description>([^<]*)</dc:description>", text).group(1)
    assert "in tonnes CO2-equivalent per person" in description
    png = client.get("/compare/A1.2.png")
    assert png.status_code == 200 and png.content_type == "image/png" and png.data[:8] == b"\x89PNG\r\n\x1a\n"
    from PIL import Image

    with Image.open(io.BytesIO(png.data)) as image:
        assert image.size[0] > 600 and EXAMPLE in image.text["Title"] and ONECONNECT in image.text["Title"]
    computed = state.pictures.computed
    assert client.get("/compare/A1.2.svg").data == svg.data and state.pictures.computed == computed  # cached
    assert client.get("/compare/hkex-esg-code:A1.2.svg").status_code == 200


def test_overview_is_the_chooser_and_the_shared_view(client) -> None:
    html = client.get("/compare").get_data(as_text=True)
    assert '<option value="A1.2">' in html and 'href="/compare?kpi=A1.2"' in html
    assert f"{EXAMPLE} (example-2023), {ONECONNECT} (oneconnect-2024)" in html
    for query in ("kpi-across-companies", "hkex-coverage", "shared-material-topics", "sdgs-per-company"):
        assert f'href="/queries/{query}"' in html
    doc = client.get("/compare.json").get_json()
    a12 = next(k for k in doc["kpis"] if k["kpi"] == "hkex-esg-code:A1.2")
    assert a12["companies"] == [f"{EXAMPLE} (example-2023)", f"{ONECONNECT} (oneconnect-2024)"] and a12["values"] == 17
    assert all(k["kpi"].startswith("hkex-esg-code:") for k in doc["kpis"])
    coverage = {c["report"]: c for c in doc["hkex_coverage"]}
    assert coverage["example-2023"]["company"] == EXAMPLE and coverage["example-2023"]["year"] == 2023
    assert (coverage["example-2023"]["disclosed"], coverage["example-2023"]["explained"]) == (1, 1)  # A1.2; A1.1 n/a
    assert coverage["oneconnect-2024"]["year"] == 2024 and coverage["oneconnect-2024"]["disclosed"] > 20
    totals = {sum(c[k] for k in ("disclosed", "explained", "unexplained", "not-in-index")) for c in coverage.values()}
    assert len(totals) == 1  # every report is counted against the same provisions
    sdgs = {e["report"]: e for e in doc["sdgs"]}
    assert set(sdgs["example-2023"]["goals"]) == {"8", "13"} and sdgs["example-2023"]["company"] == EXAMPLE
    shared = {(s["basis"], s["shared"]): s for s in doc["shared_topics"]}
    climate = shared[("sdg", "SDG 13")]
    assert climate["companies"] == 2 and {(t["company"], t["year"]) for t in climate["topics"]} == {(EXAMPLE, 2023), (ONECONNECT, 2024)}
    assert ("hkex", "HKEX A1.2") in shared and ("label", "應對氣候變化 (zh-hant)") in shared


@pytest.mark.parametrize(("url", "status", "names"), [
    ("/compare?kpi=", 400, "kpi"),
    ("/compare?kpi=A1.2%22%20%7D", 400, "kpi"),
    ("/compare?kpi=Z9.9", 404, "Z9.9"),
    ("/compare?kpi=gri:305-1", 404, "gri:305-1"),  # a provision no metric of these reports answers
    ("/compare?kpi=A1.2&report=no-such-report", 404, "no-such-report"),
    ("/compare?report=not%20an%20id", 400, "report"),
    ("/compare/Z9.9.svg", 404, "Z9.9"),
    ("/compare/A1.2.gif", 404, ".svg"),
    ("/compare/A1.2", 404, "/compare?kpi=A1.2"),
])
def test_errors_name_the_bad_parameter(client, url: str, status: int, names: str) -> None:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)
    assert names in response.get_data(as_text=True)
    as_json = client.get(url, headers={"Accept": "application/json"})
    assert as_json.status_code == status and as_json.get_json()["status"] == status and names in as_json.get_json()["error"]


def test_json_twin_errors_are_json(client) -> None:
    response = client.get("/compare.json?kpi=Z9.9")
    assert response.status_code == 404 and response.get_json() == {
        "status": 404, "error": "kpi: no provision 'Z9.9' (read as hkex-esg-code:Z9.9); "
                               "/compare and `esgkg compare` list the KPIs that have values"}
    page = client.get("/compare?kpi=Z9.9", headers={"Accept": "text/html"})
    assert page.status_code == 404 and "Z9.9" in page.get_data(as_text=True) and "<html" in page.get_data(as_text=True)


@pytest.mark.slow
def test_screenshot_of_the_compare_page(config: Config, tmp_path: Path) -> None:
    from sparql_support import running_server

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("chromium is not installed (Debian package: chromium)")
    # ESGKG_SCREENSHOT_DIR keeps the picture for a person to look at; default: a temp dir.
    folder = Path(os.environ.get("ESGKG_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    shot = folder / "compare-page.png"
    shot.unlink(missing_ok=True)
    with running_server(config) as server:
        requests.get(server + "/compare/A1.2.svg", timeout=60)  # warm the picture cache
        subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}", "--window-size=1100,1600",
             server + "/compare?kpi=A1.2"],
            check=True, capture_output=True, timeout=90)
    data = shot.read_bytes()
    assert data[:4] == b"\x89PNG" and len(data) > 50_000


def test_kpi_page_lists_the_crosswalk_matches_and_links_those_with_values(client) -> None:
    html = client.get("/compare?kpi=A1.2").get_data(as_text=True)
    assert "The KPI in other frameworks" in html
    assert '<a href="/compare?kpi=gri%3A305-2">gri:305-2</a>' in html  # OneConnect links its scope 2 metric to it
    assert re.search(r"esrs:E1-6_07 <span class=\"muted\">no values</span>", html)
    response = client.get("/compare.json", query_string={"kpi": "ifrs-s2:29(a)(i)(1)"})
    assert response.status_code == 404 and "no values for 'ifrs-s2:29(a)(i)(1)'" in response.get_json()["error"]


def test_a_kpi_page_lists_at_most_its_table_rows_and_says_where_the_rest_are(client, monkeypatch) -> None:
    from esgkg.service import compare

    whole = client.get("/compare?kpi=A1.2").get_data(as_text=True)
    assert "have them all" not in whole
    monkeypatch.setattr(compare, "TABLE_ROWS", 3)
    html = client.get("/compare?kpi=A1.2").get_data(as_text=True)
    values = html.split("The KPI in other frameworks")[0]  # the crosswalk's table is not a values table
    tables = re.findall(r"<tbody>(.*?)</tbody>", values, re.S)
    assert tables and all(t.count("<tr>") <= 3 for t in tables) and any(t.count("<tr>") == 3 for t in tables)
    assert re.search(r"The first 3 of \d+ values; the <a href=\"/compare.json\?kpi=", html)
    assert client.get("/compare.json?kpi=A1.2").get_json()["rows"]  # the JSON keeps every row
