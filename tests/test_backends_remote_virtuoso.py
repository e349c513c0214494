"""A second real engine: `esgkg push` into Virtuoso Open Source and `esgkg serve --store` on
it, and every named query answered the same by the embedded store, `oxigraph serve` and
Virtuoso (each engine started once, on loopback, with the bundled dataset pushed into it)."""
from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from click.testing import CliRunner

from engines_support import (OXIGRAPH_MISSING, VIRTUOSO_MISSING, Answer, assert_limits_hold, differences, start_oxigraph,
                             start_virtuoso, virtuoso_available)
from esgkg.graph import named_queries
from esgkg.service.commands.push import push
from esgkg.service.backends.remote import push as push_graphs
from esgkg.service.config import Config
from report_support import required_params
from sparql_support import BASE, W3C_GRAPHS, make_store, running_server, sample_nquads
from test_clients_w3c_protocol import ENTRIES, HT, MANIFEST, _check, _is_update_test, _requests_of, _send

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not virtuoso_available(), reason=VIRTUOSO_MISSING)]
TOKEN = "virtuoso-token"
SCRATCH = "http://example.org/virtuoso-scratch"
JSON = {"Accept": "application/sparql-results+json"}

# Where Virtuoso 7.2 answers a named query differently, and why (docs/sparql-endpoint.md,
# "Remote engines"). Each is an xfail(strict=True): the day it agrees, the test says so.
EMPTY_CONCAT = ("Virtuoso bug: GROUP_CONCAT over a group whose values are all unbound (an "
                "OPTIONAL that did not match) gives \"\"; SPARQL 1.1 keeps the errors in ListEval, so "
                "the aggregate is an error and the variable unbound, as Oxigraph answers")
VIRTUOSO_DIFFERS = {name: EMPTY_CONCAT for name in (
    "gri-index", "hkex-coverage", "hkex-index", "sdg-topics", "targets-vs-actuals", "topic-metrics",
    "topic-sdgs")}
# Seen after the queries bound the report's language once, where the report is selected, and
# filter on it inside each label's OPTIONAL (docs/named-queries.md; 32 s to 0.3 s at 10 reports
# on Oxigraph): Virtuoso 7.2 leaves the as-printed label unbound on some rows (2 of 55 in
# topics-by-pillar). SPARQL 1.1 evaluates that FILTER as the LeftJoin's condition over the
# joined solution, outer variables included (§18.2.2.6), which Oxigraph does. Not isolated
# further yet; docs/sparql-endpoint.md, Remote engines.
OUTER_LANGUAGE = ("Virtuoso: an OPTIONAL whose FILTER reads a variable bound outside it (the report's "
                  "language) leaves the label unbound on some rows, where SPARQL 1.1 makes the filter the "
                  "LeftJoin's condition over the joined solution, as Oxigraph answers")
FILTERS_ON_OUTER_LANGUAGE = ("reports", "risks-opportunities", "sdg-coverage", "sdgs-per-company",
                             "shared-material-topics", "stakeholder-concerns", "topic-policies",
                             "topics-by-pillar", "value-provenance")
for _name in FILTERS_ON_OUTER_LANGUAGE:
    VIRTUOSO_DIFFERS.setdefault(_name, OUTER_LANGUAGE)
ALSO_OUTER_LANGUAGE = ("hkex-coverage", "sdg-topics", "targets-vs-actuals", "topic-metrics", "topic-sdgs")
NAMES = sorted(named_queries.load_all())


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    engine = start_virtuoso(tmp_path_factory.mktemp("virtuoso"), timeout_s=30)
    yield engine
    engine.stop()


@pytest.fixture(scope="module")
def pushed(virtuoso, bundled_store):
    """`esgkg push URL` as a user types it, into Virtuoso's Graph Store endpoint."""
    result = CliRunner().invoke(push, [virtuoso.store, "--store", str(bundled_store.root)])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def remote(virtuoso, pushed):
    """`esgkg serve --store http://.../sparql`: the update and Graph Store URLs are Virtuoso's
    defaults, found from the query URL."""
    config = Config(store=virtuoso.query, query_timeout=60.0, allow_update=True, update_token=TOKEN)
    with running_server(config) as url:
        yield url


def test_push_loads_every_graph(virtuoso, pushed, bundled_store):
    store, _info = bundled_store.open_read_only()
    local = {g.value: sum(1 for _ in store.quads_for_pattern(None, None, None, g)) for g in store.named_graphs()}
    query = "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), ?base)) } GROUP BY ?g"
    answer = requests.post(virtuoso.query, data={"query": query.replace("?base", f'"{BASE}"')},
                           headers=JSON, timeout=30).json()
    remote_counts = {b["g"]["value"]: int(b["n"]["value"]) for b in answer["results"]["bindings"]}
    assert remote_counts == local
    assert f"pushed {sum(local.values())} triples" in pushed


