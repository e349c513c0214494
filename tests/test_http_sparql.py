"""The /sparql endpoint over real HTTP: operations, formats, negotiation, errors, description."""
from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox
import pytest
import requests
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from esgkg.graph.namespaces import SD
from sparql_support import BASE, make_store, running_server, sample_nquads, make_config

SELECT = f"SELECT ?label WHERE {{ <{BASE}id/org/acme> <http://www.w3.org/2000/01/rdf-schema#label> ?label }} ORDER BY ?label"
CONSTRUCT = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ BIND(<{BASE}id/org/acme> AS ?s) ?s ?p ?o }}"
ASK = f"ASK {{ <{BASE}id/org/acme> ?p ?o }}"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = make_store(tmp_path_factory.mktemp("endpoint"), sample_nquads(20))
    with running_server(make_config(root)) as url:
        yield url


def get(server, query, **kwargs):
    headers = kwargs.pop("headers", {})
    params = {"query": query, **kwargs}
    return requests.get(server + "/sparql", params=params, headers=headers, timeout=30)


def test_select_get_json(server):
    r = get(server, SELECT)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/sparql-results+json")
    labels = [b["label"] for b in r.json()["results"]["bindings"]]
    assert {"type": "literal", "value": "Acme", "xml:lang": "en"} in labels
    assert {"type": "literal", "value": "頂峰", "xml:lang": "zh-hant"} in [
        {**l, "xml:lang": l["xml:lang"].lower()} for l in labels]


def test_select_post_form_and_direct(server):
    form = requests.post(server + "/sparql", data={"query": SELECT}, timeout=30)
    direct = requests.post(server + "/sparql", data=SELECT.encode(),
                           headers={"Content-Type": "application/sparql-query"}, timeout=30)
    assert form.status_code == direct.status_code == 200
    assert form.json() == direct.json()


@pytest.mark.parametrize("accept,media", [
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("application/json", "application/sparql-results+json"),
    ("text/csv;q=0.5, text/tab-separated-values;q=0.9", "text/tab-separated-values"),
    ("text/html, */*;q=0.1", "application/sparql-results+json"),
])
def test_select_formats_by_accept(server, accept, media):
    r = get(server, SELECT, headers={"Accept": accept})
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].split(";")[0] == media
    assert "Accept" in r.headers["Vary"]


def test_select_results_parse_in_each_format(server):
    xml = get(server, SELECT, format="xml")
    parsed = list(ox.parse_query_results(xml.content, ox.QueryResultsFormat.XML))
    assert len(parsed) == 2
    tsv = get(server, SELECT, format="tsv")
    assert len(list(ox.parse_query_results(tsv.content, ox.QueryResultsFormat.TSV))) == 2
    rows = list(csv.reader(io.StringIO(get(server, SELECT, format="csv").text)))
    assert rows[0] == ["label"] and sorted(r[0] for r in rows[1:]) == ["Acme", "頂峰"]


@pytest.mark.parametrize("fmt,media", [
    ("turtle", "text/turtle"), ("jsonld", "application/ld+json"), ("ntriples", "application/n-triples"),
    ("rdfxml", "application/rdf+xml"), ("trig", "application/trig"), ("nquads", "application/n-quads"),
])
def test_construct_formats(server, fmt, media):
    by_param = get(server, CONSTRUCT, format=fmt)
    by_accept = get(server, CONSTRUCT, headers={"Accept": media})
    for r in (by_param, by_accept):
        assert r.status_code == 200, r.text
        assert r.headers["Content-Type"].split(";")[0] == media
    parsed = list(ox.parse(by_param.content, format=ox.RdfFormat.from_media_type(media)))
    assert len(parsed) == 2


def test_construct_turtle_uses_prefixes(server):
    r = get(server, CONSTRUCT, format="turtle")
    assert "@prefix rdfs:" in r.text


def test_ask_and_describe(server):
    ask = get(server, ASK)
    assert ask.json() == {"head": {}, "boolean": True}
    ask_xml = get(server, ASK, headers={"Accept": "application/sparql-results+xml"})
    assert "<boolean>true</boolean>" in ask_xml.text
    describe = get(server, f"DESCRIBE <{BASE}id/org/acme>", headers={"Accept": "application/n-triples"})
    assert describe.status_code == 200 and describe.text.count("\n") == 2


