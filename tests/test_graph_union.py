"""The default graph is the RDF merge of its graphs, a set: a triple two graphs share counts once.

Library level: graph.union.run_query on a store and its union copy (every query form, with
and without FROM / FROM NAMED, and with the protocol's dataset), the union copy that every
publish makes, and the local query function of the CLI. The same over HTTP and through the
workers is in tests/test_http_sparql.py.
"""
from __future__ import annotations

import shutil

import pyoxigraph as ox
import pytest

from esgkg.graph.sparql import StoreSparql
from esgkg.graph.sparql_text import dataset_clauses
from esgkg.graph.store import StoreRoot
from esgkg.graph.union import run_query
from sparql_support import make_store

E = "http://example.org/"
SHARED = f"<{E}acme> <{E}name> \"Acme\""
# One triple in two named graphs (two reports of one company share their organisation),
# and one triple only in the first.
NQUADS = (f"{SHARED} <{E}g1> .\n{SHARED} <{E}g2> .\n"
          f"<{E}r1> <{E}about> <{E}acme> <{E}g1> .\n")
COUNT = "SELECT (COUNT(*) AS ?n) {clauses} WHERE {{ {pattern} }}"


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> StoreRoot:
    return make_store(tmp_path_factory.mktemp("union"), NQUADS)


@pytest.fixture(scope="module")
def stores(root: StoreRoot):
    store, _ = root.open_read_only()
    union, _ = root.open_union_read_only()
    return store, union


def count(stores, clauses: str = "", pattern: str = f"<{E}acme> ?p ?o", **dataset) -> int:
    store, union = stores
    text = COUNT.format(clauses=clauses, pattern=pattern)
    solutions = run_query(store, text, union_store=union, **dataset)
    return int(next(iter(solutions))["n"].value)


def test_the_engine_alone_counts_a_shared_triple_twice(stores) -> None:
    """What this module guards against (oxigraph#1919); if it ever reads 1, upstream fixed it."""
    store, _ = stores
    query = COUNT.format(clauses="", pattern=f"<{E}acme> ?p ?o")
    assert int(next(iter(store.query(query, use_default_graph_as_union=True)))["n"].value) == 2


@pytest.mark.parametrize("clauses", [
    "",
    f"FROM <{E}g1> FROM <{E}g2>",
    f"FROM <{E}g1> FROM <{E}g2> FROM <{E}g1>",
    f"FROM <{E}g1> FROM <{E}g2> FROM NAMED <{E}g1>",
    f"FROM <{E}g2>",
])
def test_a_shared_triple_counts_once_in_the_default_graph(stores, clauses: str) -> None:
    assert count(stores, clauses) == 1


def test_prefixed_names_and_base_in_from_are_resolved() -> None:
    text = (f"BASE <{E}> PREFIX e: <{E}> SELECT * FROM e:g1 FROM <g2> FROM NAMED <g\\u0033> "
            "WHERE { ?s ?p ?o }")
    assert dataset_clauses(text) == ([f"{E}g1", f"{E}g2"], [f"{E}g3"])
    assert dataset_clauses("SELECT * WHERE { ?s ?p ?o }") is None
    assert dataset_clauses("SELECT * FROM <relative> WHERE { ?s ?p ?o }") is None  # the engine says why


def test_graph_still_sees_each_named_graph(stores) -> None:
    assert count(stores, pattern=f"GRAPH ?g {{ <{E}acme> ?p ?o }}") == 2
    assert count(stores, f"FROM NAMED <{E}g1> FROM NAMED <{E}g2>", f"GRAPH ?g {{ <{E}acme> ?p ?o }}") == 2
    assert count(stores, f"FROM <{E}g1> FROM <{E}g2> FROM NAMED <{E}g2>",
                 f"GRAPH ?g {{ <{E}acme> ?p ?o }}") == 1
    assert count(stores, f"FROM NAMED <{E}g1>") == 0  # FROM NAMED alone: an empty default graph


def test_the_protocol_dataset_replaces_from_and_is_a_set_too(stores) -> None:
    both = {"default_graphs": [f"{E}g1", f"{E}g2"]}
    assert count(stores, **both) == 1
    assert count(stores, f"FROM <{E}g1>", **both) == 1
    assert count(stores, named_graphs=[f"{E}g1", f"{E}g2"], pattern=f"GRAPH ?g {{ <{E}acme> ?p ?o }}") == 2
    assert count(stores, named_graphs=[f"{E}g1"]) == 0


def test_every_query_form_sees_the_merge(stores) -> None:
    store, union = stores
    for clauses in ("", f"FROM <{E}g1> FROM <{E}g2>"):
        construct = run_query(store, f"CONSTRUCT {{ ?s ?p ?o }} {clauses} WHERE {{ <{E}acme> ?p ?o BIND(<{E}acme> AS ?s) }}",
                              union_store=union)
        assert len(list(construct)) == 1
        describe = run_query(store, f"DESCRIBE <{E}acme> {clauses}", union_store=union)
        assert len(list(describe)) == 1
        assert bool(run_query(store, f"ASK {clauses} {{ <{E}r1> <{E}about> ?o }}", union_store=union))


def test_without_union_the_stored_default_graph_is_read(stores) -> None:
    store, union = stores
    solutions = run_query(store, COUNT.format(clauses="", pattern="?s ?p ?o"), union=False, union_store=union)
    assert next(iter(solutions))["n"].value == "0"


def test_every_publish_makes_the_union_copy_and_pruning_removes_it(tmp_path) -> None:
    first = make_store(tmp_path, NQUADS)
    versions = [first.current()]
    for extra in ("a", "b"):
        versions.append(make_store(tmp_path, NQUADS + f"<{E}{extra}> <{E}p> <{E}o> <{E}g3> .\n").current())
    names = sorted(p.name for p in first.versions.iterdir() if p.is_dir())
    kept = sorted([v.version for v in versions[1:]] + [v.version + ".union" for v in versions[1:]])
    assert names == kept  # two versions kept, each with its union copy; the oldest gone with its copy
    union, _ = first.open_union_read_only()
    assert len(list(union.quads_for_pattern(None, None, None, ox.DefaultGraph()))) == 3


def test_a_version_published_before_union_copies_gets_one_on_first_open(tmp_path) -> None:
    root = make_store(tmp_path, NQUADS)
    union_dir = root.union_dir(root.current())
    shutil.rmtree(union_dir)
    union, _ = root.open_union_read_only()
    sparql = StoreSparql(union, union_store=union)
    assert union_dir.is_dir()
    assert sparql.select(COUNT.format(clauses="", pattern=f"<{E}acme> ?p ?o")).values("n") == ["1"]


def test_the_cli_query_function_counts_a_shared_triple_once(root: StoreRoot) -> None:
    from esgkg.service.commands.common import open_query_fn

    select, _ = open_query_fn(root.root)
    assert select(COUNT.format(clauses="", pattern=f"<{E}acme> ?p ?o")).values("n") == ["1"]
    assert select(COUNT.format(clauses="", pattern=f"GRAPH ?g {{ <{E}acme> ?p ?o }}")).values("n") == ["2"]
