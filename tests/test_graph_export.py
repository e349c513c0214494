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
