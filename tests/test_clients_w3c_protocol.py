"""The W3C SPARQL 1.1 Protocol tests, driven from their manifest against the running server.

Query tests run on a read-only server whose store holds the suite's data (data1-3.nt in
graphs named by their rdfs:label); update tests run on an update-mode server with the bearer
token. Each ht:Request is sent over real HTTP as the manifest spells it.
"""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
import requests
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF

from sparql_support import W3C_DIR, W3C_GRAPHS, make_store, running_server, make_config

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
TOKEN = "w3c-test-token"

MANIFEST = Graph().parse(W3C_DIR / "manifest.ttl", format="turtle",
                         publicID="http://www.w3.org/2009/sparql/docs/tests/data-sparql11/protocol/manifest")
_ROOT = next(MANIFEST.subjects(RDF.type, MF.Manifest))
ENTRIES: list[URIRef] = list(Collection(MANIFEST, MANIFEST.value(_ROOT, MF.entries)))

BOOLEAN_TYPES = ("application/sparql-results+json", "application/sparql-results+xml")
TABULAR_TYPES = BOOLEAN_TYPES + ("text/csv", "text/tab-separated-values")
RDF_TYPES = ("text/turtle", "application/rdf+xml", "application/n-triples", "application/ld+json")


def _requests_of(test: URIRef) -> list:
    action = MANIFEST.value(test, MF.action)
    return list(Collection(MANIFEST, MANIFEST.value(action, HT.requests)))


def _is_update_test(test: URIRef) -> bool:
    name = test.split("#")[-1]
    return name.startswith(("update_", "bad_update", "bad_multiple_updates"))


@pytest.fixture(scope="module")
def query_server(tmp_path_factory):
    root = make_store(tmp_path_factory.mktemp("w3c-query"), graphs=W3C_GRAPHS)
    with running_server(make_config(root)) as url:
        yield url


@pytest.fixture(scope="module")
def update_server(tmp_path_factory):
    root = make_store(tmp_path_factory.mktemp("w3c-update"), graphs=W3C_GRAPHS)
    with running_server(make_config(root, allow_update=True, update_token=TOKEN)) as url:
        yield url


def _send(base: str, req, token: str | None) -> requests.Response:
    method = str(MANIFEST.value(req, HT.methodName))
    path = str(MANIFEST.value(req, HT.absolutePath))
    headers = {"Accept": "*/*"}
    header_list = MANIFEST.value(req, HT.headers)
    if header_list is not None:
        for header in Collection(MANIFEST, header_list):
            headers[str(MANIFEST.value(header, HT.fieldName))] = str(MANIFEST.value(header, HT.fieldValue))
    if token:
        headers["Authorization"] = f"Bearer {token}"
    body = MANIFEST.value(req, HT.body)
    data = None
    if body is not None:
        encoding = str(MANIFEST.value(body, CNT.characterEncoding) or "UTF-8")
        data = str(MANIFEST.value(body, CNT.chars)).encode(encoding)
    return requests.request(method, base + path, headers=headers, data=data, timeout=30)


def _check(response: requests.Response, expected) -> None:
    statuses = {str(s).split("#")[-1] for s in MANIFEST.objects(expected, MF.expectedStatus)}
    klass = f"StatusCode{response.status_code // 100}xx"
    assert klass in statuses, f"status {response.status_code} not in {statuses}: {response.text[:300]}"
    media = response.headers.get("Content-Type", "").split(";")[0].strip()
    fmt = MANIFEST.value(expected, MF.expectedFormat)
    if fmt is not None:
        allowed = {"boolean": BOOLEAN_TYPES, "tabular": TABULAR_TYPES, "RDF": RDF_TYPES}[str(fmt)]
        assert media in allowed, f"{media} is not a {fmt} format"
    boolean = MANIFEST.value(expected, MF.expectedBoolean)
    if boolean is not None:
        if media == "application/sparql-results+json":
            value = json.loads(response.text)["boolean"]
        else:
            node = ET.fromstring(response.content).find("{http://www.w3.org/2005/sparql-results#}boolean")
            value = node is not None and node.text == "true"
        assert value is boolean.toPython(), f"expected boolean {boolean}"


@pytest.mark.slow
@pytest.mark.parametrize("test", ENTRIES, ids=[t.split("#")[-1] for t in ENTRIES])
def test_w3c_protocol(test: URIRef, request) -> None:
    update = _is_update_test(test)
    base = request.getfixturevalue("update_server" if update else "query_server")
    for req in _requests_of(test):
        response = _send(base, req, TOKEN if update else None)
        _check(response, MANIFEST.value(req, HT.resp))


def test_manifest_is_complete() -> None:
    """All 34 protocol tests of the suite are here (12 query, 8 update, 14 bad requests)."""
    assert len(ENTRIES) == 34
