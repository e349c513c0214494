"""Writing a new store version and its union copy from the build's chunks: copies of the
current version and of its union copy with the changed chunks swapped, or one load of all.

The new version is always written into a fresh staging directory and published only by
``StoreRoot.publish``; the current version is opened read-only (its RocksDB checkpoint is
hard links), so nothing here can change what is being served.
"""
from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph

from .build_cache import BuildCache, Chunk
from .errors import StoreError
from .store import StoreInfo, StoreRoot
from .union_copy import drop_unheld, load_files, union_from_chunks

if TYPE_CHECKING:  # pragma: no cover
    from .build import Progress

#: Swap chunks into a copy while they hold at most this share of the new version's quads;
#: beyond it one bulk load of everything is about as fast and leaves a compacted store.
DELTA_SHARE = 0.25
#: Recorded in a version's metadata: its blank nodes carry the labels of the chunk files (a
#: build before this loaded with ``bulk_load``, which renames them, so a removed chunk's
#: blank-node quads could not be found again; such a version is never a delta base).
LOAD_FORMAT = "labels-kept"
_NQ = pyoxigraph.RdfFormat.N_QUADS


def dataset_version(chunks: list[Chunk]) -> str:
    """The version: a digest of every chunk's graph and content digest, in dataset order.

    Each chunk digest is the SHA-256 of its canonical lines, so identical content gives the
    identical version however it was loaded (``docs/decisions.md`` §24).
    """
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(f"{chunk.graph}\t{chunk.digest}\n".encode("utf-8"))
    return digest.hexdigest()[:16]


def _delta_base(root: StoreRoot, cache: BuildCache, chunks: list[Chunk], base_iri: str):
    """(current version, its chunks) when swapping chunks into a copy of it is worth it."""
    try:
        info = root.current()
    except StoreError:
        return None
    old = root.manifest(info.version)
    if (old is None or info.meta.get("edited_from") or info.meta.get("base") != base_iri
            or info.meta.get("load_format") != LOAD_FORMAT):
        return None  # edited through SPARQL Update, or built by an older build
    old_files = {c.file for c in old}
    new_files = {c.file for c in chunks}
    added = sum(c.quads for c in chunks if c.file not in old_files)
    total = max(1, sum(c.quads for c in chunks))
    gone_shared = [c for c in old if c.shared and c.file not in new_files]
    if added > DELTA_SHARE * total or not all(cache.path(c.file).is_file() for c in gone_shared):
        return None
    return info, old


def _files(cache: BuildCache, chunks: list[Chunk]) -> list[tuple[Path, str]]:
    return [(cache.path(c.file), c.graph) for c in chunks]


def _apply_delta(store: pyoxigraph.Store, cache: BuildCache, old: list[Chunk], new: list[Chunk],
                 union: bool = False) -> None:
    """Swap the chunks of ``old`` not in ``new`` for those of ``new`` not in ``old``.

    ``union``: ``store`` is a union copy, whose default graph follows (graph/union_copy.py).
    """
    new_files = {c.file for c in new}
    old_files = {c.file for c in old}
    gone = [c for c in old if c.file not in new_files]
    for chunk in gone:
        if chunk.shared:  # its graph holds other chunks' quads too: remove exactly its own
            for quad in pyoxigraph.parse(path=str(cache.path(chunk.file)), format=_NQ):
                store.remove(quad)
        else:
            store.remove_graph(pyoxigraph.NamedNode(chunk.graph))
    added = [c for c in new if c.file not in old_files]
    load_files(store, _files(cache, added))
    if union:
        load_files(store, _files(cache, added), as_triples=True)
        drop_unheld(store, [cache.path(c.file) for c in gone])


@dataclass
class Loaded:
    """A new version written under staging names: the version and its union copy (§22)."""

    version: str
    staging: Path | None  # None: the version is current already
    union: Path | None = None
    how: str = "unchanged"

    def discard(self) -> None:
        """Remove what was staged (a no-op for what was published: renamed away already)."""
        for path in (self.staging, self.union):
            if path is not None:
                shutil.rmtree(path, ignore_errors=True)


def load_chunks(root: StoreRoot, cache: BuildCache, chunks: list[Chunk], base_iri: str,
                progress: "Progress") -> Loaded:
    """The new version made of ``chunks`` and its union copy, staged; nothing when it is current.

    With few changed chunks both are checkpoints of the current version and of its union copy
    with the changed chunks swapped (work proportional to the change, not to the store);
    otherwise one load of every chunk, and the union copy a checkpoint of it plus every
    chunk's triples in its default graph.
    """
    version = dataset_version(chunks)
    if root.exists() and root.current().version == version:
        progress.step(f"nothing changed: version {version} is current")
        return Loaded(version, None)
    loaded = Loaded(version, root.staging_dir(version))
    try:
        delta = _delta_base(root, cache, chunks, base_iri)
        if delta is not None:
            info, old = delta
            changed = len({c.file for c in chunks} ^ {c.file for c in old})
            progress.step(f"loading {changed} changed chunk(s) into a copy of version {info.version}")
            _swap_into_copy(info.path, loaded.staging, cache, old, chunks)
            loaded.how = "delta"
            loaded.union = _delta_union(root, info, cache, old, chunks, version, progress)
        else:
            progress.step(f"loading {sum(c.quads for c in chunks)} quads into the store")
            store = pyoxigraph.Store(str(loaded.staging))
            load_files(store, _files(cache, chunks))
            store.optimize()
            store.flush()
            del store  # release the RocksDB lock before the directory is copied and published
            loaded.how = "full"
        if loaded.union is None:
            progress.step("writing the union copy (every triple once in the default graph)")
            loaded.union = root.staging_dir(f"union-{version}")
            union_from_chunks(loaded.staging, loaded.union, _files(cache, chunks))
    except BaseException:
        loaded.discard()
        raise
    return loaded


def _swap_into_copy(source: Path, target: Path, cache: BuildCache, old: list[Chunk], new: list[Chunk],
                    union: bool = False) -> None:
    """A checkpoint of the store at ``source`` at ``target``, with the chunk swap applied."""
    current = pyoxigraph.Store.read_only(str(source))
    current.backup(str(target))  # a RocksDB checkpoint: hard links to immutable files
    del current
    store = pyoxigraph.Store(str(target))
    _apply_delta(store, cache, old, new, union=union)
    store.flush()
    del store  # release the RocksDB lock before the directory is published


def _delta_union(root: StoreRoot, info: StoreInfo, cache: BuildCache, old: list[Chunk], new: list[Chunk],
                 version: str, progress: "Progress") -> Path | None:
    """The previous union copy with the same swap, or None when it cannot be had that way
    (no union copy of the current version, or a removed chunk's file is gone from the cache)."""
    previous = root.union_dir(info)
    new_files = {c.file for c in new}
    if not previous.is_dir() or not all(cache.path(c.file).is_file() for c in old if c.file not in new_files):
        return None
    progress.step(f"swapping the same chunks into a copy of the union copy of version {info.version}")
    target = root.staging_dir(f"union-{version}")
    try:
        _swap_into_copy(previous, target, cache, old, new, union=True)
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    return target
