"""The embedded on-disk store: versioned Oxigraph directories behind one atomic pointer.

Layout of a store root::

    <root>/versions/<version>/   an Oxigraph (RocksDB) store, never modified once published
    <root>/current               symlink to versions/<version>; replaced atomically by rename
    <root>/versions/<version>.union/  the same dataset whose default graph is the RDF merge of
                                 all its graphs (what queries read; see :meth:`StoreRoot.open_union_read_only`)
    <root>/versions/<version>.json        its metadata; ``<version>.build.json`` the chunks
                                          a build made it from (graph/build_load.py)
    <root>/cache/                the build's per-report entries (graph/build_cache.py)

A build writes a complete new version beside the old one and then swaps ``current`` with
``os.replace``; readers resolve ``current`` once when they open. A failed or killed build
therefore never touches what is being served. The version is a digest of the dataset's
content (a digest of its chunks' digests), so it doubles as an ETag for everything served
from it.
"""
from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph

from .errors import StoreError
from .union_copy import derive_union

DEFAULT_ROOT = Path(".esgkg") / "store"
KEEP_VERSIONS = 2
UNION_SUFFIX = ".union"


def default_root() -> Path:
    """``ESGKG_STORE`` if set, else ``./.esgkg/store``."""
    return Path(os.environ.get("ESGKG_STORE", str(DEFAULT_ROOT)))


@dataclass(frozen=True)
class StoreInfo:
    """What is known about a published version without opening it."""

    version: str
    path: Path
    meta: dict


