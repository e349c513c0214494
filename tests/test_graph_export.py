"""`esgkg export` in every format parses back, with an independent parser, to the same data."""
from __future__ import annotations

import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from esgkg.graph.export import FORMATS, export
from esgkg.graph.store import StoreRoot

RDFLIB_FORMAT = {"nq": "nquads", "trig": "trig", "jsonld": "json-ld", "nt": "nt", "ttl": "turtle", "rdf": "xml"}


@pytest.fixture(scope="module")
def store(example_store: StoreRoot):
    return example_store.open_read_only()[0]


@pytest.fixture(scope="module")
def reference_quads(store) -> Dataset:
    ds = Dataset()
    ds.parse(data=export(store, "nq"), format="nquads")
    return ds


@pytest.mark.parametrize("fmt", [f for f, (_, is_ds, _) in FORMATS.items() if is_ds and f != "nq"])
def test_dataset_formats_round_trip(store, reference_quads: Dataset, fmt: str) -> None:
    ds = Dataset()
    ds.parse(data=export(store, fmt), format=RDFLIB_FORMAT[fmt])
    for name in {g.identifier for g in reference_quads.graphs()}:
        if len(reference_quads.graph(name)) == 0:
            continue
        assert isomorphic(ds.graph(name), reference_quads.graph(name)), f"{fmt}: graph {name} differs"


@pytest.mark.parametrize("fmt", [f for f, (_, is_ds, _) in FORMATS.items() if not is_ds])
def test_triple_formats_hold_the_union_of_all_graphs(store, reference_quads: Dataset, fmt: str) -> None:
    g = Graph().parse(data=export(store, fmt), format=RDFLIB_FORMAT[fmt])
    union = Graph()
    for ctx in reference_quads.graphs():
        for t in ctx:
            union.add(t)
    assert isomorphic(g, union)


def test_nquads_are_sorted_and_unique(store) -> None:
    lines = export(store, "nq").decode("utf-8").splitlines()
    assert lines == sorted(set(lines))


def test_jsonld_uses_the_project_context(store) -> None:
    import json

    doc = json.loads(export(store, "jsonld"))
    assert "@context" in doc
    assert "esg" in json.dumps(doc["@context"])


def test_unknown_format_is_refused(store) -> None:
    with pytest.raises(ValueError, match="unknown format"):
        export(store, "n3")


def test_sorted_runs_on_disk_and_chunks_change_no_byte(store, monkeypatch) -> None:
    """The store is written a graph group at a time, its lines sorted in runs on disk and
    merged, Turtle and RDF/XML in chunks cut between subjects: with a run per group and a chunk
    every few triples, every format comes out byte for byte as written in one piece."""
    from esgkg.graph import export as module

    whole = {fmt: export(store, fmt) for fmt in FORMATS}
    monkeypatch.setattr(module, "RUN_BYTES", 1)
    monkeypatch.setattr(module, "CHUNK_TRIPLES", 5)
    for fmt in FORMATS:
        assert export(store, fmt) == whole[fmt], fmt


def test_a_blank_node_two_graphs_share_stays_one_node() -> None:
    """Graphs sharing a blank node are canonicalised together (one node in both), graphs that
    do not get labels of their own even where their shapes are the same."""
    import pyoxigraph as ox

    s, p = ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p")
    shared, alone = ox.BlankNode("shared"), ox.BlankNode("alone")
    g1, g2, g3 = (ox.NamedNode(f"http://example.org/g{i}") for i in (1, 2, 3))
    one = ox.Store()
    one.extend([ox.Quad(s, p, shared, g1), ox.Quad(shared, p, ox.Literal("v"), g2),
                ox.Quad(s, p, alone, g3), ox.Quad(alone, p, ox.Literal("v"), g3)])
    quads = list(ox.parse(export(one, "nq"), format=ox.RdfFormat.N_QUADS))
    label = {q.graph_name.value: q for q in quads if q.predicate == p and q.subject == s}
    across = [q for q in quads if q.graph_name == g2][0]
    assert label["http://example.org/g1"].object == across.subject  # one node in both graphs
    assert label["http://example.org/g3"].object != across.subject
    assert len(quads) == 4 and len({t.value for q in quads for t in (q.subject, q.object)
                                    if isinstance(t, ox.BlankNode)}) == 2


def test_graphs_sharing_a_blank_node_are_still_written_one_at_a_time(bundled_store) -> None:
    """The findings graphs share the validation report's head node: it is pinned by its hash,
    so each graph is canonicalised on its own (one group of every findings graph took the
    writer past its memory cap at 1,000 reports)."""
    from esgkg.graph import export as module

    groups, pinned = module._groups(bundled_store.open_read_only()[0])
    assert pinned and all(len(group) == 1 for group in groups)


def test_shared_blank_nodes_the_hash_cannot_tell_apart_are_canonicalised_together() -> None:
    import pyoxigraph as ox

    from esgkg.graph import export as module

    s, p = ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p")
    g1, g2 = ox.NamedNode("http://example.org/g1"), ox.NamedNode("http://example.org/g2")

    def store(a: str, b: str) -> ox.Store:
        one = ox.Store()
        for node in (ox.BlankNode(a), ox.BlankNode(b)):  # two nodes alike in every quad
            one.extend([ox.Quad(s, p, node, g1), ox.Quad(node, p, ox.Literal("v"), g2)])
        return one

    groups, pinned = module._groups(store("x", "y"))
    assert not pinned and [len(g) for g in groups] == [2]
    text = export(store("x", "y"), "nq")
    assert text == export(store("q", "r"), "nq")  # the same data, other labels: the same bytes
    quads = list(ox.parse(text, format=ox.RdfFormat.N_QUADS))
    assert len(quads) == 4 and len({q.object.value for q in quads if q.graph_name == g1}) == 2
