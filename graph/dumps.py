"""Dumps of the whole dataset for download: every format, gzip-compressed, with checksums.

One set of files per store version, written once into a folder of its own and never
changed afterwards, so the files (and their SHA-256 sums) can be served, cached and mirrored
as they are. Compression is deterministic (no timestamp, no file name in the gzip header):
the same store version always gives the same bytes.

File names come only from :func:`plan` (a fixed list built from the format table and the
store's named graphs), never from a request, so no path from outside reaches the disk.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

import pyoxigraph as ox

from .export import FORMATS, export
from .namespaces import Iris

STEM = "esgkg"
SUMS = "SHA256SUMS"
MANIFEST = "manifest.json"

# Order of the download list: the canonical formats first.
DATASET_FORMATS = tuple(FORMATS)  # every format of the table, in its order


@dataclass(frozen=True)
class DumpFile:
    """One downloadable file: what it holds and how it is described."""

    name: str  # e.g. "esgkg.nq.gz"; the only names /dumps/ will ever serve
    fmt: str  # key of graph.export.FORMATS
    media_type: str  # of the uncompressed content
    graph: str | None  # the named graph, or None for the whole dataset
    title: str
    size: int = 0  # bytes of the .gz file
    sha256: str = ""  # of the .gz file, as in SHA256SUMS


def graph_slug(graph: str, iris: Iris) -> str:
    """``<base>graph/report/x`` -> ``graph-report-x`` (a file-name-safe, readable name)."""
    local = graph[len(iris.base):] if graph.startswith(iris.base) else hashlib.sha256(graph.encode()).hexdigest()[:12]
    return "".join(c if c.isalnum() or c in "._" else "-" for c in local.replace("/", "-"))


def plan(graphs: list[str], iris: Iris) -> list[DumpFile]:
    """Every file of a dump set: the dataset in each format, plus Turtle per named graph."""
    files = [DumpFile(f"{STEM}.{fmt}.gz", fmt, FORMATS[fmt][0], None, FORMATS[fmt][2]) for fmt in DATASET_FORMATS]
    for graph in sorted(graphs):
        files.append(DumpFile(f"{STEM}-{graph_slug(graph, iris)}.ttl.gz", "ttl", "text/turtle", graph,
                              f"Turtle, the named graph {graph}"))
    return files


def _graph_store(store: ox.Store, graph: str) -> ox.Store:
    # A named graph's triples as the default graph of a small in-memory store, so the
    # canonical exporter writes them (blank nodes relabelled deterministically) as Turtle.
    one = ox.Store()
    one.extend(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
               for q in store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
    return one


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=9, mtime=0)


def write(store: ox.Store, out: Path, iris: Iris | None = None) -> list[DumpFile]:
    """Write every dump, ``SHA256SUMS`` and ``manifest.json`` into ``out``; return the files."""
    iris = iris or Iris()
    out.mkdir(parents=True, exist_ok=True)
    graphs = sorted(g.value for g in store.named_graphs())
    written: list[DumpFile] = []
    for item in plan(graphs, iris):
        source = store if item.graph is None else _graph_store(store, item.graph)
        data = _gzip(export(source, item.fmt, iris))
        (out / item.name).write_bytes(data)
        written.append(DumpFile(**{**asdict(item), "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}))
    # The format `sha256sum -c SHA256SUMS` checks: "<hex>  <name>".
    (out / SUMS).write_text("".join(f"{f.sha256}  {f.name}\n" for f in written), encoding="utf-8")
    (out / MANIFEST).write_text(json.dumps([asdict(f) for f in written], indent=2) + "\n", encoding="utf-8")
    return written


def read_manifest(folder: Path) -> list[DumpFile] | None:
    """The files of a complete dump folder, or None if it is missing or incomplete."""
    try:
        items = [DumpFile(**entry) for entry in json.loads((folder / MANIFEST).read_text(encoding="utf-8"))]
    except (OSError, ValueError, TypeError):
        return None
    if not all((folder / f.name).is_file() for f in items) or not (folder / SUMS).is_file():
        return None
    return items


class DumpCache:
    """Dumps per store version, generated on first use under ``cache_root/<version>/``.

    Generation writes into a hidden temporary folder and renames it into place, so a reader
    sees all files of a version or none; a lock keeps two threads from doing the work twice
    (two processes at worst both do it, and the second rename loses harmlessly).
    """

    def __init__(self, cache_root: Path, keep: int = 2) -> None:
        self.root = cache_root
        self.keep = keep
        self._lock = threading.Lock()

    def folder(self, version: str) -> Path:
        return self.root / version

    def get(self, version: str) -> list[DumpFile] | None:
        return read_manifest(self.folder(version))

    def ensure(self, version: str, open_store, iris: Iris | None = None) -> list[DumpFile]:
        """The dumps of ``version``, writing them first if needed (``open_store()`` -> store)."""
        found = self.get(version)
        if found is not None:
            return found
        with self._lock:
            found = self.get(version)
            if found is not None:
                return found
            self.root.mkdir(parents=True, exist_ok=True)
            tmp = self.root / f".tmp-{version}-{os.getpid()}-{threading.get_ident()}"
            shutil.rmtree(tmp, ignore_errors=True)
            try:
                files = write(open_store(), tmp, iris)
                try:
                    os.replace(tmp, self.folder(version))
                except OSError:  # another process published the same version first
                    shutil.rmtree(tmp, ignore_errors=True)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
            self._prune(version)
            return self.get(version) or files

    def _prune(self, keep: str) -> None:
        folders = sorted((p for p in self.root.iterdir() if p.is_dir() and not p.name.startswith(".")),
                         key=lambda p: p.stat().st_mtime, reverse=True)
        for old in folders[self.keep:]:
            if old.name != keep:
                shutil.rmtree(old, ignore_errors=True)
