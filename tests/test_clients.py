"""Clients we did not write, against the running server: SPARQLWrapper and Comunica."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from SPARQLWrapper import CSV, JSON, TURTLE, XML, SPARQLWrapper

from sparql_support import BASE, make_store, running_server, sample_nquads, make_config

REPO = Path(__file__).resolve().parent.parent
ACME = f"<{BASE}id/org/acme>"
LABELS = f"SELECT ?label WHERE {{ {ACME} <http://www.w3.org/2000/01/rdf-schema#label> ?label }} ORDER BY ?label"


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory):
    root = make_store(tmp_path_factory.mktemp("clients"), sample_nquads(10))
    with running_server(make_config(root)) as url:
        yield url + "/sparql"


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_select(endpoint, method):
    client = SPARQLWrapper(endpoint)
    client.setMethod(method)
    client.setQuery(LABELS)
    client.setReturnFormat(JSON)
    rows = client.queryAndConvert()["results"]["bindings"]
    assert sorted(r["label"]["value"] for r in rows) == ["Acme", "頂峰"]


def test_sparqlwrapper_other_formats(endpoint):
    client = SPARQLWrapper(endpoint)
    client.setQuery(LABELS)
    client.setReturnFormat(XML)
    assert len(client.queryAndConvert().getElementsByTagName("result")) == 2
    client.setReturnFormat(CSV)
    assert client.queryAndConvert().decode().splitlines()[0] == "label"
    client.setQuery(f"ASK {{ {ACME} ?p ?o }}")
    client.setReturnFormat(JSON)
    assert client.queryAndConvert()["boolean"] is True
    client.setQuery(f"CONSTRUCT {{ {ACME} ?p ?o }} WHERE {{ {ACME} ?p ?o }}")
    client.setReturnFormat(TURTLE)
    graph_text = client.queryAndConvert().decode()
    assert "Acme" in graph_text


def _comunica_ready() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed"
    if not (REPO / "node_modules" / "@comunica" / "query-sparql").is_dir():
        return "npm packages missing: run `npm ci` at the repository root"
    return None


@pytest.mark.slow
@pytest.mark.skipif(_comunica_ready() is not None, reason=str(_comunica_ready()))
def test_comunica(endpoint, tmp_path):
    queries = {
        "select": LABELS,
        "ask": f"ASK {{ {ACME} ?p ?o }}",
        "construct": f"CONSTRUCT {{ {ACME} ?p ?o }} WHERE {{ {ACME} ?p ?o }}",
        "count": f"SELECT (COUNT(?v) AS ?n) WHERE {{ ?s <{BASE}ontology#value> ?v }}",
    }
    file = tmp_path / "queries.json"
    file.write_text(json.dumps(queries), encoding="utf-8")
    result = subprocess.run(
        ["node", str(REPO / "tests" / "browser" / "comunica_queries.mjs"), f"{endpoint}", str(file)],
        capture_output=True, text=True, timeout=120, cwd=REPO)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert sorted(r["label"] for r in out["select"]) == ["Acme", "頂峰"], out
    assert out["ask"] is True, out
    assert len(out["construct"]) == 2, out
    assert out["count"] == [{"n": "10"}], out
