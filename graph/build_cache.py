"""The build's cache: each report's mapped graph and validation findings, keyed on content.

A cache key is a SHA-256 over everything the cached output depends on, never a timestamp:

* the **common key**: the source of every ``graph/*.py`` module, the versions of esgkg,
  pyoxigraph, rdflib and pyshacl, the bytes of every reference data file, of the ontology and
  of the shapes, the base IRI, and whether the build validates;
* for a report, the common key plus the folder's name and every file in it (relative path and
  bytes), so any edit of any file in the folder, or of anything the graph is made from, gives
  a new key (``docs/decisions.md`` §24).

An entry is ``<key>.json`` (what the report is, digests and quad counts of its chunks, its
validation records) beside the chunk files it names (``<key>.data.nq``, ``<key>.findings.nq``:
unique N-Quads lines). Chunks are written to a temporary name and renamed; the JSON is renamed
last, so an entry exists only once all its files are complete, and a killed build leaves at
most temporary files, which the next build removes.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Iterable, Iterator

from .namespaces import Iris

_LIBRARIES = ("esgkg", "pyoxigraph", "rdflib", "pyshacl")
#: Bumped when the layout of entries changes, so old entries are never misread.
CACHE_FORMAT = "1"


def _hash_files(digest: "hashlib._Hash", root: Path, files: Iterable[Path]) -> None:
    for path in files:
        digest.update(f"{path.relative_to(root).as_posix()}\0".encode("utf-8"))
        data = path.read_bytes()
        digest.update(f"{len(data)}\0".encode("ascii"))
        digest.update(data)


def _tree(folder: Path) -> list[Path]:
    """Every file under ``folder``, in a fixed order."""
    return sorted(p for p in folder.rglob("*") if p.is_file())


def code_fingerprint() -> str:
    """A digest of the library code and the versions of the libraries the output comes from."""
    digest = hashlib.sha256(CACHE_FORMAT.encode())
    for name in _LIBRARIES:
        try:
            digest.update(f"{name}={version(name)}\n".encode())
        except PackageNotFoundError:
            digest.update(f"{name}=?\n".encode())
    package = Path(__file__).parent
    _hash_files(digest, package, sorted(package.glob("*.py")))
    return digest.hexdigest()


def common_key(reference_root: Path, ontology_files: list[Path], iris: Iris, validate: bool) -> str:
    """The key part every report's entry shares (see the module docstring)."""
    digest = hashlib.sha256(code_fingerprint().encode())
    digest.update(f"base={iris.base}\nvalidate={validate}\n".encode())
    _hash_files(digest, reference_root, _tree(reference_root))
    for path in ontology_files:
        _hash_files(digest, path.parent, [path])
    return digest.hexdigest()


def report_key(common: str, folder: Path) -> str:
    """The key of one report folder's entry: its name and every file's path and bytes."""
    digest = hashlib.sha256(f"{common}\n{folder.name}\n".encode())
    _hash_files(digest, folder, _tree(folder))
    return digest.hexdigest()


def derived_key(*parts: str) -> str:
    """A key for an entry that depends only on the given strings (shared graphs, the head)."""
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Chunk:
    """One file of unique N-Quads lines, all in one named graph.

    ``shared`` chunks put their quads into a graph that other chunks also write (the
    validation graph), so replacing one means removing its own quads, not the graph.
    """

    graph: str
    file: str
    digest: str
    quads: int
    shared: bool = False

    def to_json(self) -> list:
        return [self.graph, self.file, self.digest, self.quads, self.shared]

    @classmethod
    def from_json(cls, row: list) -> "Chunk":
        return cls(row[0], row[1], row[2], int(row[3]), bool(row[4]))


class BuildCache:
    """The folder of cache entries beside a store's versions (``<store root>/cache``)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, file: str) -> Path:
        return self.root / file

    def entry(self, key: str) -> dict | None:
        """The entry stored under ``key`` when it and every chunk it names are on disk."""
        try:
            meta = json.loads((self.root / f"{key}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        chunks = [Chunk.from_json(c) for c in meta.get("chunks", [])]
        if meta.get("format") != CACHE_FORMAT or not all((self.root / c.file).is_file() for c in chunks):
            return None
        return meta

    def write_chunk(self, key: str, kind: str, graph: str, lines: Iterable[str], shared: bool = False) -> Chunk:
        """Write sorted unique lines as ``<key>.<kind>.nq``; its digest and quad count."""
        self.root.mkdir(parents=True, exist_ok=True)
        name = f"{key}.{kind}.nq"
        digest = hashlib.sha256()
        count = 0
        tmp = self.root / f".{name}.tmp-{os.getpid()}"
        with tmp.open("w", encoding="utf-8") as out:
            for line in sorted(set(lines)):
                text = f"{line}\n"
                out.write(text)
                digest.update(text.encode("utf-8"))
                count += 1
        os.replace(tmp, self.root / name)
        return Chunk(graph, name, digest.hexdigest(), count, shared)

    def write_entry(self, key: str, meta: dict) -> dict:
        """Commit an entry: its JSON appears only after its chunks (written before) exist."""
        meta = {**meta, "format": CACHE_FORMAT}
        tmp = self.root / f".{key}.json.tmp-{os.getpid()}"
        tmp.write_text(json.dumps(meta, ensure_ascii=False, sort_keys=True), encoding="utf-8")
        os.replace(tmp, self.root / f"{key}.json")
        return meta

    def prune(self, keep_files: set[str], alive: "callable") -> int:
        """Delete entries and chunks no kept version names, and temp files of dead builds."""
        removed = 0
        if not self.root.is_dir():
            return 0
        for path in self.root.iterdir():
            name = path.name
            if name.startswith("."):
                pid = name.rsplit("-", 1)[-1]
                if pid.isdigit() and not alive(int(pid)):
                    path.unlink(missing_ok=True)
                continue
            stem = name.split(".", 1)[0]
            if name not in keep_files and f"{stem}.json" not in keep_files:
                path.unlink(missing_ok=True)
                removed += 1
        return removed


class ChunkReader(io.RawIOBase):
    """The chunk files read one after the other as one stream (for one bulk load)."""

    def __init__(self, paths: list[Path]) -> None:
        self._paths: Iterator[Path] = iter(paths)
        self._current: io.BufferedReader | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        while True:
            if self._current is None:
                path = next(self._paths, None)
                if path is None:
                    return 0
                self._current = path.open("rb")
            n = self._current.readinto(buffer)
            if n:
                return n
            self._current.close()
            self._current = None

    def close(self) -> None:
        if self._current is not None:
            self._current.close()
        super().close()
