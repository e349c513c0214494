"""RDF/XML with entity bombs or external entities, where RDF/XML can enter:

* Graph Store Protocol PUT/POST with application/rdf+xml in update mode (parsed by
  pyoxigraph in the writer worker): entity declarations are refused with a 400, so nothing
  is expanded, and nothing is ever fetched (a loopback listener sees no connection);
* reference data: only Turtle files are read, so an .rdf file dropped there is ignored.
"""
from __future__ import annotations

import shutil
import time

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from esgkg.graph.reference import load_reference, reference_dir
from security_support import Listener
from sparql_support import make_store, running_server, sample_nquads, make_config

pytestmark = pytest.mark.slow

TOKEN = "fuzz-token"
RDF_NS = 'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/"'


def laughs(levels: int = 10, fan: int = 10) -> str:
    """The classic "billion laughs": ``fan ** levels`` copies of "lol" from a few hundred bytes."""
    decl = '<!ENTITY a0 "lol">\n' + "".join(
        f'<!ENTITY a{i} "{("&a%d;" % (i - 1)) * fan}">\n' for i in range(1, levels + 1))
    return (f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n{decl}]>\n<rdf:RDF {RDF_NS}>'
            f'<rdf:Description rdf:about="http://example.org/s"><ex:p>&a{levels};</ex:p>'
            f'</rdf:Description></rdf:RDF>')


def external(system_id: str) -> str:
    return (f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY x SYSTEM "{system_id}">]>\n'
            f'<rdf:RDF {RDF_NS}><rdf:Description rdf:about="http://example.org/s"><ex:p>&x;</ex:p>'
            f'</rdf:Description></rdf:RDF>')


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    root = make_store(tmp_path_factory.mktemp("rdfxml-store"), sample_nquads(5))
    with running_server(make_config(root, allow_update=True, update_token=TOKEN, query_timeout=10.0)) as base:
        yield base


def put(url: str, body: str | bytes, method: str = "PUT") -> requests.Response:
    data = body.encode() if isinstance(body, str) else body
    return requests.request(method, url + "/store", params={"graph": "http://example.org/g"}, data=data,
                            headers={"Content-Type": "application/rdf+xml", "Authorization": f"Bearer {TOKEN}"},
                            timeout=60)


def graph_text(url: str) -> str:
    r = requests.get(url + "/store", params={"graph": "http://example.org/g"},
                     headers={"Accept": "application/n-triples"}, timeout=30)
    return r.text if r.status_code == 200 else ""


@pytest.mark.parametrize("method", ["PUT", "POST"])
def test_billion_laughs_refused(url, method):
    r = put(url, laughs(), method)
    assert r.status_code == 400 and "ENTITY" in r.text
    assert "lollol" not in graph_text(url)


@pytest.mark.parametrize("target", ["file:///etc/passwd", "http://127.0.0.1:{port}/x"])
def test_external_entities_not_fetched(url, target):
    listener = Listener()
    try:
        system_id = target.format(port=listener.port)
        for doc in (external(system_id),
                    f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF SYSTEM "{system_id}">\n<rdf:RDF {RDF_NS}/>'):
            r = put(url, doc)
            assert r.status_code in (400, 201, 204), r.text
            assert "root:" not in graph_text(url)
        time.sleep(0.3)
        assert listener.connections == 0
    finally:
        listener.close()


def test_utf16_rdfxml_refused(url):
    r = put(url, laughs().replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>').encode("utf-16"))
    assert r.status_code == 400


def test_plain_rdfxml_still_loads(url):
    r = put(url, f'<rdf:RDF {RDF_NS}><rdf:Description rdf:about="http://example.org/s">'
                 f'<ex:p>fine</ex:p></rdf:Description></rdf:RDF>')
    assert r.status_code in (201, 204), r.text
    assert '"fine"' in graph_text(url)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(levels=st.integers(1, 12), fan=st.integers(1, 30), junk=st.text(max_size=50))
def test_fuzz_entity_documents(url, levels, fan, junk):
    doc = laughs(levels, fan).replace("lol", junk.replace("&", "").replace("<", "").replace('"', "") or "x", 1)
    r = put(url, doc)
    assert r.status_code == 400, r.text[:300]
    ok = requests.get(url + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=30)
    assert ok.status_code == 200


def test_reference_data_reads_only_turtle(tmp_path):
    folder = tmp_path / "reference"
    shutil.copytree(reference_dir(), folder)
    (folder / "sdg" / "bomb.rdf").write_text(laughs(12), encoding="utf-8")
    (folder / "sdg" / "xxe.xml").write_text(external("file:///etc/passwd"), encoding="utf-8")
    started = time.monotonic()
    ref = load_reference(folder)
    assert time.monotonic() - started < 120  # a generous bound: an expanded bomb would hang
    assert all(p.suffix == ".ttl" for p in ref.sdg_files)
    assert not any("lollol" in str(o) or "root:" in str(o) for o in ref.sdg_graph.objects())