def test_push_again_replaces(virtuoso, pushed, bundled_store):
    again = CliRunner().invoke(push, [virtuoso.store, "--store", str(bundled_store.root)])
    assert again.exit_code == 0 and again.output == pushed


def test_select_construct_and_errors_from_virtuoso(remote):
    query = f"SELECT ?id {{ ?r a <{BASE}ontology#Report> ; <http://purl.org/dc/terms/identifier> ?id }} ORDER BY ?id"
    csv = requests.get(remote + "/sparql", params={"query": query}, headers={"Accept": "text/csv"}, timeout=30)
    assert csv.status_code == 200 and csv.text.splitlines()[0] == "id" and len(csv.text.splitlines()) > 1
    first = csv.text.splitlines()[1]
    construct = requests.get(remote + "/sparql", timeout=30, params={"format": "turtle", "query": (
        f'CONSTRUCT {{ ?r ?p ?o }} WHERE {{ ?r <http://purl.org/dc/terms/identifier> "{first}" ; ?p ?o }}')})
    assert construct.status_code == 200 and "@prefix" in construct.text and first in construct.text
    assert requests.get(remote + "/sparql", params={"query": "SELECT * {"}, timeout=30).status_code == 400


@pytest.mark.parametrize("media_type", ["application/sparql-results+json", "application/sparql-results+xml"])
def test_ask_is_a_boolean(remote, media_type):
    """Virtuoso 7 answers ASK with a table (one column, __ASK_RETVAL); clients get a boolean."""
    asks = {True: f"ASK {{ ?r a <{BASE}ontology#Report> }}", False: "ASK { <urn:nothing> ?p ?o }"}
    for expected, query in asks.items():
        r = requests.get(remote + "/sparql", params={"query": query}, headers={"Accept": media_type}, timeout=30)
        assert r.status_code == 200 and r.headers["Content-Type"].startswith(media_type)
        if media_type.endswith("json"):
            assert r.json() == {"head": {}, "boolean": expected}
        else:
            assert f"<boolean>{str(expected).lower()}</boolean>" in r.text


def test_update_and_graph_store_through_esgkg(remote):
    auth = {"Authorization": f"Bearer {TOKEN}"}
    insert = f'INSERT DATA {{ GRAPH <{SCRATCH}> {{ <urn:a> <urn:b> "頂峰"@zh-Hant }} }}'
    r = requests.post(remote + "/update", data=insert.encode(), timeout=30,
                      headers={**auth, "Content-Type": "application/sparql-update"})
    assert r.status_code == 204, r.text
    ask = requests.get(remote + "/sparql", headers=JSON, timeout=30,
                       params={"query": f"ASK {{ GRAPH <{SCRATCH}> {{ <urn:a> <urn:b> ?o }} }}"})
    assert ask.json()["boolean"] is True
    put = requests.put(remote + "/store", params={"graph": SCRATCH}, timeout=30,
                       data="<urn:a> <urn:b> <urn:c> .".encode(),
                       headers={**auth, "Content-Type": "application/n-triples"})
    assert put.status_code in (201, 204)
    got = requests.get(remote + "/store", params={"graph": SCRATCH}, headers={"Accept": "text/turtle"}, timeout=30)
    assert got.status_code == 200 and "urn:c" in got.text and "頂峰" not in got.text  # PUT replaced it
    deleted = requests.delete(remote + "/store", params={"graph": SCRATCH}, headers=auth, timeout=30)
    assert deleted.status_code == 204
    assert requests.get(remote + "/store", params={"graph": SCRATCH}, timeout=30).status_code == 404
    refused = requests.post(remote + "/update", data=insert.encode(), timeout=30,
                            headers={"Content-Type": "application/sparql-update"})
    assert refused.status_code in (401, 403)


@pytest.fixture(scope="module")
def w3c_server(tmp_path_factory):
    """esgkg on a Virtuoso of its own holding the W3C protocol tests' data (their updates
    clear graphs, so they never share the engine with the bundled dataset)."""
    engine = start_virtuoso(tmp_path_factory.mktemp("virtuoso-w3c"))
    try:
        push_graphs(make_store(tmp_path_factory.mktemp("w3c-local"), sample_nquads(100), W3C_GRAPHS),
                    engine.store)
        config = Config(store=engine.query, query_timeout=10.0, max_rows=50, allow_update=True,
                        update_token=TOKEN)
        with running_server(config) as url:
            yield url
    finally:
        engine.stop()


