"""VoID and DCAT: statistics that match the store, linksets to the UN SDG KOS, distributions."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest

from esgkg.graph import dataset_description, dumps
from esgkg.graph.namespaces import Iris
from esgkg.graph.sparql import StoreSparql
from esgkg.graph.store import StoreRoot
from esgkg.service.config import Config

from esgkg.service.app import create_app
from linked_data_support import shared_dumps

BASE = "https://w3id.org/esgkg/"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"


@pytest.fixture(scope="module")
def store(bundled_store: StoreRoot) -> ox.Store:
    return bundled_store.open_read_only()[0]


@pytest.fixture(scope="module")
def description(store: ox.Store, bundled_store: StoreRoot) -> tuple[ox.Store, list[dumps.DumpFile]]:
    _, files = shared_dumps(bundled_store)
    triples = dataset_description.describe_dataset(StoreSparql(store), Iris(), dumps=files, version="v1")
    graph = ox.Store()
    graph.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples)
    return graph, files


def value(graph: ox.Store, s: str, p: str) -> ox.NamedNode | ox.Literal:
    found = list(graph.quads_for_pattern(ox.NamedNode(s), ox.NamedNode(p), None))
    assert len(found) == 1, (s, p, found)
    return found[0].object


def test_statistics_match_the_store(store: ox.Store, description) -> None:
    graph, _ = description
    ds = BASE + "dataset"
    union = {(q.subject, q.predicate, q.object) for q in store}
    assert int(value(graph, ds, VOID + "triples").value) == len(union)
    assert int(value(graph, ds, VOID + "distinctSubjects").value) == len({t[0] for t in union})
    assert int(value(graph, ds, VOID + "distinctObjects").value) == len({t[2] for t in union})
    assert int(value(graph, ds, VOID + "properties").value) == len({t[1] for t in union})
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    classes = {t[2] for t in union if t[1] == rdf_type}
    assert int(value(graph, ds, VOID + "classes").value) == len(classes)
    entities = {t[0] for t in union if isinstance(t[0], ox.NamedNode) and t[0].value.startswith(BASE)}
    assert int(value(graph, ds, VOID + "entities").value) == len(entities)
    # Class partition of esg:Metric counts the metrics.
    metric = f"{ds}#class-" + dataset_description._slug(BASE + "ontology#Metric")
    metrics = {t[0] for t in union if t[1] == rdf_type and t[2] == ox.NamedNode(BASE + "ontology#Metric")}
    assert int(value(graph, metric, VOID + "entities").value) == len(metrics)
    # Each named graph is a subset with its own triple count.
    for g in store.named_graphs():
        count = sum(1 for _ in store.quads_for_pattern(None, None, None, g))
        assert int(value(graph, g.value, VOID + "triples").value) == count


def test_linksets_to_the_sdg_kos_count_the_links(store: ox.Store, description) -> None:
    graph, _ = description
    linkset = BASE + "dataset#links-sdg-" + dataset_description._slug(BASE + "ontology#contributesTo")
    assert value(graph, linkset, VOID + "objectsTarget") == ox.NamedNode(dataset_description.SDG_KOS_DATASET)
    links = {(q.subject, q.object) for q in store.quads_for_pattern(None, ox.NamedNode(BASE + "ontology#contributesTo"), None)
             if q.subject.value.startswith(BASE + "id/") and q.object.value.startswith("http://metadata.un.org/sdg/")}
    assert int(value(graph, linkset, VOID + "triples").value) == len(links) > 0


def test_dcat_distributions_and_data_service(description) -> None:
    graph, files = description
    for f in files:
        dist = BASE + "dataset#dist-" + dataset_description._slug(f.name)
        assert value(graph, dist, DCAT + "downloadURL") == ox.NamedNode(BASE + "dumps/" + f.name)
        assert int(value(graph, dist, DCAT + "byteSize").value) == f.size
        checksum = value(graph, dist, "http://spdx.org/rdf/terms#checksum")
        assert value(graph, checksum.value, "http://spdx.org/rdf/terms#checksumValue").value == f.sha256
        assert value(graph, dist, DCAT + "mediaType").value.endswith(f.media_type)
    endpoint = BASE + "sparql"
    assert value(graph, endpoint, DCAT + "servesDataset") == ox.NamedNode(BASE + "dataset")
    assert value(graph, endpoint, DCAT + "endpointURL") == ox.NamedNode(endpoint)
    assert not any(isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode) for q in graph)


def test_void_is_served_at_well_known_and_dataset(bundled_store: StoreRoot) -> None:
    app = create_app(Config(store=str(bundled_store.root), workers=1))
    try:
        client = app.test_client()
        for path in ("/.well-known/void", "/dataset"):
            response = client.get(path, headers={"Accept": "text/turtle"})
            assert response.status_code == 200
            served = list(ox.parse(response.data, format=ox.RdfFormat.TURTLE))
            assert any(t.predicate.value == VOID + "triples" for t in served)
            assert any(t.predicate.value == DCAT + "distribution" for t in served)
        page = client.get("/dataset", headers={"Accept": "text/html"}).get_data(as_text=True)
        assert "Statistics" in page and "Links to the UN SDG KOS" in page
        sitemap = ET.fromstring(client.get("/sitemap.xml").data)
        locs = [e.text for e in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
        assert BASE + "dataset" in locs and len(locs) > 1000
    finally:
        app.extensions["esgkg"].backend.close()


def test_void_counts_beyond_the_limits_come_from_the_downloads_writer(bundled_store: StoreRoot, tmp_path) -> None:
    """A store whose counting is beyond the service's limits (here: a row cap of 3, below the
    number of named graphs) is described without counts at first, never with wrong ones; the
    downloads' writer counts it without the service's limits, and then the description has
    the very counts an unlimited count gives."""
    import time

    expected = dataset_description.statistics(StoreSparql(bundled_store.open_read_only()[0]), Iris())
    assert len(expected.graphs) > 3
    config = Config(store=str(bundled_store.root), workers=1, max_rows=3, dumps_dir=str(tmp_path / "dumps"))
    app = create_app(config)
    try:
        client = app.test_client()

        def served():
            response = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
            assert response.status_code == 200
            return {(t.subject.value, t.predicate.value): t.object.value
                    for t in ox.parse(response.data, format=ox.RdfFormat.TURTLE)}, response.headers["ETag"]

        first, first_tag = served()
        deadline = time.monotonic() + 120
        while (BASE + "dataset", VOID + "triples") not in first and time.monotonic() < deadline:
            time.sleep(0.2)
            first, tag = served()
            assert tag != first_tag or (BASE + "dataset", VOID + "triples") not in first
        assert first[(BASE + "dataset", VOID + "triples")] == str(expected.triples)
        assert first[(BASE + "dataset", VOID + "distinctSubjects")] == str(expected.distinct_subjects)
        for graph, triples, _ in expected.graphs:
            assert first[(graph, VOID + "triples")] == str(triples), graph
    finally:
        app.extensions["esgkg"].backend.close()


def test_sitemap_beyond_the_limits_and_past_its_page_size(bundled_store: StoreRoot, tmp_path, monkeypatch) -> None:
    """With a row cap below the number of documents the sitemap first says its list is being
    written, then serves the writer's list; past SITEMAP_LIMIT URLs (here 500) it is an index
    of pages that together list every document once, as an unlimited service lists them."""
    import time

    from esgkg.graph import sitemap

    unlimited = create_app(Config(store=str(bundled_store.root), workers=1))
    try:
        whole = ET.fromstring(unlimited.test_client().get("/sitemap.xml").data)
        expected = [e.text for e in whole.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    finally:
        unlimited.extensions["esgkg"].backend.close()
    assert len(expected) > 1000
    monkeypatch.setattr(sitemap, "SITEMAP_LIMIT", 500)
    app = create_app(Config(store=str(bundled_store.root), workers=1, max_rows=100, dumps_dir=str(tmp_path / "d")))
    try:
        client = app.test_client()
        first = client.get("/sitemap.xml")
        assert first.status_code == 503 and first.headers["Retry-After"] == "60"
        deadline = time.monotonic() + 180
        while (r := client.get("/sitemap.xml")).status_code == 503 and time.monotonic() < deadline:
            time.sleep(0.5)
        index = ET.fromstring(r.data)
        assert index.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}sitemapindex"
        pages = [e.text for e in index.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
        assert len(pages) == -(-len(expected) // 500)
        listed = []
        for url in pages:
            page = client.get(url[len(BASE) - 1:])
            assert page.status_code == 200, url
            listed += [e.text for e in ET.fromstring(page.data).iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
        assert listed == expected
        assert client.get(f"/sitemap-{len(pages) + 1}.xml").status_code == 404
    finally:
        app.extensions["esgkg"].backend.close()
