"""No outbound connection, whatever the query: the guarantee holds with the keyword check off.

The HTTP layer's SERVICE/LOAD check is only the friendly early 403. These tests switch it
off and send the queries of an attack run (including three that once slipped past the
check) straight to the engine: the worker's seccomp filter must stop every connection, the
loopback listener must receive nothing, and the client must get a clear answer.
"""
from __future__ import annotations

import socket
import subprocess
import sys
import textwrap
import time

import pytest
import requests

from security_support import Listener
from sparql_support import make_store, running_server, sample_nquads, make_config

TOKEN = "sandbox-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"}

# {u} is the listener's URL. The first three once got past the keyword check.
QUERIES = [
    "SELECT * WHERE {{ SERVICESILENT<{u}/x> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ # comment ended by CR only\rSERVICE <{u}/y> {{ ?s ?p ?o }} }}",
    "PREFIX ex: <{u}/> SELECT * WHERE {{ SERVICEex:z {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ SERVICE <{u}/sparql> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ SERVICE SILENT <{u}/sparql> {{ ?s ?p ?o }} }}",
    "ASK {{ {{ SELECT * {{ SERVICE <{u}/nested> {{ ?a ?b ?c }} }} }} }}",
]
UPDATES = [
    "LOAD <{u}/data.ttl>",
    "LOADSILENT<{u}/data.ttl>",
    "# comment ended by CR only\rLOAD <{u}/data.ttl> INTO GRAPH <http://example.org/g>",
    "INSERT {{ <a:s> <a:p> ?o }} WHERE {{ SERVICESILENT<{u}/q> {{ ?x ?y ?o }} }}",
    "INSERT {{ <a:s> <a:p> ?o }} WHERE {{ SERVICE <{u}/q> {{ ?x ?y ?o }} }}",
]


@pytest.fixture
def no_keyword_check(monkeypatch):
    """The HTTP layer's check as if every query slipped past it."""
    from esgkg.service.sparql import endpoint as sparql_endpoint

    monkeypatch.setattr(sparql_endpoint, "forbidden_keyword", lambda text, *a, **k: None)


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    return make_store(tmp_path_factory.mktemp("sandbox"), sample_nquads(5))


def test_queries_that_slip_past_the_check_reach_nothing(root, no_keyword_check):
    listener = Listener()
    try:
        with running_server(make_config(root, workers=2)) as url:
            for template in QUERIES:
                text = template.format(u=f"http://127.0.0.1:{listener.port}")
                r = requests.post(url + "/sparql", data={"query": text}, timeout=30,
                                  headers={"Accept": "application/sparql-results+json"})
                assert r.status_code in (200, 403), (text, r.status_code, r.text)
                assert "Traceback" not in r.text
                if r.status_code == 403:
                    assert "no outbound connections" in r.text
                else:  # SILENT: the failed service is ignored, as the spec says; no remote rows
                    body = r.json()
                    assert body.get("boolean") in (None, False)
                    assert all(not row for row in body.get("results", {}).get("bindings", []))
            assert requests.post(url + "/sparql", data={"query": "ASK { ?s ?p ?o }"},
                                 timeout=10).json()["boolean"] is True  # workers still serve
        time.sleep(0.3)  # give any stray connection time to arrive
        assert listener.connections == 0
    finally:
        listener.close()


def test_updates_that_slip_past_the_check_load_nothing(tmp_path, no_keyword_check):
    root = make_store(tmp_path / "store", sample_nquads(3))
    listener = Listener()
    try:
        config = make_config(root, workers=2, allow_update=True, update_token=TOKEN)
        with running_server(config) as url:
            count = "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"
            before = requests.post(url + "/sparql", data={"query": count}, timeout=10).json()
            for template in UPDATES:
                text = template.format(u=f"http://127.0.0.1:{listener.port}")
                r = requests.post(url + "/update", data=text.encode(), headers=AUTH, timeout=30)
                assert r.status_code in (204, 403), (text, r.status_code, r.text)
                assert "Traceback" not in r.text
            after = requests.post(url + "/sparql", data={"query": count}, timeout=10).json()
            assert after == before  # nothing remote was written into the store
            ok = requests.post(url + "/update", headers=AUTH, timeout=30,
                               data=b"INSERT DATA { <http://example.org/s> <http://example.org/p> 1 }")
            assert ok.status_code == 204, ok.text  # a refused write does not wedge the writer
        time.sleep(0.3)
        assert listener.connections == 0
    finally:
        listener.close()


SANDBOXED = textwrap.dedent("""
    import socket, sys
    from esgkg.service.backends import sandbox
    sandbox.apply(sandbox.Limits(no_network=True))
    results = []
    for family, kind in ((socket.AF_INET, socket.SOCK_STREAM), (socket.AF_INET, socket.SOCK_DGRAM),
                         (socket.AF_INET6, socket.SOCK_STREAM)):
        try:
            socket.socket(family, kind)
            results.append("open")
        except PermissionError:
            results.append("refused")
    a, b = socket.socketpair()  # the worker's own channel to its parent stays usable
    a.sendall(b"ok"); results.append(b.recv(2).decode())
    try:
        socket.socket(socket.AF_UNIX).connect("/nonexistent")
        results.append("connected")
    except PermissionError:
        results.append("refused")
    except OSError:
        results.append("connect-not-refused")
    print(" ".join(results))
""")


def test_a_sandboxed_process_cannot_open_a_network_socket():
    """The mechanism itself, without the engine: inet sockets fail, the socket pair works."""
    done = subprocess.run([sys.executable, "-c", SANDBOXED], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["refused", "refused", "refused", "ok", "refused"]


def test_the_server_process_keeps_its_network(root):
    """The filter goes into the workers only: with a pool running, the server process itself
    can still open the sockets it serves on (and the remote mode's client needs)."""
    with running_server(make_config(root, workers=1)) as url:
        assert requests.post(url + "/sparql", data={"query": "ASK {}"}, timeout=10).status_code == 200
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))


def test_a_long_text_is_checked_by_the_sandbox_alone(root):
    """Over 64 KB the HTTP process skips its keyword check; the worker's refused socket answers."""
    listener = Listener()
    try:
        with running_server(make_config(root, workers=1)) as url:
            text = ("#" + "x" * 70_000 + "\n"
                    f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listener.port}/big> {{ ?s ?p ?o }} }}")
            r = requests.post(url + "/sparql", data={"query": text}, timeout=30)
            assert r.status_code == 403 and "no outbound connections" in r.text
        time.sleep(0.3)
        assert listener.connections == 0
    finally:
        listener.close()
