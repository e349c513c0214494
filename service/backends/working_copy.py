"""The writable copy of the store that update mode edits.

Published versions are immutable (readers may hold them open), and RocksDB must not be
read by other processes while one writes. So update mode copies the current version to
``<root>/working`` once and one writer process owns that copy, serving reads and writes.
The copy is kept across restarts of update mode and replaced by a fresh copy when
``esgkg build`` has published a newer version since: the sources stay the truth.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyoxigraph as ox

from esgkg.graph.store import StoreRoot


def prepare(root: StoreRoot) -> Path:
    """The working directory, (re)made from the current version when that one is newer."""
    working = root.root / "working"
    marker = root.root / "working.json"
    base = root.current().version if root.exists() else None
    recorded = None
    if marker.is_file():
        recorded = json.loads(marker.read_text(encoding="utf-8")).get("base")
    if working.is_dir() and recorded == base:
        return working
    if working.exists():
        shutil.rmtree(working)
    root.root.mkdir(parents=True, exist_ok=True)
    if base is None:
        ox.Store(str(working))  # empty store: a maintainer may fill it through /store
    else:
        shutil.copytree(root.current().path, working)
    marker.write_text(json.dumps({"base": base}), encoding="utf-8")
    return working
