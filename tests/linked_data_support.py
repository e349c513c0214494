"""Helpers for the linked-data tests: dumps shared across the test session."""
from __future__ import annotations

from pathlib import Path


_DUMPS: dict[str, list] = {}


def shared_dumps(root) -> tuple[Path, list]:
    """The dumps of a store's current version, written once per test session into the same
    cache folder the service uses (``<store>/dumps/<version>``), so tests share the work."""
    from esgkg.graph.dumps import DumpCache
    from esgkg.graph.namespaces import Iris

    cache = DumpCache(Path(root.root) / "dumps")
    version = root.current().version
    if str(root.root) not in _DUMPS:
        files = cache.ensure(version, Path(root.root), Iris(), wait=300)
        assert isinstance(files, list), files  # written, not still Preparing or failed
        _DUMPS[str(root.root)] = files
    return cache.folder(version), _DUMPS[str(root.root)]
