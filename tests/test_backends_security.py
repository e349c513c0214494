"""Secure by default: no outbound connections, time limit, row cap, body limit, updates off.

The time-limit test also measures what the worker pool is for: a simple query answered
while a slow one runs (latencies are printed; run with -s to see them).
"""
from __future__ import annotations

import statistics
import threading
import time

import pytest
import requests

from security_support import Listener
from sparql_support import BASE, make_store, running_server, sample_nquads, make_config

TOKEN = "security-test-token"
SLOW = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }")
FAST = f"ASK {{ <{BASE}id/org/acme> ?p ?o }}"


@pytest.fixture(scope="module")
def store_root(tmp_path_factory):
    return make_store(tmp_path_factory.mktemp("security"), sample_nquads(100))


@pytest.fixture(scope="module")
def server(store_root):
    config = make_config(store_root, query_timeout=2.0, max_rows=50, max_body=10_000, workers=2)
    with running_server(config) as url:
        yield url


@pytest.fixture(scope="module")
def update_server(tmp_path_factory):
    root = make_store(tmp_path_factory.mktemp("security-update"), sample_nquads(5))
    with running_server(make_config(root, allow_update=True, update_token=TOKEN, query_timeout=5.0)) as url:
        yield url


def query(url: str, text: str, timeout: float = 30, **params: str) -> requests.Response:
    return requests.post(url + "/sparql", data={"query": text, **params}, timeout=timeout)


def test_no_outbound_connection_whatever_the_query_says(server, update_server):
    listener = Listener()
    target = f"http://127.0.0.1:{listener.port}"
    try:
        service = query(server, f"SELECT * WHERE {{ SERVICE <{target}/sparql> {{ ?s ?p ?o }} }}")
        assert service.status_code == 403 and "SERVICE is not allowed" in service.text
        silent = query(server, f"SELECT * WHERE {{ SERVICE SILENT <{target}/sparql> {{ ?s ?p ?o }} }}")
        assert silent.status_code == 403
        escaped = query(server, "SELECT * WHERE { \\u0053ERVICE <" + target + "/s> { ?s ?p ?o } }")
        assert escaped.status_code in (400, 403)
        from_iri = query(server, f"ASK FROM <{target}/data.ttl> FROM NAMED <{target}/n.ttl> {{ ?s ?p ?o }}")
        assert from_iri.status_code == 200 and from_iri.json()["boolean"] is False
        by_protocol = query(server, "ASK { ?s ?p ?o }", **{"default-graph-uri": f"{target}/d.ttl",
                                                           "named-graph-uri": f"{target}/n.ttl"})
        assert by_protocol.status_code == 200 and by_protocol.json()["boolean"] is False
        auth = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"}
        load = requests.post(update_server + "/sparql", data=f"LOAD <{target}/data.ttl>".encode(),
                             headers=auth, timeout=10)
        assert load.status_code == 403
        load_where = requests.post(
            update_server + "/update", headers=auth, timeout=10,
            data=f"INSERT {{ <a:s> <a:p> ?o }} WHERE {{ SERVICE <{target}/q> {{ ?x ?y ?o }} }}".encode())
        assert load_where.status_code == 403
        time.sleep(0.5)  # give any stray connection time to arrive
        assert listener.connections == 0
    finally:
        listener.close()


def test_slow_query_times_out_and_others_keep_full_speed(server):
    baseline = []
    for _ in range(5):
        start = time.perf_counter()
        assert query(server, FAST).status_code == 200
        baseline.append(time.perf_counter() - start)

    slow_result: dict = {}

    def run_slow() -> None:
        start = time.perf_counter()
        slow_result["response"] = query(server, SLOW)
        slow_result["seconds"] = time.perf_counter() - start

    thread = threading.Thread(target=run_slow)
    thread.start()
    time.sleep(0.3)  # the slow query now holds one worker
    during = []
    while thread.is_alive() and len(during) < 20:
        start = time.perf_counter()
        r = query(server, FAST)
        during.append(time.perf_counter() - start)
        assert r.status_code == 200 and r.json()["boolean"] is True
        time.sleep(0.05)
    thread.join(30)
    slow = slow_result["response"]
    print(f"\nfast query alone: median {statistics.median(baseline) * 1000:.1f} ms; "
          f"while a slow query runs: median {statistics.median(during) * 1000:.1f} ms, "
          f"max {max(during) * 1000:.1f} ms over {len(during)} queries; "
          f"slow query answered 503 after {slow_result['seconds']:.2f} s")
    assert slow.status_code == 503
    assert "timed out" in slow.text and "2 s limit" in slow.text
    assert 1.9 <= slow_result["seconds"] < 5
    assert len(during) >= 5
    assert max(during) < 0.5, during  # never stuck behind the slow query
    # The killed worker is replaced: both workers serve again, concurrently.
    time.sleep(1.5)
    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(query(server, FAST).status_code))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert results == [200] * 4


def test_row_cap(server):
    over = query(server, f"SELECT ?s WHERE {{ ?s <{BASE}ontology#value> ?v }}")
    assert over.status_code == 413
    assert "more than 50 rows" in over.text and "LIMIT" in over.text
    assert over.headers["X-ESGKG-Row-Cap"] == "50"
    within = query(server, f"SELECT ?s WHERE {{ ?s <{BASE}ontology#value> ?v }} LIMIT 50")
    assert within.status_code == 200 and len(within.json()["results"]["bindings"]) == 50
    construct = query(server, "CONSTRUCT WHERE { ?s ?p ?o }")
    assert construct.status_code == 413 and "triples" in construct.text


def test_request_body_limit(server):
    big = "ASK { " + "# padding\n" * 2000 + "}"
    r = requests.post(server + "/sparql", data=big.encode(),
                      headers={"Content-Type": "application/sparql-query"}, timeout=10)
    assert r.status_code == 413
    assert query(server, FAST).status_code == 200


def test_update_needs_token(update_server):
    update = b"INSERT DATA { <http://example.org/s> <http://example.org/p> 1 }"
    headers = {"Content-Type": "application/sparql-update"}
    assert requests.post(update_server + "/sparql", data=update, headers=headers, timeout=10).status_code == 401
    wrong = {**headers, "Authorization": "Bearer nope"}
    r = requests.post(update_server + "/update", data=update, headers=wrong, timeout=10)
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Bearer")
    ok = {**headers, "Authorization": f"Bearer {TOKEN}"}
    assert requests.post(update_server + "/update", data=update, headers=ok, timeout=10).status_code == 204
    ask = query(update_server, "ASK { <http://example.org/s> <http://example.org/p> 1 }")
    assert ask.json()["boolean"] is True