class StoreRoot:
    """A directory holding published store versions and the ``current`` pointer."""

    def __init__(self, root: Path | str | None = None) -> None:
        self.root = Path(root) if root is not None else default_root()
        self.versions = self.root / "versions"
        self.pointer = self.root / "current"
        self.cache = self.root / "cache"

    def exists(self) -> bool:
        return self.pointer.is_symlink() and self.pointer.resolve().is_dir()

    def current(self) -> StoreInfo:
        """The published version, or a :class:`StoreError` that says what is wrong."""
        if not self.pointer.is_symlink():
            raise StoreError(f"no store at {self.root}: run `esgkg build` first")
        path = self.pointer.resolve()
        meta_file = path.parent / f"{path.name}.json"
        if not path.is_dir() or not meta_file.is_file():
            raise StoreError(f"store at {self.root} is damaged: {path} or its metadata is missing")
        try:
            meta = json.loads(meta_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise StoreError(f"store metadata {meta_file} is unreadable: {exc}") from exc
        return StoreInfo(version=path.name, path=path, meta=meta)

    def open_read_only(self) -> tuple[pyoxigraph.Store, StoreInfo]:
        """Open the current version for reading (many processes may do so at once)."""
        info = self.current()
        try:
            return pyoxigraph.Store.read_only(str(info.path)), info
        except (OSError, RuntimeError, ValueError) as exc:  # RocksDB corruption is a RuntimeError
            raise StoreError(f"cannot open store {info.path}: {exc}") from exc

    def union_dir(self, info: StoreInfo) -> Path:
        """Where the union copy of a published version lives (beside it)."""
        return info.path.parent / f"{info.path.name}{UNION_SUFFIX}"

    def ensure_union(self, info: StoreInfo | None = None) -> Path:
        """Make the union copy of ``info`` (default: the current version) if it is missing.

        SPARQL's default graph is the RDF merge of its graphs, a set; Oxigraph's union default
        graph (and its default graph made of several FROM graphs) is a bag: a triple held by
        two named graphs matches twice. So every published version gets a copy whose stored
        default graph holds the set of all its triples (docs/decisions.md §22). The copy is a
        RocksDB checkpoint (hard links) plus the merge itself; it is written under a staging
        name and renamed, so readers see it whole or not at all.
        """
        info = info or self.current()
        target = self.union_dir(info)
        if target.is_dir():
            return target
        try:
            staged = self.staging_dir(f"union-{info.version}")
            try:
                derive_union(info.path, staged)
                try:
                    os.replace(staged, target)
                except OSError:  # another process published it first: same content
                    if not target.is_dir():
                        raise
            finally:
                if staged.exists():
                    shutil.rmtree(staged, ignore_errors=True)
        except (OSError, RuntimeError) as exc:  # e.g. a store folder this user cannot write
            raise StoreError(f"cannot make the union copy {target} of version {info.version}: {exc} "
                             "(run `esgkg build` as a user who can write the store)") from exc
        return target

    def open_union_read_only(self) -> tuple[pyoxigraph.Store, StoreInfo]:
        """Open the current version's union copy for reading (made first if missing).

        Query it *without* ``use_default_graph_as_union``: its default graph already is the
        union, as a set; its named graphs are those of the version.
        """
        info = self.current()
        try:
            return pyoxigraph.Store.read_only(str(self.ensure_union(info))), info
        except (OSError, RuntimeError, ValueError) as exc:
            raise StoreError(f"cannot open the union copy of {info.path}: {exc}") from exc

    def staging_dir(self, version: str) -> Path:
        """A fresh directory in which a build may write the next version."""
        self.versions.mkdir(parents=True, exist_ok=True)
        self._remove_abandoned_staging()
        tmp = self.versions / f".staging-{version}-{os.getpid()}"
        if tmp.exists():
            shutil.rmtree(tmp)
        return tmp

    def _remove_abandoned_staging(self) -> None:
        """Delete staging folders of builds that died (killed, crashed) before publishing.

        A staging folder is named after its build's pid; if no such process runs any more,
        nothing will ever publish it, and each one can be as big as the whole store.
        """
        for path in self.versions.glob(".staging-*"):
            pid = path.name.rsplit("-", 1)[-1]
            if pid.isdigit() and int(pid) != os.getpid() and not _process_alive(int(pid)):
                shutil.rmtree(path, ignore_errors=True)

    def manifest(self, version: str) -> list | None:
        """The chunks a build made ``version`` from, or None (edited, older build, unreadable)."""
        from .build_cache import Chunk

        try:
            rows = json.loads((self.versions / f"{version}.build.json").read_text(encoding="utf-8"))
            return [Chunk.from_json(row) for row in rows]
        except (OSError, ValueError, TypeError, IndexError, KeyError):
            return None

    def publish(self, staged: Path, version: str, meta: dict, manifest: list | None = None,
                union: Path | None = None) -> StoreInfo:
        """Make a fully written staging directory the current version, atomically.

        ``union``: its union copy, staged too (the build makes it from its chunks); without
        one it is derived from the version here.
        """
        final = self.versions / version
        if final.exists():
            # Same content as an earlier build: keep the published copy, drop the new one.
            shutil.rmtree(staged)
        else:
            os.replace(staged, final)
        if union is not None:
            target = self.versions / f"{version}{UNION_SUFFIX}"
            if target.is_dir():  # published with the same content earlier
                shutil.rmtree(union)
            else:
                os.replace(union, target)
        # Before `current` moves: a reader that follows it finds the union copy ready.
        self.ensure_union(StoreInfo(version, final, meta))
        if manifest is not None:
            _write_atomically(self.versions / f"{version}.build.json", json.dumps(manifest))
        meta_file = self.versions / f"{version}.json"
        _write_atomically(meta_file, json.dumps(meta, indent=2, sort_keys=True))
        link_tmp = self.root / f".current-{os.getpid()}"
        if link_tmp.is_symlink() or link_tmp.exists():
            link_tmp.unlink()
        os.symlink(Path("versions") / version, link_tmp)
        os.replace(link_tmp, self.pointer)
        self._prune(keep=version)
        return self.current()

    def _prune(self, keep: str) -> None:
        """Remove old versions beyond the newest few; readers of those keep open handles."""
        published = sorted(
            (p for p in self.versions.iterdir()
             if p.is_dir() and not p.name.startswith(".") and not p.name.endswith(UNION_SUFFIX)),
            key=lambda p: p.stat().st_mtime,
            reverse=True,
        )
        for old in published[KEEP_VERSIONS:]:
            if old.name == keep:
                continue
            shutil.rmtree(old, ignore_errors=True)
            shutil.rmtree(self.versions / f"{old.name}{UNION_SUFFIX}", ignore_errors=True)
            (self.versions / f"{old.name}.json").unlink(missing_ok=True)
            (self.versions / f"{old.name}.build.json").unlink(missing_ok=True)

    def prune_cache(self) -> int:
        """Drop cache entries that no version still on disk was built from."""
        from .build_cache import BuildCache

        keep: set[str] = set()
        for manifest in self.versions.glob("*.build.json"):
            for chunk in self.manifest(manifest.name[: -len(".build.json")]) or []:
                keep.add(chunk.file)
                keep.add(f"{chunk.file.split('.', 1)[0]}.json")
        return BuildCache(self.cache).prune(keep, _process_alive)


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True
