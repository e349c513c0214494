"""Writing a new store version from the build's chunks: a copy of the current version with
the changed chunks swapped, or one bulk load of all of them.

The new version is always written into a fresh staging directory and published only by
``StoreRoot.publish``; the current version is opened read-only (its RocksDB checkpoint is
hard links), so nothing here can change what is being served.
"""
from __future__ import annotations

import hashlib
import io
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph

from .build_cache import BuildCache, Chunk, ChunkReader
from .errors import StoreError
from .store import StoreRoot

if TYPE_CHECKING:  # pragma: no cover
    from .build import Progress

#: Swap chunks into a copy while they hold at most this share of the new version's quads;
#: beyond it one bulk load of everything is about as fast and leaves a compacted store.
DELTA_SHARE = 0.25
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


def _reader(cache: BuildCache, chunks: list[Chunk]) -> io.BufferedReader:
    return io.BufferedReader(ChunkReader([cache.path(c.file) for c in chunks]), buffer_size=1 << 20)


def _delta_base(root: StoreRoot, cache: BuildCache, chunks: list[Chunk], base_iri: str):
    """(current version, its chunks) when swapping chunks into a copy of it is worth it."""
    try:
        info = root.current()
    except StoreError:
        return None
    old = root.manifest(info.version)
    if old is None or info.meta.get("edited_from") or info.meta.get("base") != base_iri:
        return None  # edited through SPARQL Update, or built before manifests existed
    old_files = {c.file for c in old}
    new_files = {c.file for c in chunks}
    added = sum(c.quads for c in chunks if c.file not in old_files)
    total = max(1, sum(c.quads for c in chunks))
    gone_shared = [c for c in old if c.shared and c.file not in new_files]
    if added > DELTA_SHARE * total or not all(cache.path(c.file).is_file() for c in gone_shared):
        return None
    return info, old


def _apply_delta(store: pyoxigraph.Store, cache: BuildCache, old: list[Chunk], new: list[Chunk]) -> None:
    new_files = {c.file for c in new}
    old_files = {c.file for c in old}
    for chunk in (c for c in old if c.file not in new_files):
        if chunk.shared:  # its graph holds other chunks' quads too: remove exactly its own
            for quad in pyoxigraph.parse(path=str(cache.path(chunk.file)), format=_NQ):
                store.remove(quad)
        else:
            store.remove_graph(pyoxigraph.NamedNode(chunk.graph))
    added = [c for c in new if c.file not in old_files]
    if added:
        store.bulk_load(_reader(cache, added), format=_NQ)


def load_chunks(root: StoreRoot, cache: BuildCache, chunks: list[Chunk], base_iri: str,
                progress: "Progress") -> tuple[str, Path | None, str]:
    """(version, staged directory, how) for ``chunks``; no directory when it is current already."""
    version = dataset_version(chunks)
    if root.exists() and root.current().version == version:
        progress.step(f"nothing changed: version {version} is current")
        return version, None, "unchanged"
    staging = root.staging_dir(version)
    try:
        delta = _delta_base(root, cache, chunks, base_iri)
        if delta is not None:
            info, old = delta
            changed = len({c.file for c in chunks} ^ {c.file for c in old})
            progress.step(f"loading {changed} changed chunk(s) into a copy of version {info.version}")
            current = pyoxigraph.Store.read_only(str(info.path))
            current.backup(str(staging))  # a RocksDB checkpoint: hard links to immutable files
            del current
            store = pyoxigraph.Store(str(staging))
            _apply_delta(store, cache, old, chunks)
            how = "delta"
        else:
            progress.step(f"loading {sum(c.quads for c in chunks)} quads into the store")
            store = pyoxigraph.Store(str(staging))
            store.bulk_load(_reader(cache, chunks), format=_NQ)
            store.optimize()
            how = "full"
        store.flush()
        del store  # release the RocksDB lock before the directory is published
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return version, staging, how
