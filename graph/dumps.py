"""Dumps of the whole dataset for download: every format, gzip-compressed, with checksums.

One set of files per store version, written once into a folder of its own and never
changed afterwards, so the files (and their SHA-256 sums) can be served, cached and mirrored
as they are. Compression is deterministic (no timestamp, no file name in the gzip header):
the same store version always gives the same bytes.

File names come only from :func:`plan` (a fixed list built from the format table and the
store's named graphs), never from a request, so no path from outside reaches the disk.
"""
from __future__ import annotations

import errno
import gzip
import hashlib
import json
import os
import shutil
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

import pyoxigraph as ox

from . import derived
from .errors import EsgkgError
from .export import FORMATS, write_formats
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


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=6, mtime=0)


class _Hashed:
    """A file being written that counts its bytes and hashes them on the way."""

    def __init__(self, path: Path) -> None:
        self.file = open(path, "wb")
        self.sha256 = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.sha256.update(data)
        self.size += len(data)
        return self.file.write(data)

    def flush(self) -> None:
        self.file.flush()

    def close(self) -> None:
        self.file.close()


def write(store: ox.Store, out: Path, iris: Iris | None = None,
          progress: Callable[[int, int], None] | None = None) -> list[DumpFile]:
    """Write every dump, ``SHA256SUMS`` and ``manifest.json`` into ``out``; return the files
    (``progress(done, total)`` after each graph group). Every file is written in one pass,
    a graph group at a time (graph/export.py), the dataset's streamed through gzip."""
    iris = iris or Iris()
    out.mkdir(parents=True, exist_ok=True)
    graphs = sorted(g.value for g in store.named_graphs())
    files = plan(graphs, iris)
    done: dict[str, DumpFile] = {}
    whole = [item for item in files if item.graph is None]
    by_graph = {item.graph: item for item in files if item.graph is not None}

    def graph_file(name: str, turtle: bytes) -> None:
        item = by_graph[name]
        data = _gzip(turtle)
        (out / item.name).write_bytes(data)
        done[item.name] = DumpFile(**{**asdict(item), "size": len(data), "sha256": hashlib.sha256(data).hexdigest()})

    sinks = {item.fmt: _Hashed(out / item.name) for item in whole}
    # Level 6, gzip's default: a third of level 9's CPU for files ~3 % larger, on a writer that
    # has two hours of CPU for gigabytes of text at 1,000 reports. mtime 0 and no file name keep
    # the bytes the same for the same data.
    zipped = {fmt: gzip.GzipFile(filename="", mode="wb", fileobj=sink, compresslevel=6, mtime=0)
              for fmt, sink in sinks.items()}
    try:
        # One pass over the graphs writes every file (a step per graph group); the runs it
        # sorts go on the downloads' own disk.
        write_formats(store, zipped, iris, workdir=out, progress=progress, each_graph=graph_file)
    finally:
        for z in zipped.values():
            z.close()
        for sink in sinks.values():
            sink.close()
    for item in whole:
        done[item.name] = DumpFile(**{**asdict(item), "size": sinks[item.fmt].size,
                                      "sha256": sinks[item.fmt].sha256.hexdigest()})
    for item in by_graph.values():  # a graph with no triple left (the shared-graph chunks) still gets its file
        if item.name not in done:
            graph_file(item.graph, b"")
    written = [done[item.name] for item in files]
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


PROGRESS = "progress.json"
FAILED = "failed.json"
WRITING = "writing"
DISK_EXIT = 100  # the writer's exit code: 100 + errno of a write the disk refused (full, read-only)


@dataclass(frozen=True)
class Preparing:
    """The downloads of a version not written yet: how far the writer is, or why it failed."""

    done: int = 0
    total: int = 0
    failed: str = ""  # why they could not be written (empty while they are being written)
    retry: bool = False  # the failure may pass (a full disk): the next request tries again


@dataclass(frozen=True)
class Limits:
    """What the process that writes a version's downloads may use."""

    memory: int  # bytes of address space (RLIMIT_AS)
    cpu_seconds: int  # RLIMIT_CPU