def test_406_when_format_cannot_be_produced(server):
    r = get(server, SELECT, headers={"Accept": "image/png"})
    assert r.status_code == 406
    assert "application/sparql-results+json" in r.text
    assert get(server, ASK, headers={"Accept": "text/csv"}).status_code == 406
    assert get(server, CONSTRUCT, headers={"Accept": "application/sparql-results+json"}).status_code == 406
    assert get(server, SELECT, format="bogus").status_code == 406


def test_400_with_parser_message(server):
    r = get(server, "SELECT * WHERE { ?s ?p }")
    assert r.status_code == 400
    assert r.text.startswith("Malformed query: error at 1:")


def test_protocol_errors(server):
    assert requests.put(server + "/sparql", data="ASK {}", timeout=10).status_code == 405
    assert requests.post(server + "/sparql", data=b"ASK {}", headers={"Content-Type": "text/plain"},
                         timeout=10).status_code == 415
    twice = requests.get(server + "/sparql?query=ASK%7B%7D&query=ASK%7B%7D", timeout=10)
    assert twice.status_code == 400


def test_dataset_parameters_select_graphs(server):
    count = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
    everything = int(get(server, count).json()["results"]["bindings"][0]["n"]["value"])
    reference = get(server, count, **{"default-graph-uri": BASE + "graph/reference"})
    assert int(reference.json()["results"]["bindings"][0]["n"]["value"]) == 1
    assert everything == 23  # union of all named graphs when no dataset is given
    from_clause = get(server, f"SELECT (COUNT(*) AS ?n) FROM <{BASE}graph/reference> {{ ?s ?p ?o }}")
    assert int(from_clause.json()["results"]["bindings"][0]["n"]["value"]) == 1


