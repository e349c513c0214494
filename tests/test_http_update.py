"""Update mode: SPARQL Update and the Graph Store Protocol with a bearer token, and the
validation hook that rolls back an update the shapes reject."""
from __future__ import annotations

import time

import pyoxigraph as ox
import pytest
import requests

from esgkg.graph.store import StoreRoot
from sparql_support import BASE, make_store, running_server, sample_nquads, make_config

TOKEN = "update-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
G = "http://example.org/graph/one"


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> StoreRoot:
    return make_store(tmp_path_factory.mktemp("update"), sample_nquads(3))


@pytest.fixture(scope="module")
def server(root):
    with running_server(make_config(root, allow_update=True, update_token=TOKEN)) as url:
        yield url


def ask(url: str, text: str) -> bool:
    return requests.post(url + "/sparql", data={"query": text}, timeout=10).json()["boolean"]


def test_update_form_and_direct(server):
    r = requests.post(server + "/sparql", data={"update": f"INSERT DATA {{ GRAPH <{G}> {{ <a:s> <a:p> 1 }} }}"},
                      headers=AUTH, timeout=10)
    assert r.status_code == 204, r.text
    assert ask(server, f"ASK {{ GRAPH <{G}> {{ <a:s> <a:p> 1 }} }}")
    bad = requests.post(server + "/update", data=b"INSERT DATA {", timeout=10,
                        headers={**AUTH, "Content-Type": "application/sparql-update"})
    assert bad.status_code == 400 and "Malformed update" in bad.text


def test_graph_store_protocol(server):
    turtle = b"@prefix ex: <http://example.org/> . ex:a ex:b ex:c , ex:d ."
    put = requests.put(server + "/store", params={"graph": G + "/gsp"}, data=turtle,
                       headers={**AUTH, "Content-Type": "text/turtle"}, timeout=10)
    assert put.status_code == 201
    got = requests.get(server + "/store", params={"graph": G + "/gsp"},
                       headers={"Accept": "application/n-triples"}, timeout=10)
    assert got.status_code == 200 and got.text.count("\n") == 2
    post = requests.post(server + "/store", params={"graph": G + "/gsp"}, timeout=10,
                         data=b"<http://example.org/a> <http://example.org/b> <http://example.org/e> .",
                         headers={**AUTH, "Content-Type": "application/n-triples"})
    assert post.status_code == 204
    assert requests.get(server + "/store", params={"graph": G + "/gsp", "format": "nt"},
                        timeout=10).text.count("\n") == 3
    unauthorised = requests.delete(server + "/store", params={"graph": G + "/gsp"}, timeout=10)
    assert unauthorised.status_code == 401
    assert requests.delete(server + "/store", params={"graph": G + "/gsp"}, headers=AUTH,
                           timeout=10).status_code == 204
    assert requests.get(server + "/store", params={"graph": G + "/gsp"}, timeout=10).status_code == 404
    assert requests.get(server + "/store", timeout=10).status_code == 400


def test_a_write_publishes_a_new_version_and_leaves_the_old_one_as_it_was(server, root):
    before = root.current()
    quads_before = len(ox.Store.read_only(str(before.path)))
    r = requests.post(server + "/update", data=f"INSERT DATA {{ GRAPH <{G}/v> {{ <a:s> <a:p> 2 }} }}".encode(),
                      headers={**AUTH, "Content-Type": "application/sparql-update"}, timeout=10)
    assert r.status_code == 204, r.text
    after = root.current()
    assert after.version != before.version and after.meta["edited_from"] == before.version
    assert len(ox.Store.read_only(str(before.path))) == quads_before  # never opened for writing
    published, _ = root.open_read_only()
    assert published.contains_named_graph(ox.NamedNode(G + "/v"))  # kept across restarts


def test_validation_hook_rolls_back(tmp_path, monkeypatch):
    """A rejected update leaves the store as it was. The hook runs inside the worker
    process, so it is replaced through an environment switch read by a test-only module."""
    root = make_store(tmp_path / "store", sample_nquads(3))
    monkeypatch.setenv("PYTHONPATH", str(tmp_path / "hook"))
    (tmp_path / "hook").mkdir()
    (tmp_path / "hook" / "sitecustomize.py").write_text(
        "from esgkg.service.backends import update_hook\n"
        "def reject(store, base_iri=None):\n"
        "    import pyoxigraph as ox\n"
        "    bad = ox.NamedNode('http://example.org/bad')\n"
        "    return ['no ex:bad allowed'] if any(store.quads_for_pattern(bad, None, None)) else []\n"
        "update_hook.validate_update = reject\n")
    with running_server(make_config(root, allow_update=True, update_token=TOKEN)) as url:
        headers = {**AUTH, "Content-Type": "application/sparql-update"}
        good = requests.post(url + "/update", data=b"INSERT DATA { <http://example.org/ok> <http://example.org/p> 1 }",
                             headers=headers, timeout=10)
        assert good.status_code == 204
        rejected = requests.post(url + "/update", headers=headers, timeout=10,
                                 data=b"INSERT DATA { <http://example.org/bad> <http://example.org/p> 1 . "
                                      b"<http://example.org/other> <http://example.org/p> 2 }")
        assert rejected.status_code == 422 and "no ex:bad allowed" in rejected.text
        assert ask(url, "ASK { <http://example.org/ok> ?p ?o }")
        assert not ask(url, "ASK { <http://example.org/other> ?p ?o }")  # the whole update undone
        assert ask(url, f"ASK {{ <{BASE}id/org/acme> ?p ?o }}")


