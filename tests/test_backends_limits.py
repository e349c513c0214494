"""The worker pool's limits under attack: memory, answer size, dead workers, slow queries,
and writes that are cut off, refused or rejected.

Every case ends with the same two checks a user depends on: the client got a 4xx/503 that
says what happened (never a traceback), and the service still answers afterwards.
"""
from __future__ import annotations

import os
import signal
import threading
import time

import psutil
import pyoxigraph as ox
import pytest
import requests

from esgkg.graph.build import build
from esgkg.graph.store import StoreRoot
from sparql_support import BASE, make_store, running_server, sample_nquads, make_config

TOKEN = "limits-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"}
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
COUNT = "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"


def post(url: str, text: str, timeout: float = 60, **params: str) -> requests.Response:
    return requests.post(url + "/sparql", data={"query": text, **params}, timeout=timeout)


def ask_ok(url: str) -> bool:
    return post(url, "ASK { ?s ?p ?o }", timeout=30).json()["boolean"] is True


def doubling(steps: int, select_value: bool = False) -> str:
    """A few hundred bytes of SPARQL whose strings double at each BIND (16 * 2**steps chars).

    Only the length is selected unless ``select_value``: then the one row holds the string.
    """
    binds = ['BIND("0123456789abcdef" AS ?a0)']
    binds += [f"BIND(CONCAT(?a{i}, ?a{i}) AS ?a{i + 1})" for i in range(steps)]
    projection = f"?a{steps}" if select_value else f"(STRLEN(?a{steps}) AS ?n)"
    return f"SELECT {projection} WHERE {{ {' '.join(binds)} }}"


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> StoreRoot:
    return make_store(tmp_path_factory.mktemp("limits"), sample_nquads(50))


def test_a_query_that_takes_too_much_memory_is_stopped(root):
    with running_server(make_config(root, workers=1, worker_memory=1536 * 2**20)) as url:
        assert post(url, doubling(20)).status_code == 200  # 16 MB: fine
        r = post(url, doubling(27))  # 2 GB of strings
        assert r.status_code == 503, r.text
        assert "1536 MB of memory" in r.text and "Traceback" not in r.text
        assert ask_ok(url)


def test_an_answer_over_the_byte_cap_is_refused_before_it_is_written(root):
    with running_server(make_config(root, workers=1, max_result_bytes=50_000)) as url:
        big = ("SELECT ?s (CONCAT(STR(?s), \"" + "x" * 2000 + "\") AS ?v) WHERE { ?s ?p ?o } LIMIT 200")
        r = post(url, big)
        assert r.status_code == 413 and "Result too large" in r.text
        assert post(url, doubling(18)).status_code == 200  # a 4 MB string, only its length returned
        one_row = post(url, doubling(18, select_value=True))  # the same string as the one row
        assert one_row.status_code == 413 and "Result too large" in one_row.text
        assert ask_ok(url)


def test_a_worker_killed_while_idle_costs_no_request(root):
    with running_server(make_config(root, workers=1)) as url:
        workers = [p for p in psutil.Process().children()
                   if "esgkg.service.backends.worker" in " ".join(p.cmdline())]
        assert len(workers) == 1
        os.kill(workers[0].pid, signal.SIGKILL)
        workers[0].wait(5)
        r = post(url, "ASK { ?s ?p ?o }")
        assert r.status_code == 200, r.text


def test_cheap_queries_are_answered_while_slow_ones_hold_workers(root):
    """Workers outnumber slow queries: a cheap query finds an idle one at once."""
    config = make_config(root, workers=4, threads=12, query_timeout=4.0)
    with running_server(config) as url:
        finished: list[float] = []

        def slow() -> None:
            post(url, SLOW)
            finished.append(time.monotonic())

        threads = [threading.Thread(target=slow) for _ in range(2)]
        for t in threads:
            t.start()
        time.sleep(0.3)  # both slow queries are running
        cheap = post(url, "ASK { ?s ?p ?o }")
        answered = time.monotonic()
        static = requests.get(url + "/static/esgkg.css", timeout=10)
        for t in threads:
            t.join()
        assert cheap.status_code == 200 and static.status_code == 200
        assert all(answered < t for t in finished)  # it did not wait for either slow query


