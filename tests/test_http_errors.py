"""One error shape for every URL area (as datasette's test_error_shape pins its own).

Whatever went wrong and wherever, a browser gets the site's error page with the status and
what to do, a client that asks for JSON gets ``{"status", "error"}``, and anything else
gets plain text; never werkzeug's bare page, never a traceback, always nosniff.
"""
from __future__ import annotations

import pytest

from esgkg.service.config import Config
from sparql_support import app_client

# (method, path, body or None, expected status): at least one per URL area.
CASES = [
    ("GET", "/sparql?query=SELECT", None, 400),  # malformed query
    ("GET", "/sparql?query=ASK%7B%7D&default-graph-uri=nope", None, 400),  # not an IRI
    ("POST", "/update", b"x", 400),  # a query sent to the update endpoint
    ("DELETE", "/sparql", None, 405),
    ("GET", "/store", None, 400),
    ("GET", "/queries/no-such-query", None, 404),
    ("GET", "/queries/reports.bogus", None, 404),
    ("GET", "/queries/reports.json?report=not%20an%20id", None, 400),
    ("GET", "/sdg/topic/no-such-topic", None, 404),
    ("GET", "/sdg/trace?name=no-such-thing", None, 404),
    ("GET", "/sdg/network.gif", None, 404),
    ("GET", "/dumps/no-such-file", None, 404),
    ("GET", "/id/no/such/thing", None, 404),
    ("GET", "/static/no-such-file.css", None, 404),
    ("POST", "/sparql", b"q" * 2_000_000, 413),
]
IDS = [f"{m} {p[:40]} {s}" for m, p, _, s in CASES]


@pytest.fixture(scope="module")
def client(example_store):
    with app_client(Config(store=str(example_store.root), workers=1, max_body=1_000_000)) as test_client:
        yield test_client


def _get(client, method, path, body, accept):
    headers = {"Accept": accept} if accept else {}
    if body is not None:
        headers["Content-Type"] = "application/sparql-query"
    return client.open(path, method=method, data=body, headers=headers)


def _twin(path: str) -> bool:
    """A .json twin answers its errors in JSON too, whatever Accept says."""
    return path.split("?")[0].endswith(".json")


@pytest.mark.parametrize("method,path,body,status", CASES, ids=IDS)
def test_browsers_get_the_site_error_page(client, method, path, body, status):
    r = _get(client, method, path, body, "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8")
    if _twin(path):
        assert r.status_code == status and r.mimetype == "application/json"
        return
    page = r.get_data(as_text=True)
    assert r.status_code == status
    assert r.mimetype == "text/html"
    assert f"<h1>{status}" in page and "Where to look" in page and 'class="site"' in page
    assert "Traceback" not in page and "Werkzeug" not in page


@pytest.mark.parametrize("method,path,body,status", CASES, ids=IDS)
def test_json_clients_get_json(client, method, path, body, status):
    r = _get(client, method, path, body, "application/json")
    assert r.status_code == status and r.mimetype == "application/json"
    doc = r.get_json()
    assert doc["status"] == status and doc["error"] and "Traceback" not in doc["error"]


@pytest.mark.parametrize("method,path,body,status", CASES, ids=IDS)
def test_everyone_else_gets_plain_text(client, method, path, body, status):
    r = _get(client, method, path, body, None)
    assert r.status_code == status and r.mimetype == ("application/json" if _twin(path) else "text/plain")
    text = r.get_data(as_text=True)
    assert text.strip() and "Traceback" not in text and "<html" not in text
    assert r.headers["X-Content-Type-Options"] == "nosniff"


def test_an_unexpected_error_is_a_500_without_a_trace(client, monkeypatch):
    from esgkg.service import sdg

    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug of ours")

    monkeypatch.setattr(sdg, "_projection", broken)
    r = client.get("/sdg", headers={"Accept": "text/html"})
    assert r.status_code == 500 and "a bug of ours" not in r.get_data(as_text=True)
    assert "Traceback" not in r.get_data(as_text=True)
