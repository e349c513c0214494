"""A draft is first-class: built into a store as `esgkg build` does (SHACL validation
included: a violation would refuse to publish), without a code change, its records are served
with their review status and the page and line they were read from."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from sparql_support import app_client

from esgkg.graph.build import build
from esgkg.graph.draft import draft_report
from esgkg.graph.namespaces import Iris
from esgkg.graph.store import StoreRoot
from esgkg.graph.validation import build_validator
from esgkg.service.config import Config

FIXTURES = Path(__file__).parent / "fixtures" / "draft"


@pytest.fixture(scope="module")
def draft_client(tmp_path_factory: pytest.TempPathFactory):
    reports = tmp_path_factory.mktemp("drafts")
    draft_report(FIXTURES / "shiyi-2025.pdf", "shiyi-2025", reports)
    root = StoreRoot(tmp_path_factory.mktemp("draft-store"))
    build(root, reports_root=reports, iris=Iris(), validate=build_validator())
    with app_client(Config(store=str(root.root), workers=1, host="127.0.0.1", port=0)) as client:
        yield client, reports / "shiyi-2025"


def test_a_drafted_metric_page_shows_draft_and_source_line(draft_client) -> None:
    client, folder = draft_client
    metrics = (folder / "metrics.yaml").read_text(encoding="utf-8")
    block = metrics[metrics.index("員工總人數") - 200:]
    mid = re.search(r"id: (\S+)", block).group(1)
    line = int(re.search(r"line: (\d+)", block).group(1))
    page = client.get(f"/id/shiyi-2025/metric/{mid}", headers={"Accept": "text/html"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Draft</strong>" in html and f"page 3, line {line}" in html
    assert "2,832 <span" in html and "(draft, page 3" in html, "each drafted value says so"


def test_drafts_are_queryable(draft_client) -> None:
    client, _ = draft_client
    query = ('PREFIX esg: <https://w3id.org/esgkg/ontology#> SELECT (COUNT(?x) AS ?n) '
             'WHERE { ?x esg:reviewStatus "draft" ; esg:sourceLine ?line }')
    answer = client.get("/sparql", query_string={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert answer.status_code == 200
    assert int(answer.get_json()["results"]["bindings"][0]["n"]["value"]) > 20
    located = ('PREFIX esg: <https://w3id.org/esgkg/ontology#> ASK { '
               '<https://w3id.org/esgkg/id/shiyi-2025/document/document-12> esg:reviewStatus "draft" ; '
               'esg:sourcePage 2 ; esg:sourceLine 12 }')
    answer = client.get("/sparql", query_string={"query": located}, headers={"Accept": "application/sparql-results+json"})
    assert answer.get_json()["boolean"] is True
