"""Per-app state of linked-data publishing: store version, caches, dumps.

Descriptions are cached per (store version, IRI): a published version never changes, so a
cached answer is right until ``esgkg build`` publishes a new version, and then the key
changes. In remote mode there is no local version: nothing is cached and ETags are made
from the content instead.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from flask import Flask, current_app

from esgkg.graph.dumps import DumpCache, DumpFile
from esgkg.graph.errors import StoreError
from esgkg.graph.namespaces import Iris
from esgkg.graph.store import StoreRoot

from .ld_source import BackendSource

CACHE_SIZE = 4096


@dataclass(frozen=True)
class Version:
    """The published store version: its id (ETag stem) and when it was published."""

    id: str
    published: datetime


class LinkedData:
    """What the linked-data blueprints share, in ``app.extensions['esgkg_ld']``."""

    def __init__(self, app: Flask) -> None:
        services = app.extensions["esgkg"]
        self.config = services.config
        self.source = BackendSource(services.backend)
        self.iris = Iris()
        self.root = None if self.config.remote else StoreRoot(self.config.store)
        self._cache: OrderedDict[tuple[str, str], Any] = OrderedDict()
        self._lock = threading.Lock()
        self.dumps = DumpCache(self._dump_dir()) if self.root is not None else None

    def _dump_dir(self) -> Path:
        # Next to the store when we may write there; else a per-store folder in the temp dir.
        configured = os.environ.get("ESGKG_DUMPS_DIR")
        if configured:
            return Path(configured)
        assert self.root is not None
        beside = self.root.root / "dumps"
        try:
            beside.mkdir(parents=True, exist_ok=True)
            if os.access(beside, os.W_OK):
                return beside
        except OSError:
            pass
        digest = hashlib.sha256(str(self.root.root.resolve()).encode()).hexdigest()[:12]
        return Path(tempfile.gettempdir()) / f"esgkg-dumps-{digest}"

    def version(self) -> Version | None:
        """The currently published version (None in remote mode or without a store)."""
        if self.root is None:
            return None
        try:
            info = self.root.current()
        except StoreError:
            return None
        meta_file = info.path.parent / f"{info.version}.json"
        published = datetime.fromtimestamp(meta_file.stat().st_mtime, tz=timezone.utc)
        return Version(info.version, published)

    def cached(self, version: Version | None, key: str, compute: Callable[[], Any]) -> Any:
        """``compute()`` once per (version, key); always recomputed without a version."""
        if version is None:
            return compute()
        full = (version.id, key)
        with self._lock:
            if full in self._cache:
                self._cache.move_to_end(full)
                return self._cache[full]
        value = compute()
        with self._lock:
            self._cache[full] = value
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return value

    def dump_files(self, version: Version) -> list[DumpFile]:
        """The dumps of ``version``, generated on first use (seconds, once per version)."""
        if self.dumps is None or self.root is None:
            raise StoreError("dumps are made from the embedded store; this service answers from a remote engine")
        root = self.root

        def open_store():
            store, info = root.open_read_only()
            if info.version != version.id:  # published in between: the next request catches up
                raise StoreError("the store changed while preparing downloads; try again")
            return store

        return self.dumps.ensure(version.id, open_store, self.iris)


def state() -> LinkedData:
    """The app's linked-data state, made on first use."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    found = app.extensions.get("esgkg_ld")
    if found is None:
        found = app.extensions.setdefault("esgkg_ld", LinkedData(app))
    return found