def _generate(store_root: str, version: str, cache_root: str, base: str, limits: Limits) -> None:
    """The writer process: capped, alone for its version (a lock), all files or none."""
    import fcntl
    import resource

    from .store import StoreRoot

    for which, value in ((resource.RLIMIT_AS, limits.memory), (resource.RLIMIT_CPU, limits.cpu_seconds)):
        _, hard = resource.getrlimit(which)
        resource.setrlimit(which, (value if hard == resource.RLIM_INFINITY else min(value, hard), hard))
    os.nice(19)  # after every query of the service
    root = Path(cache_root)
    root.mkdir(parents=True, exist_ok=True)
    with open(root / f".lock-{version}", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return  # another process writes them
        if read_manifest(root / version) is not None:
            return
        tmp = root / f".tmp-{version}"
        shutil.rmtree(tmp, ignore_errors=True)
        attempt = root / f".{version}-{WRITING}"
        try:
            # Left behind only if this process is killed (the engine aborts past RLIMIT_AS):
            # then any serving process finds it beside a free lock and knows the writer died.
            attempt.touch()
            store, info = StoreRoot(Path(store_root)).open_read_only()
            if info.version != version:
                return  # published in between: the next request asks for the new one
            derived.write_all(StoreRoot(Path(store_root)), root, version, Iris(base))
            write(store, tmp, Iris(base),
                  lambda done, total: (tmp / PROGRESS).write_text(json.dumps({"done": done, "total": total})))
            (tmp / PROGRESS).unlink()
            os.replace(tmp, root / version)
        except MemoryError:
            _fail(root, version, f"writing them needs more than the {limits.memory // 2**20} MB of memory "
                                 "the service gives its downloads")
        except OSError as exc:
            # No note: a full disk takes none. The exit code carries the errno to the parent.
            raise SystemExit(DISK_EXIT + (exc.errno if exc.errno and exc.errno < 150 else errno.EIO)) from exc
        except EsgkgError:  # the store went away or is unreadable (its message names a server path)
            _fail(root, version, "the store could not be read", retry=True)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
            attempt.unlink(missing_ok=True)


def _fail(root: Path, version: str, why: str, retry: bool = False) -> None:
    try:
        (root / f".{version}-{FAILED}").write_text(json.dumps({"why": why, "retry": retry}))
    except OSError:
        pass  # a full disk cannot take the note either: the next request tries again


class DumpCache:
    """Dumps per store version, written once under ``cache_root/<version>/`` by a process of
    their own, never by the serving process: writing them takes minutes and gigabytes at 1,000
    reports (graph/derived.py's counts and index, then graph/export.py a graph group at a
    time), so the writer runs under its own memory and CPU caps (``limits``), at nice 19, and
    a store too large for them gets a reason, not a serving process killed.

    The writer fills a hidden folder and renames it into place, so a reader sees all files of
    a version or none; a lock file keeps two writers (threads or serving processes) from
    doing the same version twice. The caller that starts the writer waits up to ``wait`` seconds
    for it (a small store's downloads are then there at once); every caller hears how far it is.
    """

    def __init__(self, cache_root: Path, keep: int = 2, limits: Limits | None = None) -> None:
        self.root = cache_root
        self.keep = keep
        self.limits = limits or Limits(memory=4 * 2**30, cpu_seconds=3600)
        self._lock = threading.Lock()
        self._writers: dict[str, object] = {}  # version -> the writer process this process started

    def folder(self, version: str) -> Path:
        return self.root / version

    def get(self, version: str) -> list[DumpFile] | None:
        return read_manifest(self.folder(version))

    def ensure(self, version: str, store_root: Path, iris: Iris | None = None,
               wait: float = 30.0) -> list[DumpFile] | Preparing:
        """The dumps of ``version`` (of the store at ``store_root``), their writer started if
        needed (and then waited for up to ``wait`` seconds); else a :class:`Preparing` that
        says how far the writer is or why it failed."""
        found = self.get(version)
        if found is not None:
            return found
        failed = self._failed(version)
        if failed is not None:
            return failed
        started = False
        with self._lock:
            writer = self._writers.get(version)
            if writer is None or writer.exitcode is not None:  # type: ignore[attr-defined]
                try:
                    elsewhere = self._writing_elsewhere(version)
                except OSError as exc:  # the folder cannot be made or written (a file there, full, read-only)
                    return Preparing(failed="the server could not write to its disk: "
                                            f"{os.strerror(exc.errno) if exc.errno else 'an I/O error'}", retry=True)
                if not elsewhere:
                    if (self.root / f".{version}-{WRITING}").exists() and self.get(version) is None:
                        # A writer (of any serving process) died at work: past a cap, or killed.
                        (self.root / f".{version}-{WRITING}").unlink(missing_ok=True)
                        shutil.rmtree(self.root / f".tmp-{version}", ignore_errors=True)  # what it had written
                        _fail(self.root, version, self._crash_reason(None))
                        return self._failed(version) or Preparing(failed=self._crash_reason(None))
                    writer, started = self._start(version, store_root, iris or Iris()), True
        if started:  # only the request that started it waits; the others hear how far it is
            writer.join(wait)  # type: ignore[attr-defined]
        found = self.get(version)
        if found is not None:
            self._prune(version)
            return found
        if writer is not None and writer.exitcode:  # type: ignore[attr-defined]
            return self._stopped(version, writer.exitcode)  # type: ignore[attr-defined]
        return self._failed(version) or self._progress(version)

    def close(self) -> None:
        """Stop the writers this process started, because its service is stopping: that is no
        failure of theirs, so they leave no note (and no marker), and the next service to be
        asked writes the version again (keeping what graph/derived.py had finished)."""
        with self._lock:
            writers, self._writers = dict(self._writers), {}
        for version, writer in writers.items():
            if writer.exitcode is not None:  # type: ignore[attr-defined]
                continue
            writer.terminate()  # type: ignore[attr-defined]
            writer.join(5)  # type: ignore[attr-defined]
            if writer.exitcode is None:  # type: ignore[attr-defined]
                writer.kill()  # type: ignore[attr-defined]
                writer.join(5)  # type: ignore[attr-defined]
            (self.root / f".{version}-{WRITING}").unlink(missing_ok=True)
            shutil.rmtree(self.root / f".tmp-{version}", ignore_errors=True)

    def _stopped(self, version: str, exitcode: int) -> Preparing:
        """What a writer that ended without the files says: a disk that refused a write (tried
        again on the next request), or a cap it went past (kept for the version)."""
        with self._lock:
            self._writers.pop(version, None)
        if DISK_EXIT < exitcode < DISK_EXIT + 150:
            return Preparing(failed=f"the server could not write to its disk: {os.strerror(exitcode - DISK_EXIT)}",
                             retry=True)
        if not self._writing_elsewhere(version):
            shutil.rmtree(self.root / f".tmp-{version}", ignore_errors=True)
            (self.root / f".{version}-{WRITING}").unlink(missing_ok=True)
        _fail(self.root, version, self._crash_reason(exitcode))
        return self._failed(version) or Preparing(failed=self._crash_reason(exitcode))

    def _start(self, version: str, store_root: Path, iris: Iris) -> object:
        import multiprocessing

        # A fresh interpreter, not a fork: the serving process has threads (as for query workers).
        writer = multiprocessing.get_context("spawn").Process(
            target=_generate, args=(str(store_root), version, str(self.root), iris.base, self.limits),
            name=f"esgkg-dumps-{version}", daemon=True)
        writer.start()
        self._writers[version] = writer
        return writer

    def _crash_reason(self, exitcode: int | None) -> str:
        import signal

        if exitcode == -signal.SIGXCPU:
            return f"writing them needs more than the {self.limits.cpu_seconds} s of CPU the service gives its downloads"
        # The engine aborts the process when an allocation fails (Rust), past RLIMIT_AS.
        how = f" (exit {exitcode})" if exitcode is not None else ""
        return (f"the process writing them stopped before it was done{how}, most likely past the "
                f"{self.limits.memory // 2**20} MB of memory the service gives its downloads")

    def _writing_elsewhere(self, version: str) -> bool:
        import fcntl

        try:
            self.root.mkdir(parents=True, exist_ok=True)
            with open(self.root / f".lock-{version}", "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                fcntl.flock(lock, fcntl.LOCK_UN)
            return False
        except BlockingIOError:
            return True

    def _failed(self, version: str) -> Preparing | None:
        note = self.root / f".{version}-{FAILED}"
        try:
            record = json.loads(note.read_text())
        except (OSError, ValueError):
            return None
        if record.get("retry"):  # a full disk may have room again: the next request tries again
            note.unlink(missing_ok=True)
        return Preparing(failed=str(record.get("why", "unknown")), retry=bool(record.get("retry")))

    def _progress(self, version: str) -> Preparing:
        try:
            record = json.loads((self.root / f".tmp-{version}" / PROGRESS).read_text())
            return Preparing(int(record["done"]), int(record["total"]))
        except (OSError, ValueError, KeyError):
            return Preparing()

    def _prune(self, keep: str) -> None:
        folders = sorted((p for p in self.root.iterdir() if p.is_dir() and not p.name.startswith(".")),
                         key=lambda p: p.stat().st_mtime, reverse=True)
        for old in folders[self.keep:]:
            if old.name != keep:
                shutil.rmtree(old, ignore_errors=True)
        for kind in derived.KINDS:  # what the writer keeps beside the downloads
            kept = sorted(self.root.glob(f"*.{kind}"), key=lambda p: p.stat().st_mtime, reverse=True)
            for old in kept[self.keep:]:
                if not old.name.startswith(keep):
                    old.unlink(missing_ok=True)
