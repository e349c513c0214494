"""A rebuild swaps the changed chunks into copies of the version *and* of its union copy
(decisions §22, §24): both must equal what a load of every chunk from nothing gives, blank
nodes included, and the union copy's default graph stays a set (a triple leaves it only
when no named graph holds it any more)."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from esgkg.graph import build_load
from esgkg.graph.build_cache import BuildCache, Chunk
from esgkg.graph.build_load import LOAD_FORMAT, load_chunks
from esgkg.graph.store import UNION_SUFFIX, StoreRoot
from esgkg.graph.union_copy import derive_union

E = "http://example.org/"
BASE = "http://example.org/base/"
SHARED = f"<{E}acme> <{E}name> \"Acme\""  # held by g1 and g2
ONLY_G1 = f"<{E}r1> <{E}about> <{E}acme>"
DEFAULT = ox.DefaultGraph()


class _Quiet:
    def step(self, description: str) -> None:
        pass


def _chunk(cache: BuildCache, key: str, graph: str, triples: list[str], shared: bool = False) -> Chunk:
    return cache.write_chunk(key, "data", f"{E}{graph}", [f"{t} <{E}{graph}> ." for t in triples], shared)


def _findings(cache: BuildCache, key: str, report: str, value: str) -> Chunk:
    """A report's findings: blank nodes in the graph every report's findings share."""
    node = f"_:f{report}"
    return _chunk(cache, key, "validation", [f"_:head <{E}result> {node}", f"{node} <{E}message> \"{value}\""],
                  shared=True)


def _publish(root: StoreRoot, chunks: list[Chunk]) -> str:
    loaded = load_chunks(root, BuildCache(root.cache), chunks, BASE, _Quiet())
    assert loaded.staging is not None
    root.publish(loaded.staging, loaded.version, {"base": BASE, "load_format": LOAD_FORMAT},
                 manifest=[c.to_json() for c in chunks], union=loaded.union)
    return loaded.how


def _quads(path: Path) -> set[ox.Quad]:
    return set(ox.Store.read_only(str(path)))


def _contents(root: StoreRoot) -> tuple[set[ox.Quad], set[ox.Quad]]:
    info = root.current()
    return _quads(info.path), _quads(root.union_dir(info))


def _from_nothing(tmp_path: Path, cache_root: Path, chunks: list[Chunk]) -> tuple[set[ox.Quad], set[ox.Quad]]:
    fresh = StoreRoot(tmp_path / "fresh")
    fresh.root.mkdir()
    fresh.cache.symlink_to(cache_root)
    assert _publish(fresh, chunks) == "full"
    return _contents(fresh)


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> StoreRoot:
    monkeypatch.setattr(build_load, "DELTA_SHARE", 1.0)  # tiny chunks: swap whatever share changed
    return StoreRoot(tmp_path / "store")


def test_a_rebuild_equals_a_build_from_nothing_and_its_union_stays_a_set(tmp_path: Path, root: StoreRoot) -> None:
    cache = BuildCache(root.cache)
    g1 = _chunk(cache, "a", "g1", [SHARED, ONLY_G1])
    g2 = _chunk(cache, "b", "g2", [SHARED])
    f1 = _findings(cache, "fa", "1", "old")
    assert _publish(root, [g1, g2, f1]) == "full"
    # Report 1 changes: it no longer holds the shared triple, and its finding says something else.
    g1_new = _chunk(cache, "a2", "g1", [f"<{E}r1> <{E}about> <{E}other>"])
    f1_new = _findings(cache, "fa2", "1", "new")
    assert _publish(root, [g1_new, g2, f1_new]) == "delta"
    version, union = _contents(root)
    assert (version, union) == _from_nothing(tmp_path, root.cache, [g1_new, g2, f1_new])
    default = {q.triple for q in union if q.graph_name == DEFAULT}
    assert default == {q.triple for q in version}
    assert ox.Literal("old") not in {q.object for q in version}  # the old finding is gone, blank nodes too
    triple = next(iter(ox.parse(f"{SHARED} .", format=ox.RdfFormat.N_TRIPLES))).triple
    assert triple in default  # g2 still holds it
    # Report 2 goes: now no named graph holds the shared triple, so the default graph drops it.
    assert _publish(root, [g1_new, f1_new]) == "delta"
    version, union = _contents(root)
    assert triple not in {q.triple for q in union if q.graph_name == DEFAULT}
    assert {q.triple for q in union if q.graph_name == DEFAULT} == {q.triple for q in version}


def test_derived_and_built_union_copies_are_the_same(tmp_path: Path, root: StoreRoot) -> None:
    cache = BuildCache(root.cache)
    _publish(root, [_chunk(cache, "a", "g1", [SHARED, ONLY_G1]), _chunk(cache, "b", "g2", [SHARED]),
                    _findings(cache, "fa", "1", "x")])
    info = root.current()
    derive_union(info.path, tmp_path / "derived")
    assert _quads(tmp_path / "derived") == _quads(info.path.parent / f"{info.version}{UNION_SUFFIX}")


def test_a_version_loaded_by_an_older_build_is_not_a_delta_base(root: StoreRoot) -> None:
    """Its blank nodes were renamed on load, so a removed chunk's could not be found again."""
    cache = BuildCache(root.cache)
    g1, g2 = _chunk(cache, "a", "g1", [ONLY_G1]), _chunk(cache, "b", "g2", [SHARED])
    loaded = load_chunks(root, cache, [g1, g2], BASE, _Quiet())
    root.publish(loaded.staging, loaded.version, {"base": BASE}, manifest=[g1.to_json(), g2.to_json()],
                 union=loaded.union)
    assert _publish(root, [g1, _chunk(cache, "b2", "g2", [ONLY_G1])]) == "full"
