"""Scale-out path: `esgkg push` into a real `oxigraph serve` on loopback, then the same
service answering from it (`--store http://...`), W3C protocol tests included."""
from __future__ import annotations

import shutil

import pytest
import requests
from click.testing import CliRunner

from engines_support import OXIGRAPH_MISSING, assert_limits_hold, start_oxigraph
from esgkg.service.commands.push import push
from sparql_support import BASE, W3C_GRAPHS, make_store, running_server, sample_nquads
from test_clients_w3c_protocol import ENTRIES, MANIFEST, HT, _check, _is_update_test, _requests_of, _send

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("oxigraph") is None, reason=OXIGRAPH_MISSING),
]
TOKEN = "remote-token"


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    engine = start_oxigraph(tmp_path_factory.mktemp("oxigraph-data"))
    yield engine.query.removesuffix("/query")
    engine.stop()


@pytest.fixture(scope="module")
def pushed(oxigraph, tmp_path_factory):
    root = make_store(tmp_path_factory.mktemp("local"), sample_nquads(100), W3C_GRAPHS)
    result = CliRunner().invoke(push, [oxigraph + "/store", "--store", str(root.root)])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def server(oxigraph, pushed):
    from esgkg.service.config import Config
    config = Config(store=oxigraph + "/query", query_timeout=2.0, max_rows=50)
    with running_server(config) as url:
        yield url


def test_push_loads_every_graph(oxigraph, pushed):
    assert "pushed 106 triples" in pushed
    graphs = requests.get(oxigraph + "/query", timeout=10, headers={"Accept": "application/sparql-results+json"},
                          params={"query": "SELECT DISTINCT ?g { GRAPH ?g {} }"}).json()
    names = {b["g"]["value"] for b in graphs["results"]["bindings"]}
    assert BASE + "graph/report/acme-2024" in names and len(names) == 5


def test_queries_answered_from_remote(server):
    r = requests.get(server + "/sparql", timeout=10, headers={"Accept": "text/csv"},
                     params={"query": f"SELECT ?l {{ <{BASE}id/org/acme> ?p ?l }} ORDER BY ?l"})
    assert r.status_code == 200 and r.text.splitlines()[1:] == ["Acme", "頂峰"]
    construct = requests.get(server + "/sparql", timeout=10, params={
        "query": f"CONSTRUCT {{ <{BASE}id/org/acme> ?p ?o }} WHERE {{ <{BASE}id/org/acme> ?p ?o }}",
        "format": "turtle"})
    assert construct.status_code == 200 and "@prefix rdfs:" in construct.text
    assert requests.get(server + "/sparql", params={"query": "SELECT * {"}, timeout=10).status_code == 400


def test_limits_in_remote_mode(server):
    assert_limits_hold(server, "SELECT * { ?s ?p ?o }",
                       "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }", 4)


QUERY_TESTS = [t for t in ENTRIES if not _is_update_test(t)]
UPDATE_TESTS = [t for t in ENTRIES if _is_update_test(t)]


@pytest.mark.parametrize("test", QUERY_TESTS, ids=[t.split("#")[-1] for t in QUERY_TESTS])
def test_w3c_query_tests_in_remote_mode(server, test):
    for req in _requests_of(test):
        _check(_send(server, req, None), MANIFEST.value(req, HT.resp))


@pytest.fixture(scope="module")
def update_server(tmp_path_factory):
    engine = start_oxigraph(tmp_path_factory.mktemp("oxigraph-update"), union=False)
    from esgkg.service.config import Config
    config = Config(store=engine.query, allow_update=True, update_token=TOKEN)
    try:
        with running_server(config) as server_url:
            yield server_url
    finally:
        engine.stop()


@pytest.mark.parametrize("test", UPDATE_TESTS, ids=[t.split("#")[-1] for t in UPDATE_TESTS])
def test_w3c_update_tests_in_remote_mode(update_server, test):
    for req in _requests_of(test):
        _check(_send(update_server, req, TOKEN), MANIFEST.value(req, HT.resp))


def test_graph_store_in_remote_mode(update_server):
    auth = {"Authorization": f"Bearer {TOKEN}"}
    put = requests.put(update_server + "/store", params={"graph": "http://example.org/g"}, timeout=10,
                       data=b"<http://example.org/a> <http://example.org/b> <http://example.org/c> .",
                       headers={**auth, "Content-Type": "application/n-triples"})
    assert put.status_code in (201, 204)
    got = requests.get(update_server + "/store", params={"graph": "http://example.org/g"},
                       headers={"Accept": "text/turtle"}, timeout=10)
    assert got.status_code == 200 and "example.org/c" in got.text
    assert requests.delete(update_server + "/store", params={"graph": "http://example.org/g"},
                           headers=auth, timeout=10).status_code == 204


@pytest.mark.parametrize("query_url, update, store", [
    ("http://h:7878/query", "http://h:7878/update", "http://h:7878/store"),  # oxigraph serve
    ("http://h:8890/sparql", "http://h:8890/sparql", "http://h:8890/sparql-graph-crud"),  # Virtuoso
    ("http://h:8890/sparql-auth/", "http://h:8890/sparql-auth", "http://h:8890/sparql-graph-crud-auth"),
])
def test_update_and_store_urls_found_from_the_query_url(query_url, update, store):
    from esgkg.service.backends.remote import sibling_url
    assert (sibling_url(query_url, "update"), sibling_url(query_url, "store")) == (update, store)


def test_push_to_an_engine_that_is_not_there_is_a_message(tmp_path):
    from esgkg.service.cli import main
    root = make_store(tmp_path / "store", sample_nquads(3))
    result = CliRunner().invoke(main, ["push", "http://127.0.0.1:9/store", "--store", str(root.root)])
    assert result.exit_code == 1 and "push of" in result.output and "127.0.0.1:9" in result.output
    assert "Traceback" not in result.output
