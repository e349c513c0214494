"""What the commands share: options, the stderr console, the progress display, disk errors,
and the build that every command reading the store runs first when there is none."""
from __future__ import annotations

import contextlib
import errno
import time
from pathlib import Path
from typing import Iterator

import click
from rich.console import Console

from esgkg.graph.build import build as build_dataset
from esgkg.graph.errors import EsgkgError
from esgkg.graph.namespaces import Iris
from esgkg.graph.projection import Projection, build_projection
from esgkg.graph.sparql import QueryFn, StoreSparql
from esgkg.graph.store import StoreInfo, StoreRoot
from esgkg.graph.validation import SEVERITIES, ValidationOutcome, build_validator, summary

err_console = Console(stderr=True)


class RichProgress:
    """Shows each build step as it starts, with elapsed time, on stderr."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.status = console.status("starting")
        self.started = time.monotonic()

    def __enter__(self) -> "RichProgress":
        self.status.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self.status.__exit__(*exc)

    def step(self, description: str) -> None:
        elapsed = time.monotonic() - self.started
        self.console.print(f"[dim]{elapsed:6.2f}s[/dim] {description}", highlight=False)
        self.status.update(description)


store_option = click.option(
    "--store", "store_path", type=click.Path(file_okay=False, path_type=Path),
    default=None, help="Store folder (default: $ESGKG_STORE or ./.esgkg/store).")
reports_option = click.option(
    "--reports", "reports_path", type=click.Path(file_okay=False, path_type=Path, exists=True),
    default=None, help="Folder of report folders (default: the bundled graph/reports).")
report_option = click.option("--report", default=None, help="Only this report (its id, e.g. oneconnect-2024).")


_DISK_PROBLEMS = {
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
}


class DiskError(EsgkgError):
    """Writing failed because of the disk (full, over quota, read-only, not allowed)."""


@contextlib.contextmanager
def disk_errors(path: Path, after: str = "") -> Iterator[None]:
    """Turn a disk problem while writing under ``path`` into one clear line (the CLI exits 1)."""
    try:
        yield
    except OSError as exc:
        problem = _DISK_PROBLEMS.get(exc.errno) if exc.errno is not None else None
        if problem is None:
            raise
        where = exc.filename or path
        raise DiskError(f"cannot write {where}: {problem}{after}") from exc


def print_verdict(outcome: ValidationOutcome, force: bool) -> None:
    """The build's SHACL verdict on stderr; a loud warning when ``force`` publishes violations."""
    counts = ", ".join(f"{outcome.count(s)} {s.lower()}(s)" for s in SEVERITIES)
    err_console.print(f"SHACL validation: {counts} in {outcome.timings.get('total', 0):.1f}s"
                      " (details: `esgkg validate`)", highlight=False)
    if force and not outcome.conforms:
        err_console.print(f"[bold red]WARNING: publishing despite {outcome.count('Violation')} SHACL "
                          "violation(s) because of --force[/bold red]")
        err_console.print(summary(outcome).replace("; the store was not replaced", ""), markup=False)


def run_build(store: StoreRoot, reports_path: Path | None, force: bool = False,
              jobs: int | None = None) -> StoreInfo:
    """Build with a progress display; validation hooks in when shapes exist."""
    validator = build_validator(force=force, on_verdict=lambda outcome: print_verdict(outcome, force))
    # A failed build publishes nothing, so the message can promise the old store is intact.
    with disk_errors(store.root, "; nothing was published, the previous store version is unchanged"), \
            RichProgress(err_console) as progress:
        info = build_dataset(store, reports_root=reports_path, iris=Iris(), progress=progress, validate=validator,
                             jobs=jobs)
    err_console.print(f"published store version {info.version} ({info.meta['quads']} quads) at {store.root}", highlight=False)
    return info


def ensure_store(store: StoreRoot, reports_path: Path | None = None) -> None:
    """Build the store if none is published yet (used by commands that read it)."""
    if not store.exists():
        err_console.print(f"no store at {store.root}; building it first", highlight=False)
        run_build(store, reports_path)


def open_query_fn(store_path: Path | None) -> tuple[QueryFn, str]:
    """A query function on the store (built first if there is none) and its version."""
    root = StoreRoot(store_path)
    ensure_store(root)
    store, info = root.open_read_only()
    return StoreSparql(store).select, info.version


def open_projection(store_path: Path | None) -> tuple[Projection, QueryFn]:
    """The topic–SDG projection of the store (built first if there is none) and its query function."""
    query, version = open_query_fn(store_path)
    return build_projection(query, version, str(Iris().esg)), query