@pytest.mark.parametrize("test", ENTRIES, ids=[t.split("#")[-1] for t in ENTRIES])
def test_w3c_protocol_tests_on_virtuoso(w3c_server, test):
    """Query and update, one engine: Virtuoso takes USING with its union default graph."""
    token = TOKEN if _is_update_test(test) else None
    for req in _requests_of(test):
        _check(_send(w3c_server, req, token), MANIFEST.value(req, HT.resp))


# -- the same named queries on the three engines ----------------------------------------------

@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory, bundled_store):
    if shutil.which("oxigraph") is None:
        pytest.skip(OXIGRAPH_MISSING)
    engine = start_oxigraph(tmp_path_factory.mktemp("oxigraph"), timeout_s=60)
    result = CliRunner().invoke(push, [engine.store, "--store", str(bundled_store.root)])
    assert result.exit_code == 0, result.output
    yield engine
    engine.stop()


@pytest.fixture(scope="module")
def answers(bundled_store, oxigraph, remote):
    """Each named query's answer (defaults bound) through esgkg's /sparql on each engine.

    The three engines are asked side by side, one thread each (they are separate processes),
    since Oxigraph's time on the heavy queries is most of this module's."""
    local_config = Config(store=str(bundled_store.root), query_timeout=120.0, workers=2)
    with running_server(local_config) as local, \
            running_server(Config(store=oxigraph.query, query_timeout=120.0)) as via_oxigraph:
        servers = {"local": local, "oxigraph": via_oxigraph, "virtuoso": remote}

        def ask_all(engine: str) -> dict[str, Answer | str]:
            got: dict[str, Answer | str] = {}
            for name in NAMES:
                r = requests.post(servers[engine] + "/sparql", data={"query": _text(name)}, headers=JSON,
                                  timeout=180)
                got[name] = Answer.from_json(r.content) if r.status_code == 200 else \
                    f"{name} on {engine}: {r.status_code} {r.text[:500]}"
            return got

        with ThreadPoolExecutor(len(servers)) as pool:
            found = dict(zip(servers, pool.map(ask_all, servers)))

    def answer(engine: str, name: str) -> Answer:
        result = found[engine][name]
        assert isinstance(result, Answer), result
        return result

    return answer


def _text(name: str) -> str:
    query = named_queries.get(name)
    return named_queries.bind(query, required_params(query))  # search needs its text


@pytest.mark.parametrize("name", NAMES)
def test_named_query_same_on_oxigraph_serve(answers, name):
    assert differences(_text(name), answers("local", name), answers("oxigraph", name)) == []


@pytest.mark.parametrize("name", [
    pytest.param(n, marks=pytest.mark.xfail(reason=VIRTUOSO_DIFFERS[n], strict=True)) if n in VIRTUOSO_DIFFERS
    else n for n in NAMES])
def test_named_query_same_on_virtuoso(answers, name):
    assert differences(_text(name), answers("local", name), answers("virtuoso", name)) == []


@pytest.mark.parametrize("name", [
    pytest.param(n, marks=pytest.mark.xfail(reason=OUTER_LANGUAGE, strict=True)) if n in ALSO_OUTER_LANGUAGE else n
    for n in sorted(n for n, why in VIRTUOSO_DIFFERS.items() if why == EMPTY_CONCAT)])
def test_virtuoso_differs_only_by_empty_group_concat(answers, name):
    """Where the answers differ, the recorded cause is the only difference."""
    assert differences(_text(name), answers("local", name), answers("virtuoso", name),
                       empty_concat_unbound=True) == []


def test_answer_cut_by_virtuoso_is_never_served_short(virtuoso, pushed):
    """The engine stops at its ResultSetMaxRows (20,000 here) with a 200 and a header."""
    query = "SELECT ?s { ?s ?p ?o }"  # more than 50,000 rows
    with running_server(Config(store=virtuoso.query, query_timeout=60.0, max_rows=30_000)) as url:
        cut = requests.get(url + "/sparql", params={"query": query}, timeout=90)
        assert cut.status_code == 502 and "ResultSetMaxRows" in cut.text
    with running_server(Config(store=virtuoso.query, query_timeout=60.0, max_rows=10_000)) as url:
        assert requests.get(url + "/sparql", params={"query": query}, timeout=90).status_code == 413


# Last: the query it gives up on keeps Virtuoso busy until the engine's own limit.
def test_limits_in_remote_mode_on_virtuoso(virtuoso, pushed):
    with running_server(Config(store=virtuoso.query, query_timeout=2.0, max_rows=50)) as url:
        assert_limits_hold(url, "SELECT * { ?s ?p ?o } LIMIT 100",
                           "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }", 5)
