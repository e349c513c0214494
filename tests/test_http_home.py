"""The front door ``/`` and its twin ``/.json``, on the bundled store (three reports)."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from esgkg.graph.store import StoreRoot
from sparql_support import when_ready

REPORT_GRAPH = "https://w3id.org/esgkg/graph/report/"


def _count(client, query: str) -> int:
    response = client.post("/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    return int(response.get_json()["results"]["bindings"][0]["n"]["value"])


def _in_graph(client, report: str, pattern: str, var: str) -> int:
    # Counted inside the report's named graph: another path than the page's own query
    # (which follows esg:report links).
    return _count(client, f"SELECT (COUNT(DISTINCT ?{var}) AS ?n) WHERE {{ GRAPH <{REPORT_GRAPH}{report}> {{ {pattern} }} }}")


@pytest.fixture(scope="module")
def front(client) -> dict:
    response = client.get("/.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def test_lists_every_report_in_the_store(front, bundled_store: StoreRoot) -> None:
    _, info = bundled_store.open_read_only()
    assert sorted(r["report"] for r in front["reports"]) == sorted(info.meta["reports"])
    assert front["version"] == info.version
    for r in front["reports"]:
        assert r["organisation_en"] and r["language"] and r["period_start"][:4].isdigit()
        assert r["frameworks"], r["report"]


def test_counts_agree_with_the_report_graphs(client, front) -> None:
    esg = "https://w3id.org/esgkg/ontology#"
    for r in front["reports"]:
        assert r["topics"] == _in_graph(client, r["report"], f"?t a <{esg}MaterialTopic>", "t") > 0
        assert r["metrics"] == _in_graph(client, r["report"], f"?m a <{esg}Metric>", "m") > 0
        # Every value the report states, also those printed with a qualifier ("more than 197"),
        # which stay out of the data cube (decisions §23).
        assert r["observations"] == _in_graph(client, r["report"], f"?o a <{esg}Observation>", "o") > 0


def test_validation_findings_add_up_to_the_stored_results(client, front) -> None:
    for severity, key in (("Warning", "warnings"), ("Info", "notes")):
        stored = _count(client, "PREFIX sh: <http://www.w3.org/ns/shacl#> SELECT (COUNT(DISTINCT ?r) AS ?n) "
                                f"WHERE {{ ?r a sh:ValidationResult ; sh:resultSeverity sh:{severity} }}")
        assert sum(r[key] for r in front["reports"]) == stored


def test_each_reports_findings_link_lists_its_own_findings(client, front) -> None:
    page = client.get("/").get_data(as_text=True)
    for r in front["reports"]:
        link = f"/queries/validation-warnings?report={r['report']}"
        assert f'href="{link}"' in page
        rows = client.get(link.replace("validation-warnings", "validation-warnings.json")).get_json()["rows"]
        levels = [row["level"] for row in rows]
        assert (levels.count("Warning"), levels.count("Info")) == (r["warnings"], r["notes"])
        assert all(f"/{r['report']}/" in row["focus"] for row in rows)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.forms: list[dict] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])
        if tag == "form":
            self.forms.append(attrs)


def test_the_page_shows_the_reports_and_every_area_and_its_example_works(client, front) -> None:
    response = client.get("/")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    for r in front["reports"]:
        assert r["report"] in page and r["organisation_en"] in page
    links = _Links()
    links.feed(page)
    assert {"action": "/search", "method": "get", "class": "search-box", "role": "search"} in links.forms
    for area in front["areas"]:
        assert area["path"] in links.hrefs and area["example_path"] in links.hrefs
        for path in (area["path"], area["example_path"]):
            assert when_ready(lambda path=path: client.get(path)).status_code == 200, path
    assert '<a class="brand" href="/">' in page


def test_every_page_links_to_the_front_door_and_the_icon(client) -> None:
    for path in ("/queries", "/sdg", "/compare", "/dumps/", "/ontology", "/sparql", "/search"):
        page = client.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
        assert '<a class="brand" href="/">' in page, path
        assert re.search(r'<link rel="icon" href="/static/favicon\.svg"', page), path
    with client.get("/favicon.ico") as icon:  # a file response: closed when done
        assert icon.status_code == 200 and icon.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    with client.get("/static/favicon.svg") as svg:
        assert svg.data.lstrip().startswith(b"<svg")
