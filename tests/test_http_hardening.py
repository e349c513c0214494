"""Defects an attack run against `esgkg serve` found in the HTTP layer, one test each.

Every test drives the real app: Flask's test client on the app factory with a real worker
pool, or the app on waitress on loopback where the wire matters (header bytes).
"""
from __future__ import annotations

import contextlib
import errno
import subprocess
import time
from pathlib import Path
from typing import Iterator

import pytest
import requests
from flask.testing import FlaskClient

from esgkg.service.app import create_app
from esgkg.service.backends.factory import make_backend
from esgkg.service.config import Config
from sparql_support import app_client, BASE, make_store, running_server, sample_nquads, make_config

TOKEN = "hardening-tök-ен"  # non-ASCII on purpose: the token comparison must handle it
HOLE = "http://127.0.0.1:9/x"  # never contacted: every request naming it is refused first


@pytest.fixture(scope="module")
def store_root(tmp_path_factory: pytest.TempPathFactory):
    return make_store(tmp_path_factory.mktemp("hardening"), sample_nquads(20))


def _client(config: Config) -> Iterator[FlaskClient]:
    with app_client(config) as client:
        yield client


@pytest.fixture(scope="module")
def client(store_root) -> Iterator[FlaskClient]:
    yield from _client(make_config(store_root))


@pytest.fixture(scope="module")
def update_config(tmp_path_factory: pytest.TempPathFactory) -> Config:
    root = make_store(tmp_path_factory.mktemp("hardening-update"), sample_nquads(5))
    return make_config(root, allow_update=True, update_token=TOKEN)


@pytest.fixture(scope="module")
def update_client(update_config: Config) -> Iterator[FlaskClient]:
    yield from _client(update_config)


def _wire(value: str) -> str:
    """A header value as WSGI hands it over when the client sent it as UTF-8 (Latin-1 decoded)."""
    return value.encode("utf-8").decode("latin-1")


AUTH = {"Authorization": "Bearer " + _wire(TOKEN)}


def _text(response) -> str:
    return response.get_data(as_text=True)


def assert_no_traceback(response) -> None:
    body = _text(response)
    assert "Traceback" not in body and "/work/" not in body and ".py" not in body, body


# --------------------------------------------------------------------- 1. SERVICE / LOAD check
@pytest.mark.parametrize("query", [
    f"SELECT * WHERE {{ SERVICESILENT<{HOLE}> {{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ # a comment ended by CR only\rSERVICE <{HOLE}> {{ ?s ?p ?o }} }}",
    "PREFIX ex: <http://127.0.0.1:9/> SELECT * WHERE { SERVICEex:z { ?s ?p ?o } }",
    f'PREFIX ex: <http://e/> SELECT * WHERE {{ ?s ?p ex:a#"""\nSERVICE <{HOLE}> {{ ?s ?p ?o }}\n#"""\n}}',
])
def test_glued_and_hidden_service_is_refused(client: FlaskClient, query: str) -> None:
    response = client.post("/sparql", data={"query": query})
    assert response.status_code == 403 and "SERVICE is not allowed" in _text(response)


@pytest.mark.parametrize("update", [
    f"LOADSILENT<{HOLE}>",
    f"# a comment ended by CR only\rLOAD <{HOLE}>",
    f"INSERT {{ <a:s> <a:p> ?o }} WHERE {{ SERVICESILENT<{HOLE}> {{ ?s ?p ?o }} }}",
    "PREFIX loader: <a:> PREFIX er: <http://127.0.0.1:9/> loader:x",
])
def test_glued_and_hidden_load_or_service_in_updates_is_refused(update_client: FlaskClient, update: str) -> None:
    response = update_client.post("/update", data={"update": update}, headers=AUTH)
    assert response.status_code == 403, _text(response)


