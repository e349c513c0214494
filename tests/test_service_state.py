"""The per-app state: answers derived from the store are computed once per store version."""
from __future__ import annotations

from esgkg.graph.store import StoreRoot
from esgkg.service.app import create_app
from esgkg.service.backends.factory import make_backend
from esgkg.service.state import VersionedCache, current_state
from sparql_support import make_config


def test_projection_and_pictures_are_made_once_per_store_version(bundled_store: StoreRoot) -> None:
    config = make_config(bundled_store)
    backend = make_backend(config)
    try:
        app = create_app(config, backend=backend)
        with app.app_context():
            state = current_state()
            first = state.projection()
            assert state.projection() is first and state.projections.computed == 1
            svg = state.picture("coverage", "svg")
            assert svg.startswith(b"<?xml") and state.picture("coverage", "svg") is svg
            assert state.pictures.computed == 1
            state.picture("coverage", "png")
            assert state.pictures.computed == 2
    finally:
        backend.close()


def test_a_new_version_is_a_new_key_and_no_version_is_never_cached() -> None:
    cache = VersionedCache(size=2)
    calls: list[str] = []

    def compute(tag: str):
        return lambda: calls.append(tag) or tag

    assert cache.get("v1", "k", compute("a")) == "a"
    assert cache.get("v1", "k", compute("b")) == "a"
    assert cache.get("v2", "k", compute("c")) == "c"
    assert cache.get(None, "k", compute("d")) == "d" and cache.get(None, "k", compute("e")) == "e"
    assert calls == ["a", "c", "d", "e"]
    cache.get("v3", "k", compute("f"))  # size 2: the least recently used (v1) goes
    assert cache.get("v1", "k", compute("g")) == "g"
