"""The union copy a query worker reads: read-only on disk, or copied into memory when small."""
from __future__ import annotations

import pyoxigraph as ox

from esgkg.graph.store import StoreInfo, StoreRoot


def fits_in_memory(info: StoreInfo, memory_quads: int) -> bool:
    """Whether a worker with this ``memory_quads`` limit copies version ``info`` into memory."""
    quads = info.meta.get("quads")
    return isinstance(quads, int) and 0 < quads <= memory_quads


def open_union(root: StoreRoot, info: StoreInfo, memory_quads: int) -> ox.Store:
    """The union copy of ``info``, in memory when the version holds at most ``memory_quads`` quads.

    Oxigraph answers lookups from its in-memory store about twice as fast as from RocksDB
    (docs/decisions.md §31); a version never changes, so the copy is exact for as long as the
    worker serves that version, and the worker drops it with the version.
    """
    on_disk = ox.Store.read_only(str(root.ensure_union(info)))
    if not fits_in_memory(info, memory_quads):
        return on_disk
    copy = ox.Store()
    # Quads as stored, blank nodes included: the copy's answers are the disk's answers.
    copy.bulk_extend(on_disk.quads_for_pattern(None, None, None, None))
    return copy