def test_an_invalid_codepoint_escape_is_a_400_not_a_500(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": 'SELECT ("\\U0011FFFF" AS ?x) {}'})
    assert response.status_code == 400
    assert_no_traceback(response)


# --------------------------------------------------------------------- 3. bad input is a 400
@pytest.mark.parametrize("param,value", [
    ("default-graph-uri", ""), ("default-graph-uri", "relative/graph"),
    ("named-graph-uri", ""), ("named-graph-uri", "http://x/a b"),
])
def test_dataset_parameters_must_be_absolute_iris(client: FlaskClient, param: str, value: str) -> None:
    for response in (client.get("/sparql", query_string={"query": "ASK {}", param: value}),
                     client.post("/sparql", data={"query": "ASK {}", param: value})):
        assert response.status_code == 400, _text(response)
        assert f"'{param}' must be an absolute IRI" in _text(response) and repr(value) in _text(response)
        assert_no_traceback(response)


@pytest.mark.parametrize("param,value", [
    ("using-graph-uri", ""), ("using-graph-uri", "graph"),
    ("using-named-graph-uri", ""),
    # Spliced into the update as USING <...>: a '>' would have let the value write SPARQL.
    ("using-graph-uri", f"http://a/> WHERE {{}} ; LOAD <{HOLE}> ; INSERT {{}} USING <http://a/"),
])
def test_update_dataset_parameters_must_be_absolute_iris(update_client: FlaskClient, param: str, value: str) -> None:
    update = "INSERT { <a:s> <a:p> ?o } WHERE { ?s ?p ?o }"
    response = update_client.post("/update", data={"update": update, param: value}, headers=AUTH)
    assert response.status_code == 400, _text(response)
    assert f"'{param}' must be an absolute IRI" in _text(response)


def test_a_non_ascii_bearer_token_is_a_401_not_a_500(update_client: FlaskClient) -> None:
    for token in ("\u20ac" * 3, "tök", _wire("wrong-ток")):
        response = update_client.post("/update", data={"update": "INSERT DATA {}"},
                                      headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")
        assert_no_traceback(response)


def test_a_non_ascii_token_sent_as_utf8_over_the_wire_is_accepted(tmp_path: Path) -> None:
    # Its own store: update mode has one writer per working copy.
    config = make_config(make_store(tmp_path / "store", sample_nquads(2)), allow_update=True, update_token=TOKEN)
    with running_server(config) as url:
        ok = requests.post(url + "/update", data=b"INSERT DATA { <a:s> <a:p> 1 }", timeout=30,
                           headers={"Content-Type": "application/sparql-update",
                                    "Authorization": b"Bearer " + TOKEN.encode("utf-8")})
        wrong = requests.post(url + "/update", data=b"INSERT DATA {}", timeout=30,
                              headers={"Content-Type": "application/sparql-update",
                                       "Authorization": "Bearer wr\u00f6ng".encode("utf-8")})
    assert ok.status_code == 204, ok.text
    assert wrong.status_code == 401


def test_load_silent_succeeds_without_fetching(update_client: FlaskClient, client: FlaskClient) -> None:
    for update in (f"LOAD SILENT <{HOLE}>", f"PREFIX ex: <http://127.0.0.1:9/> LOAD SILENT ex:x INTO GRAPH <{BASE}g> ;"):
        response = update_client.post("/update", data={"update": update}, headers=AUTH)
        assert response.status_code == 204, _text(response)
    # Not SILENT, or mixed with other operations: still refused.
    assert update_client.post("/update", data={"update": f"LOAD <{HOLE}>"}, headers=AUTH).status_code == 403
    mixed = f"LOAD SILENT <{HOLE}> ; INSERT DATA {{ <a:s> <a:p> 2 }}"
    assert update_client.post("/update", data={"update": mixed}, headers=AUTH).status_code == 403
    # Read-only service: a LOAD SILENT alone succeeds there too (SPARQL Update §3.1.4: SILENT
    # always succeeds), fetching and changing nothing; any other update is still refused.
    assert client.post("/update", data={"update": f"LOAD SILENT <{HOLE}>"}).status_code == 204
    assert client.post("/update", data={"update": "INSERT DATA { <a:s> <a:p> 1 }"}).status_code == 403


def test_a_lone_load_is_a_syntax_error(update_client: FlaskClient) -> None:
    response = update_client.post("/update", data={"update": "LOAD ;"}, headers=AUTH)
    assert response.status_code == 400, _text(response)
    assert_no_traceback(response)


# --------------------------------------------------------------------- 4. no stored XSS
SCRIPT = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def xss_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlaskClient]:
    """The fixture report with a topic label that carries a script, built as `esgkg build` does."""
    import shutil

    from conftest import FIXTURE_REPORTS
    from esgkg.graph.build import build
    from esgkg.graph.namespaces import Iris
    from esgkg.graph.store import StoreRoot

    reports = tmp_path_factory.mktemp("xss-reports") / "reports"
    shutil.copytree(FIXTURE_REPORTS, reports)
    topics = next(reports.glob("*/topics.yaml"))
    text = topics.read_text(encoding="utf-8")
    assert "en: Climate change}" in text
    topics.write_text(text.replace("en: Climate change}", f'en: "Climate change {SCRIPT}"}}', 1), encoding="utf-8")
    root = StoreRoot(tmp_path_factory.mktemp("xss-store"))
    build(root, reports_root=reports, iris=Iris())
    yield from _client(make_config(root))


def test_search_choices_escape_labels(xss_client: FlaskClient) -> None:
    page = xss_client.get("/sdg/trace", query_string={"name": "limate"})
    html = _text(page)
    assert page.status_code == 200 and "matches for" in html, html  # the topic and SDG 13
    assert SCRIPT not in html
    assert "Climate change &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<link rel="stylesheet"' in html  # the site's layout (base.html)


def test_search_name_is_escaped_too(xss_client: FlaskClient) -> None:
    page = xss_client.get("/sdg/trace", query_string={"name": f"nothing{SCRIPT}"}, headers={"Accept": "text/html"})
    assert page.status_code == 404 and page.mimetype == "text/html" and SCRIPT not in _text(page)
    plain = xss_client.get("/sdg/trace", query_string={"name": f"nothing{SCRIPT}"})
    assert plain.status_code == 404 and plain.mimetype == "text/plain"  # never sniffed: nosniff
    assert plain.headers["X-Content-Type-Options"] == "nosniff"


# --------------------------------------------------------------------- 5. headers
@pytest.mark.parametrize("method,path,status", [
    ("GET", "/sparql?query=ASK%7B%7D", 200),
    ("GET", "/sparql?query=SELECT", 400),
    ("POST", "/update", 415),
    ("GET", "/sdg", 200),
    ("GET", "/dumps/nothing-here", 404),
    ("GET", "/id/nothing/here", 404),
    ("GET", "/static/esgkg.css", 200),
    ("GET", "/robots.txt", 200),
    ("OPTIONS", "/sparql", 200),
])
def test_every_response_says_nosniff(client: FlaskClient, method: str, path: str, status: int) -> None:
    with client.open(path, method=method) as response:  # a static file stays open until closed
        assert response.status_code == status, _text(response)
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_nosniff_on_a_refused_body(client: FlaskClient) -> None:
    response = client.post("/sparql", data=b"x" * 2_000_000, content_type="application/sparql-query")
    assert response.status_code == 413 and response.headers["X-Content-Type-Options"] == "nosniff"


# --------------------------------------------------------------------- 6. cheap 404s
class RecordingBackend:
    """Passes jobs to a real backend and keeps the query text of each."""

    def __init__(self, backend) -> None:
        self.backend, self.queries = backend, []

    def run(self, job: dict):
        self.queries.append(job.get("query", ""))
        return self.backend.run(job)

    def close(self) -> None:
        self.backend.close()


def test_not_found_pages_do_not_scan_the_store(store_root) -> None:
    config = make_config(store_root)
    backend = RecordingBackend(make_backend(config))
    try:
        client = create_app(config, backend=backend).test_client()
        html = {"Accept": "text/html"}
        first = client.get("/id/acme-2024/item/nope-0", headers=html)
        assert first.status_code == 404
        assert 'href="/id/acme-2024/item/i0"' in _text(first)  # what exists next to it
        backend.queries.clear()
        for i in range(1, 6):
            page = client.get(f"/id/acme-2024/item/nope-{i}", headers=html)
            assert page.status_code == 404 and 'href="/id/acme-2024/item/i1"' in _text(page)
        # The subjects under the base are listed once per store version, not per 404.
        assert not [q for q in backend.queries if "STRSTARTS" in q], backend.queries
    finally:
        backend.close()


# --------------------------------------------------------------------- 7. full disk
def _no_space(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def test_build_on_a_full_disk_says_so_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from conftest import FIXTURE_REPORTS
    from esgkg.service.cli import main

    root = make_store(tmp_path / "store", sample_nquads(3))
    before = root.current().version, sorted(p.name for p in root.versions.iterdir())
    monkeypatch.setattr(Path, "write_text", _no_space)
    result = CliRunner().invoke(main, ["build", "--store", str(root.root), "--reports", str(FIXTURE_REPORTS)])
    output = result.output  # stdout and stderr, as a terminal shows them
    assert result.exit_code == 1, output
    errors = [line for line in output.splitlines() if line.startswith("error:")]
    assert errors == [f"error: cannot write {root.root}: no space left on the device; nothing was published, "
                      "the previous store version is unchanged"], output
    assert "Traceback" not in output
    assert (root.current().version, sorted(p.name for p in root.versions.iterdir())) == before


def test_downloads_on_a_full_disk_are_a_503(tmp_path: Path) -> None:
    """The downloads are written by a process of their own (graph/dumps.py), so the full disk
    is a real one: a 1 MB tmpfs, filled."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        filler = disk / "filler"
        with contextlib.suppress(OSError), open(filler, "wb") as out:  # closing it fails too
            while True:
                out.write(b"\0" * 4096)
                out.flush()
        root = make_store(tmp_path / "store", sample_nquads(3))
        for client in _client(make_config(root, dumps_dir=str(disk))):
            for path in ("/dumps/", "/dumps/dataset.nq.gz"):
                response = client.get(path)
                assert response.status_code == 503, _text(response)
                assert "No space left on device" in _text(response) and "try again later" in _text(response)
                assert str(tmp_path) not in _text(response)
                assert response.headers["Retry-After"] == "300"
                assert_no_traceback(response)
            # The dataset's description does not need them: it answers, without the downloads.
            assert client.get("/dataset.ttl").status_code == 200
            filler.unlink()
            # Space again: the downloads are made (a writer may still be failing on the full
            # disk it met; the client comes back after a while, as Retry-After asks).
            deadline = time.monotonic() + 60
            while (status := client.get("/dumps/").status_code) != 200 and time.monotonic() < deadline:
                time.sleep(0.5)
            assert status == 200
    finally:
        subprocess.run(["umount", str(disk)], capture_output=True)


# --------------------------------------------------------------------- 8. Expect: 100-continue
class _UnreadableBody:
    """A request body that fails the test if anyone reads it."""

    def read(self, *args) -> bytes:
        raise AssertionError("the app read a body it should have refused by its Content-Length")

    readline = read

    def __iter__(self):
        return self


@pytest.mark.parametrize("path,content_type", [
    ("/sparql", "application/sparql-query"),
    ("/sparql", "application/x-www-form-urlencoded"),
    ("/update", "application/sparql-update"),
    ("/store?default", "text/turtle"),
])
def test_a_huge_content_length_is_refused_before_the_body_is_read(client: FlaskClient, path: str,
                                                                  content_type: str) -> None:
    # What the app does; answering 100 Continue (or not) is the server's part.
    response = client.open(path, method="POST", content_type=content_type, environ_overrides={
        "CONTENT_LENGTH": str(10**15), "HTTP_EXPECT": "100-continue", "wsgi.input": _UnreadableBody()})
    assert response.status_code == 413, _text(response)
    assert "Request body too large" in _text(response)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
