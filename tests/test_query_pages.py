"""The /queries and /sdg pages on the real app (worker pool on the bundled store)."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Iterator

import pytest
import requests

from esgkg.graph import named_queries
from esgkg.graph.store import StoreRoot
from esgkg.service.config import Config
from sparql_support import app_client, running_server



@pytest.fixture(scope="module")
def config(bundled_store: StoreRoot) -> Config:
    return Config(store=str(bundled_store.root), workers=2, host="127.0.0.1", port=0)


@pytest.fixture(scope="module")
def client(config: Config):
    with app_client(config) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def server(config: Config) -> Iterator[str]:
    """The app on waitress at 127.0.0.1 (free port), as `esgkg serve` runs it."""
    with running_server(config) as url:
        yield url


def test_query_list(client) -> None:
    page = client.get("/queries")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for name in named_queries.load_all():
        assert f'href="/queries/{name}"' in html
    listing = client.get("/queries.json").get_json()
    assert {q["name"] for q in listing} == set(named_queries.load_all())


@pytest.mark.parametrize("name", sorted(named_queries.load_all()))
def test_every_query_page_shows_a_table_and_its_sparql(client, name: str) -> None:
    page = client.get(f"/queries/{name}")
    assert page.status_code == 200, page.get_data(as_text=True)[:300]
    html = page.get_data(as_text=True)
    assert "<table class=\"result\">" in html and "<td" in html and "SELECT" in html


def test_query_twins_and_parameters(client) -> None:
    page = client.get("/queries/topic-sdgs?topic=climate-change").get_data(as_text=True)
    assert "應對氣候變化" in page and "氣候行動" in page and "VALUES ($topic) { (&#34;climate-change&#34;) }" in page
    doc = client.get("/queries/topic-sdgs.json?topic=climate-change").get_json()
    assert doc["parameters"] == {"topic": "climate-change"} and {r["goal"] for r in doc["rows"]} == {"12", "13"}
    csv = client.get("/queries/metric-trend.csv?metric=employees-total")
    assert csv.content_type.startswith("text/csv") and csv.get_data(as_text=True).startswith("report,metric_id,")
    assert client.get("/queries/topics-by-pillar?pillar=%22%20%7D").status_code == 400
    assert client.get("/queries/no-such-question").status_code == 404
    assert client.get("/queries/reports.png").status_code == 404  # no picture for that question


def test_query_pages_with_pictures(client) -> None:
    page = client.get("/queries/metric-trend?metric=employees-total").get_data(as_text=True)
    assert '<img src="/queries/metric-trend.svg?metric=employees-total"' in page
    svg = client.get("/queries/metric-trend.svg?metric=employees-total")
    assert svg.status_code == 200 and svg.content_type == "image/svg+xml" and b"<svg" in svg.data[:500]
    png = client.get("/queries/topics-by-pillar.png")
    assert png.status_code == 200 and png.data[:4] == b"\x89PNG"


def test_sdg_pages(client) -> None:
    overview = client.get("/sdg").get_data(as_text=True)
    for img in ("/sdg/coverage.svg", "/sdg/network.svg", "/sdg/materiality.svg"):
        assert f'src="{img}"' in overview
    assert "betweenness" in overview
    topic = client.get("/sdg/topic/climate-change?report=oneconnect-2024")
    assert topic.status_code == 200
    html = topic.get_data(as_text=True)
    assert "壹起行动保护地球" in html and "SDG 13 (Climate action)" in html
    doc = client.get("/sdg/topic/應對氣候變化.json").get_json()
    assert [g["goal"]["number"] for g in doc["goals"]] == ["12", "13"]
    assert client.get("/sdg/goal/SDG%2013").status_code == 200
    assert client.get("/sdg/goal/13.json").get_json()["topics"][0]["topic"]["label"]["zh"] == "應對氣候變化"
    assert client.get("/sdg/stakeholder/employees").status_code == 200
    assert client.get("/sdg/trace?name=SDG+13").headers["Location"].endswith("/sdg/goal/13")
    assert client.get("/sdg/topic/no-such-topic").status_code == 404
    for url in ("/sdg/network.png", "/sdg/coverage.svg", "/sdg/trend/employees-total.svg"):
        assert client.get(url).status_code == 200, url
    assert client.get("/sdg/trend/no-such-metric.png").status_code == 404


def test_pages_over_a_real_server(server: str) -> None:
    for url in ("/queries", "/queries/sdg-topics?sdg=13", "/sdg", "/sdg/network.svg"):
        response = requests.get(server + url, timeout=30)
        assert response.status_code == 200, url


def test_screenshot_of_the_sdg_page(server: str, tmp_path: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("chromium is not installed (Debian package: chromium)")
    # ESGKG_SCREENSHOT_DIR keeps the picture for a person to look at; default: a temp dir.
    folder = Path(os.environ.get("ESGKG_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    shot = folder / "sdg-page.png"
    shot.unlink(missing_ok=True)
    requests.get(server + "/sdg", timeout=60)  # warm the picture cache so the browser does not wait
    subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}", "--window-size=1280,2000",
         server + "/sdg"],
        check=True, capture_output=True, timeout=90)
    data = shot.read_bytes()
    assert data[:4] == b"\x89PNG" and len(data) > 50_000  # a page with pictures, not a blank one


def test_named_query_iri_dereferences_to_rdf(client) -> None:
    from rdflib import Graph

    response = client.get("/queries/topics-by-pillar", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.content_type.startswith("text/turtle")
    g = Graph().parse(data=response.get_data(as_text=True), format="turtle")
    assert any("queries/topics-by-pillar" in str(s) for s in g.subjects())
    assert client.get("/queries/topics-by-pillar.ttl").status_code == 200