def test_service_description(server):
    r = requests.get(server + "/sparql", timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/turtle")
    graph = Graph().parse(data=r.text, format="turtle")
    endpoint = URIRef(server + "/sparql")
    assert (endpoint, RDF.type, SD.Service) in graph
    assert (endpoint, SD.endpoint, endpoint) in graph  # the W3C "has-endpoint-triple" test
    formats = {str(o) for o in graph.objects(endpoint, SD.resultFormat)}
    assert "http://www.w3.org/ns/formats/SPARQL_Results_JSON" in formats
    assert "http://www.w3.org/ns/formats/Turtle" in formats and len(formats) == 10
    limits = {str(p).split("#")[-1]: o.toPython() for p, o in graph.predicate_objects(endpoint)
              if str(p).startswith(BASE)}
    assert limits["resultRowLimit"] == 10_000 and float(limits["queryTimeLimit"]) == 10.0
    jsonld = requests.get(server + "/sparql", headers={"Accept": "application/ld+json"}, timeout=10)
    assert jsonld.headers["Content-Type"].startswith("application/ld+json")
    json.loads(jsonld.text)


def test_browser_gets_the_query_page(server):
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    r = requests.get(server + "/sparql", headers={"Accept": accept}, timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    assert "/static/yasgui/yasgui.min.js" in r.text and "cdn" not in r.text.lower()
    js = requests.get(server + "/static/yasgui/yasgui.min.js", timeout=10)
    assert js.status_code == 200 and len(js.content) > 100_000


def test_cors_on_reads(server):
    r = get(server, ASK, headers={"Origin": "https://example.org"})
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    preflight = requests.options(server + "/sparql", headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"}, timeout=10)
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]


def test_updates_refused_when_read_only(server):
    r = requests.post(server + "/sparql", data=b"CLEAR ALL",
                      headers={"Content-Type": "application/sparql-update"}, timeout=10)
    assert r.status_code == 403 and "read-only" in r.text
    r = requests.put(server + "/store?default", data=b"", headers={"Content-Type": "text/turtle"}, timeout=10)
    assert r.status_code == 403
    assert get(server, ASK)  # still serving


# -- the union default graph is a set --------------------------------------------------------
E = "http://example.org/"
SHARED_NQUADS = (f'<{E}acme> <{E}name> "Acme" <{E}g1> .\n<{E}acme> <{E}name> "Acme" <{E}g2> .\n'
                 f'<{E}r1> <{E}about> <{E}acme> <{E}g1> .\n')
SHARED_COUNT = "SELECT (COUNT(*) AS ?n) {clauses} WHERE {{ {pattern} }}"


@pytest.fixture(scope="module")
def shared_root(tmp_path_factory):
    return make_store(tmp_path_factory.mktemp("shared-triple"), SHARED_NQUADS)


@pytest.fixture(scope="module")
def shared_server(shared_root):
    with running_server(make_config(shared_root, workers=1)) as url:
        yield url


def _count(url, clauses="", pattern=f"<{E}acme> ?p ?o", method="get", **dataset) -> int:
    query = SHARED_COUNT.format(clauses=clauses, pattern=pattern)
    headers = {"Accept": "application/sparql-results+json"}
    if method == "get":
        r = requests.get(url + "/sparql", params={"query": query, **dataset}, headers=headers, timeout=30)
    else:
        r = requests.post(url + "/sparql", data={"query": query, **dataset}, headers=headers, timeout=30)
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


@pytest.mark.parametrize("clauses", ["", f"FROM <{E}g1> FROM <{E}g2>", f"FROM <{E}g1> FROM <{E}g2> FROM NAMED <{E}g1>"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_triple_in_two_graphs_counts_once(shared_server, clauses, method):
    assert _count(shared_server, clauses, method=method) == 1
    assert _count(shared_server, method=method, **{"default-graph-uri": [f"{E}g1", f"{E}g2"]}) == 1


def test_graph_still_finds_the_triple_in_each_graph(shared_server):
    assert _count(shared_server, pattern=f"GRAPH ?g {{ <{E}acme> ?p ?o }}") == 2
    assert _count(shared_server, pattern=f"GRAPH ?g {{ <{E}acme> ?p ?o }}",
                  **{"named-graph-uri": [f"{E}g1", f"{E}g2"]}) == 2


def test_construct_describe_and_ask_see_one_triple(shared_server):
    for clauses in ("", f"FROM <{E}g1> FROM <{E}g2>"):
        for query in (f"CONSTRUCT {{ <{E}acme> ?p ?o }} {clauses} WHERE {{ <{E}acme> ?p ?o }}",
                      f"DESCRIBE <{E}acme> {clauses}"):
            r = requests.get(shared_server + "/sparql", params={"query": query},
                             headers={"Accept": "application/n-triples"}, timeout=30)
            assert r.status_code == 200, r.text
            assert r.text.count(f"<{E}acme> <{E}name>") == 1, (query, r.text)
        ask = requests.get(shared_server + "/sparql", params={"query": f"ASK {clauses} {{ <{E}r1> ?p <{E}acme> }}"},
                           headers={"Accept": "application/sparql-results+json"}, timeout=30)
        assert ask.json()["boolean"] is True


def test_pages_and_named_queries_count_once_too(shared_root):
    """Named queries, pages and pictures query through the backend's Sparql (service/state.py)."""
    from esgkg.service.backends.factory import make_backend
    from esgkg.service.backends.sparql import BackendSparql

    backend = make_backend(make_config(shared_root, workers=1))
    try:
        sparql = BackendSparql(backend)
        assert sparql.select(SHARED_COUNT.format(clauses="", pattern=f"<{E}acme> ?p ?o")).values("n") == ["1"]
        assert len(sparql.construct(f"DESCRIBE <{E}acme>")) == 1
    finally:
        backend.close()


def test_update_mode_readers_count_once_after_a_write(tmp_path):
    """A write publishes a new version; its union copy is there before readers switch to it."""
    root = make_store(tmp_path, SHARED_NQUADS)
    token = "union-token"
    with running_server(make_config(root, allow_update=True, update_token=token)) as url:
        r = requests.post(url + "/update", timeout=60,
                          data=f'INSERT DATA {{ GRAPH <{E}g3> {{ <{E}acme> <{E}name> "Acme" }} }}'.encode(),
                          headers={"Authorization": f"Bearer {token}", "Content-Type": "application/sparql-update"})
        assert r.status_code == 204, r.text
        assert _count(url) == 1
        assert _count(url, pattern=f"GRAPH ?g {{ <{E}acme> ?p ?o }}") == 3


def test_a_well_formed_query_the_engine_cannot_evaluate_is_422(server):
    """An unknown function is no syntax error (W3C syntax-query test_4 must not be a 400)."""
    r = get(server, "PREFIX ex: <http://example.org/> SELECT (ex:nosuchfunction(1) AS ?x) WHERE {}")
    assert r.status_code == 422, r.text
    assert "nosuchfunction" in r.text
    assert get(server, "SELECT * WHERE {").status_code == 400