def test_when_every_worker_is_busy_the_wait_is_bounded_and_says_retry(root):
    config = make_config(root, workers=1, max_workers=1, threads=8, query_timeout=4.0, queue_wait=0.5)
    with running_server(config) as url:
        holder = threading.Thread(target=post, args=(url, SLOW))
        holder.start()
        time.sleep(0.3)
        r = post(url, "ASK { ?s ?p ?o }")
        holder.join()
        assert r.status_code == 503 and "busy" in r.text and r.headers.get("Retry-After")


# -- writes ---------------------------------------------------------------------------------

def _slow_validation_hook(tmp_path, monkeypatch, seconds: float) -> None:
    """Make the worker's validation step take ``seconds`` (the hook runs in the worker)."""
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(
        "import time\n"
        "from esgkg.service.backends import update_hook\n"
        "def slow(store, base_iri=None):\n"
        f"    time.sleep({seconds})\n"
        "    return []\n"
        "update_hook.validate_update = slow\n")
    monkeypatch.setenv("PYTHONPATH", str(hook))


def test_a_write_cut_off_by_the_time_limit_keeps_nothing(tmp_path, monkeypatch):
    root = make_store(tmp_path / "store", sample_nquads(3))
    _slow_validation_hook(tmp_path, monkeypatch, seconds=3.0)
    config = make_config(root, workers=1, allow_update=True, update_token=TOKEN, query_timeout=1.0)
    with running_server(config) as url:
        before = post(url, COUNT).json()
        triples = "".join(f"<http://example.org/s{i}> <http://example.org/p> \"{i}\" .\n" for i in range(20_000))
        put = requests.put(url + "/store", params={"graph": "http://example.org/big"}, data=triples.encode(),
                           headers={**AUTH, "Content-Type": "application/n-triples"}, timeout=30)
        assert put.status_code == 503, put.text
        insert = requests.post(url + "/update", headers=AUTH, timeout=30,
                               data=b"INSERT DATA { <http://example.org/x> <http://example.org/p> 1 }")
        assert insert.status_code == 503
        time.sleep(1.0)  # nothing is published late either
        assert post(url, COUNT).json() == before
    assert StoreRoot(root.root).current().version == root.current().version


def test_edits_survive_a_failed_write_and_a_restart(tmp_path):
    root = make_store(tmp_path / "store", sample_nquads(3))
    config = make_config(root, workers=1, allow_update=True, update_token=TOKEN)
    with running_server(config) as url:
        ok = requests.post(url + "/update", headers=AUTH, timeout=30,
                           data=b"INSERT DATA { GRAPH <http://example.org/kept> { <http://example.org/a> <http://example.org/p> 1 } }")
        assert ok.status_code == 204
        bad = requests.post(url + "/update", headers=AUTH, timeout=30, data=b"INSERT DATA { <a> ")
        assert bad.status_code == 400
        refused = requests.post(url + "/update", headers=AUTH, timeout=30,
                                data=b"INSERT { <http://example.org/b> <http://example.org/p> ?o } "
                                     b"WHERE { BIND(<urn:no-such-function>(1) AS ?o) }")
        # Well-formed but not carried out: 409 (400 is kept for malformed text, docs/sparql-endpoint.md).
        assert refused.status_code == 409 and "Traceback" not in refused.text
    with running_server(config) as url:
        assert post(url, "ASK { GRAPH <http://example.org/kept> { ?s ?p ?o } }").json()["boolean"]


@pytest.fixture(scope="module")
def built_root(tmp_path_factory, fixture_reports) -> StoreRoot:
    store_root = StoreRoot(tmp_path_factory.mktemp("limits-built") / "store")
    build(store_root, reports_root=fixture_reports)
    return store_root