def test_update_that_breaks_a_shape_is_rejected_with_the_report(tmp_path, fixture_reports):
    """With the project's shapes in the store, an update is validated like a build."""
    from esgkg.graph.build import build

    store_root = StoreRoot(tmp_path / "store")
    build(store_root, reports_root=fixture_reports)
    report_graph = f"{BASE}graph/report/example-2023"
    topic = f"{BASE}id/example-2023/topic/climate"
    pillar = f"{BASE}ontology#pillar"
    with running_server(make_config(store_root, allow_update=True, update_token=TOKEN)) as url:
        # Removing the topic's only pillar violates "every material topic in exactly one pillar".
        bad = requests.post(url + "/update", timeout=120, headers={**AUTH, "Content-Type": "application/sparql-update"},
                            data=f"DELETE WHERE {{ GRAPH <{report_graph}> {{ <{topic}> <{pillar}> ?p }} }}".encode())
        assert bad.status_code == 422, bad.text
        assert "pillar" in bad.text.lower()
        assert ask(url, f"ASK {{ GRAPH <{report_graph}> {{ <{topic}> <{pillar}> ?p }} }}")
        good = requests.post(url + "/update", timeout=120, headers={**AUTH, "Content-Type": "application/sparql-update"},
                             data=f'INSERT DATA {{ GRAPH <{report_graph}> {{ <{topic}> <http://www.w3.org/2004/02/skos/core#altLabel> "氣候"@zh-Hant }} }}'.encode())
        assert good.status_code == 204, good.text


def test_pages_follow_writes(server):
    """A write publishes a new version, so linked-data pages change ETag and content."""
    page = f"{BASE}id/org/acme".replace("https://w3id.org/esgkg/", server + "/")
    first = requests.get(page, headers={"Accept": "text/turtle"}, timeout=30)
    assert first.status_code == 200, first.text[:300]
    label = "Acme after an edit"
    r = requests.post(server + "/update", headers={**AUTH, "Content-Type": "application/sparql-update"},
                      timeout=30, data=(f'INSERT DATA {{ GRAPH <{BASE}graph/report/acme-2024> '
                                        f'{{ <{BASE}id/org/acme> <http://www.w3.org/2000/01/rdf-schema#label> '
                                        f'"{label}"@en }} }}').encode())
    assert r.status_code == 204, r.text
    again = requests.get(page, headers={"Accept": "text/turtle", "If-None-Match": first.headers["ETag"]},
                         timeout=30)
    assert again.status_code == 200 and again.headers["ETag"] != first.headers["ETag"]
    assert label in again.text


# -- LOAD SILENT and syntax errors, in every mode ----------------------------------------------
@pytest.fixture(scope="module")
def read_only_server(root):
    with running_server(make_config(root, workers=1)) as url:
        yield url


def _update(url: str, text: str, headers: dict | None = None) -> requests.Response:
    return requests.post(url + "/update", data=text.encode(), timeout=30,
                         headers={"Content-Type": "application/sparql-update", **(headers or {})})


@pytest.mark.parametrize("text", ["LOAD ;", "INSERT DATA {", "CREATE GRAPH <g>\nLOAD <remote> INTO GRAPH <g>"])
def test_a_syntax_error_is_400_whatever_the_mode_and_token(server, read_only_server, text):
    for url, headers in ((read_only_server, {}), (server, {}), (server, AUTH)):
        r = _update(url, text, headers)
        assert r.status_code == 400, (url, headers, r.status_code, r.text)
        assert "Malformed update" in r.text


def test_load_silent_succeeds_and_fetches_nothing(server, read_only_server):
    """SPARQL 1.1 Update §3.1.4: with SILENT, LOAD always succeeds."""
    from security_support import Listener

    listener = Listener()
    try:
        remote = f"http://127.0.0.1:{listener.port}/data.ttl"
        for text in (f"LOAD SILENT <{remote}>", f"LOAD SILENT <{remote}> INTO GRAPH <{G}/loaded>",
                     "LOAD SILENT <somescheme://www.example.com/THIS-GRAPH-DOES-NOT-EXIST/>"):
            for url, headers in ((read_only_server, {}), (server, AUTH)):
                r = _update(url, text, headers)
                assert r.status_code == 204, (url, text, r.status_code, r.text)
        assert not ask(server, f"ASK {{ GRAPH <{G}/loaded> {{ ?s ?p ?o }} }}")
        assert _update(read_only_server, f"LOAD <{remote}>").status_code == 403  # without SILENT: refused
        assert _update(server, f"LOAD <{remote}>", AUTH).status_code == 403
        time.sleep(0.3)  # time for a stray connection to be accepted and counted
    finally:
        listener.close()
    assert listener.connections == 0


