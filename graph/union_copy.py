"""Writing a version's union copy (docs/decisions.md §22) without work proportional to the store
when only a few graphs changed.

The union copy is the version's named graphs plus a default graph holding every triple of
every named graph once. Three ways to make one, all giving the same content:

* :func:`union_from_chunks` (a full build): a checkpoint of the new version (hard links), and
  the build's chunk files loaded a second time as triples into the default graph;
* :func:`union_delta` (a rebuild): a checkpoint of the *previous* version's union copy, the
  same chunk swap the version got (graph/build_load.py), the added chunks' triples added to
  the default graph, and each removed chunk's triple removed from it only when no named graph
  still holds it (the default graph is a set: a triple two graphs share stays while one does);
* :func:`derive_union` (a version not made from chunks, e.g. edited through SPARQL Update):
  every named graph dumped as triples and loaded into a checkpoint of the version.

Chunks are loaded with :func:`load_files`, which keeps blank-node labels as written (Oxigraph's
``bulk_load`` renames them, call by call): the label a chunk file gives a node is then the
node's identity in every store made from it, so a removed chunk's quads can be found again
by parsing that file, and the default graph's blank nodes are the named graphs' ones.
"""
from __future__ import annotations

import io
import os
import shutil
from pathlib import Path
from typing import Iterable

import pyoxigraph as ox

NQ = ox.RdfFormat.N_QUADS
NT = ox.RdfFormat.N_TRIPLES
_DEFAULT = ox.DefaultGraph()


class _Concat(io.RawIOBase):
    """Files read one after the other as one stream; ``strip`` turns one-graph N-Quads into
    N-Triples (each chunk file is lines of one graph, so its ``<graph> .`` suffix is known)."""

    def __init__(self, files: Iterable[tuple[Path, str | None]]) -> None:
        self._files = iter(files)
        self._current: io.BufferedReader | None = None
        self._suffix: bytes | None = None
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        while not self._pending:
            if self._current is None:
                nxt = next(self._files, None)
                if nxt is None:
                    return 0
                self._current = nxt[0].open("rb")
                self._suffix = f" <{nxt[1]}> .\n".encode("utf-8") if nxt[1] else None
            block = self._current.read(1 << 20)
            if not block:
                self._current.close()
                self._current = None
                continue
            if self._suffix is not None:
                # Whole lines only, so that no suffix is split between two blocks.
                block += self._current.readline()
                block = block.replace(self._suffix, b" .\n")
            self._pending = block
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n

    def close(self) -> None:
        if self._current is not None:
            self._current.close()
        super().close()


def load_files(store: ox.Store, files: list[tuple[Path, str]], as_triples: bool = False) -> None:
    """Add the N-Quads chunk files ``(path, graph)`` to ``store``, blank-node labels kept.

    ``as_triples``: into the default graph instead of each chunk's own graph.
    """
    if not files:
        return
    stream = io.BufferedReader(_Concat((p, g if as_triples else None) for p, g in files), buffer_size=1 << 20)
    store.bulk_extend(ox.parse(stream, format=NT if as_triples else NQ))


def union_from_chunks(version_dir: Path, target: Path, files: list[tuple[Path, str]]) -> None:
    """The union copy of the version at ``version_dir``, made of chunk ``files``, at ``target``."""
    source = ox.Store.read_only(str(version_dir))
    source.backup(str(target))  # a RocksDB checkpoint: hard links to immutable files
    del source
    copy = ox.Store(str(target))
    load_files(copy, files, as_triples=True)
    copy.flush()
    del copy


def drop_unheld(store: ox.Store, removed: list[Path]) -> int:
    """Remove from the default graph each triple of the ``removed`` chunk files that no named
    graph of ``store`` holds any more; how many were removed."""
    seen: set[ox.Triple] = set()
    dropped = 0
    for path in removed:
        for quad in ox.parse(path=str(path), format=NQ):
            triple = quad.triple
            if triple in seen:
                continue
            seen.add(triple)
            held = any(q.graph_name != _DEFAULT
                       for q in store.quads_for_pattern(quad.subject, quad.predicate, quad.object, None))
            if not held:
                store.remove(ox.Quad(quad.subject, quad.predicate, quad.object, _DEFAULT))
                dropped += 1
    return dropped


def derive_union(version_dir: Path, target: Path) -> None:
    """Write at ``target`` a copy of the store at ``version_dir`` whose default graph also
    holds every triple of every graph, once (a store is a set of quads)."""
    source = ox.Store.read_only(str(version_dir))
    source.backup(str(target))
    copy = ox.Store(str(target))
    # Through a file beside the copy, so it is never all in memory; named like a staging
    # folder of this process, so that a later build removes it if this one is killed.
    tmp = target.parent / f".staging-dump-{target.name.lstrip('.')}-{os.getpid()}"
    tmp.mkdir()
    try:
        dump = tmp / "triples.nt"
        with dump.open("wb") as out:
            for graph in source.named_graphs():
                source.dump(out, format=NT, from_graph=graph)
        copy.bulk_extend(ox.parse(path=str(dump), format=NT))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    copy.flush()
    del copy, source