@pytest.mark.parametrize("update", [
    "DROP GRAPH <{base}graph/shapes>",
    "CLEAR ALL",
    "DROP ALL",
    "DELETE WHERE {{ GRAPH <{base}graph/ontology> {{ ?s ?p ?o }} }}",
    "INSERT DATA {{ GRAPH <{base}graph/reference> {{ <urn:a> <urn:b> <urn:c> }} }}",
], ids=["drop-shapes", "clear-all", "drop-all", "delete-ontology", "insert-reference"])
def test_system_graphs_are_not_the_updates_to_change(built_root, update):
    config = make_config(built_root, workers=1, allow_update=True, update_token=TOKEN)
    version = built_root.current().version
    with running_server(config) as url:
        r = requests.post(url + "/update", headers=AUTH, timeout=120, data=update.format(base=BASE).encode())
        assert r.status_code == 403 and "system graph" in r.text, r.text
        shapes = post(url, f"ASK {{ GRAPH <{BASE}graph/shapes> {{ ?s ?p ?o }} }}").json()["boolean"]
        assert shapes
    assert built_root.current().version == version
    store = ox.Store.read_only(str(built_root.current().path))
    assert store.contains_named_graph(ox.NamedNode(f"{BASE}graph/shapes"))


# -- queries that crash the engine ------------------------------------------------------------

def _binds(n: int) -> str:
    return "SELECT ?v0 WHERE { " + " ".join(f"BIND({i} AS ?v{i})" for i in range(n)) + " }"


@pytest.mark.parametrize("text", [
    "SELECT (" + "+".join(["1"] * 10_000) + " AS ?x) {}",
    "SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * 10_000) + " }",
    "SELECT * WHERE { ?s ?p ?o " + " ".join(["FILTER(?o)"] * 10_000) + " }",
    "SELECT * WHERE { ?s " + "/".join(["<http://example.org/p>"] * 10_000) + " ?o }",
    _binds(3_000),  # over the default stack's depth (about 2,500), well inside the engine thread's
], ids=["10k-plus", "10k-union", "10k-filter", "10k-path-steps", "3k-binds"])
def test_deep_queries_run_or_are_refused_never_crash(root, text):
    with running_server(make_config(root, workers=1, query_timeout=20.0)) as url:
        r = post(url, text)
        assert r.status_code in (200, 400), r.text[:300]
        assert "Traceback" not in r.text
        if r.status_code == 400:
            assert "not accepted" in r.text
        assert ask_ok(url)


def test_a_query_that_kills_its_worker_is_refused_the_second_time(tmp_path):
    """pyoxigraph 0.5.13 aborts on ORDER BY over numbers mixed with strings (more than 20 rows)."""
    # Numbers mixed with strings that start with digits: this set, stored in RocksDB, makes
    # the engine's sort abort (found by a seeded search; see docs/upstream/oxigraph-crashes.md).
    values = ['31', '93', '20', 3, 38, '98', 67, 36, '14', 4, 34, '25', 38, 94, '48', '78', 50, '23', '36', 71,
              1, 74, 40, '66', 55, 56, '30', '6', 60, 36, 83, '44', '87', 53, 82, '36', 56, 42, 26, 13]
    integer = "^^<http://www.w3.org/2001/XMLSchema#integer>"
    lines = [f'<http://example.com/s{i:03d}> <http://example.com/p> "{v}"{"" if isinstance(v, str) else integer} '
             '<http://example.com/g> .' for i, v in enumerate(values)]
    root = make_store(tmp_path / "store", "\n".join(lines) + "\n")
    crasher = "SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?o"
    with running_server(make_config(root, workers=1)) as url:
        first = post(url, crasher)
        if first.status_code == 200:
            pytest.skip("this pyoxigraph sorts mixed literals without aborting")
        assert first.status_code == 500 and "worker was replaced" in first.text
        assert "Traceback" not in first.text
        again = post(url, "SELECT ?o   WHERE { GRAPH ?g { ?s ?p ?o } }\n ORDER BY ?o ")  # spacing aside, the same
        assert again.status_code == 500 and again.text == first.text
        assert ask_ok(url)