def test_the_syntax_check_runs_nothing_even_without_a_sandbox():
    """The check parses with the engine on a read-only empty store: it cannot fetch or write."""
    from security_support import Listener
    from esgkg.service.backends.update_syntax import update_syntax_problem

    listener = Listener()
    try:
        remote = f"http://127.0.0.1:{listener.port}/data.ttl"
        assert update_syntax_problem(f"LOAD <{remote}> ; INSERT DATA {{ <a:s> <a:p> 1 }}") is None
        assert update_syntax_problem(
            f"INSERT {{ <a:s> <a:p> ?o }} WHERE {{ SERVICE <{remote}> {{ ?x ?y ?o }} }}") is None
        assert "Malformed update" in update_syntax_problem("LOAD ;")
        time.sleep(0.3)
    finally:
        listener.close()
    assert listener.connections == 0


# -- Graph Store Protocol: direct identification and POST creating a graph ---------------------
TTL = {"Content-Type": "text/turtle; charset=utf-8"}


def test_direct_identification_names_the_graph_by_its_url(server):
    url = server + "/store/people/1.ttl"
    body = b'<http://example.org/p1> <http://example.org/name> "Alice" .'
    assert requests.put(url, data=body, headers=TTL, timeout=30).status_code == 401
    assert requests.put(url, data=body, headers={**AUTH, **TTL}, timeout=30).status_code == 201
    assert requests.put(url, data=body, headers={**AUTH, **TTL}, timeout=30).status_code == 204
    got = requests.get(url, headers={"Accept": "application/n-triples"}, timeout=30)
    assert got.status_code == 200 and got.text.count("\n") == 1
    # The same graph, named indirectly and seen by SPARQL.
    indirect = requests.get(server + "/store", params={"graph": url, "format": "nt"}, timeout=30)
    assert indirect.text == got.text
    assert ask(server, f'ASK {{ GRAPH <{url}> {{ <http://example.org/p1> ?p "Alice" }} }}')
    post = requests.post(url, data=b'<http://example.org/p1> <http://example.org/name> "Al" .',
                         headers={**AUTH, **TTL}, timeout=30)
    assert post.status_code == 204
    assert requests.head(url, timeout=30).status_code == 200
    assert requests.delete(url, headers=AUTH, timeout=30).status_code == 204
    assert requests.get(url, timeout=30).status_code == 404
    assert requests.head(url, timeout=30).status_code == 404
    assert requests.delete(url, headers=AUTH, timeout=30).status_code == 404


def test_direct_identification_keeps_the_write_rules(server, read_only_server):
    assert requests.put(read_only_server + "/store/x", data=b"", headers=TTL, timeout=30).status_code == 403
    bad = requests.put(server + "/store/x", data=b"<a> <b> .", headers={**AUTH, **TTL}, timeout=30)
    assert bad.status_code == 400 and "does not parse" in bad.text
    assert requests.put(server + "/store/x", data=b"", timeout=30, headers={
        **AUTH, "Content-Type": "application/pdf"}).status_code == 415
    both = requests.get(server + "/store/x", params={"graph": G}, timeout=30)
    assert both.status_code == 400


def test_post_to_the_store_creates_a_graph_and_says_where(server, read_only_server):
    body = b'<http://example.org/p2> <http://example.org/name> "Bob" .'
    assert requests.post(read_only_server + "/store", data=body, headers=TTL, timeout=30).status_code == 403
    created = requests.post(server + "/store", data=body, headers={**AUTH, **TTL}, timeout=30)
    assert created.status_code == 201, created.text
    location = created.headers["Location"]
    assert location.startswith(server + "/store/")
    again = requests.post(server + "/store", data=body, headers={**AUTH, **TTL}, timeout=30)
    assert again.headers["Location"] != location  # a new graph each time
    got = requests.get(location, headers={"Accept": "application/n-triples"}, timeout=30)
    assert got.status_code == 200 and '"Bob"' in got.text
    assert ask(server, f"ASK {{ GRAPH <{location}> {{ ?s ?p \"Bob\" }} }}")


def test_a_well_formed_update_the_store_refuses_is_409_not_400(server):
    """400 means malformed; CLEAR of a graph that does not exist is a conflict with the data."""
    r = _update(server, "CLEAR GRAPH <http://example.org/no-such-graph>", AUTH)
    assert r.status_code == 409, r.text
    assert "no-such-graph" in r.text and "nothing was changed" in r.text
    assert _update(server, "CLEAR SILENT GRAPH <http://example.org/no-such-graph>", AUTH).status_code == 204
