"""What the commands share: options, the stderr console, the progress display, disk errors,
and the build that every command reading the store runs first when there is none."""
from __future__ import annotations

import contextlib
import errno
import re
import time
from pathlib import Path
from typing import Iterator

import click
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table as RichTable

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


def open_query_fn(store_path: Path | None) -> tuple[QueryFn, StoreInfo]:
    """A query function on the store (built first if there is none) and its version."""
    root = StoreRoot(store_path)
    ensure_store(root)
    store, info = root.open_union_read_only()
    return StoreSparql(store, union_store=store, meta=info.meta).select, info


def open_projection(store_path: Path | None) -> tuple[Projection, QueryFn]:
    """The topic–SDG projection of the store (built first if there is none) and its query function."""
    query, info = open_query_fn(store_path)
    return build_projection(query, info.version, str(Iris().esg)), query


# -- tables that stay readable in a narrow terminal --------------------------------------------

_NUMBER = re.compile(r"^[+-]?(\d[\d,]*(\.\d+)?|\.\d+)([eE][+-]?\d+)?%?$")
_ID = re.compile(r"^[\w.:/#@+-]+$")  # ids, codes, IRIs, years, sections: one token, no spaces


def unbreakable(values: list[str]) -> bool:
    """True for a column of numbers or ids: cutting one in two lines misreads it (1937 → 193/7)."""
    filled = [v for v in values if v]
    return bool(filled) and all(_NUMBER.match(v) or _ID.match(v) for v in filled)


def _needed(header: str, values: list[str], whole: bool) -> int:
    """Columns a cell needs: the whole longest value for numbers and ids, else its longest word."""
    cells = [header, *values]
    if whole:
        return max(cell_len(c) for c in cells)
    # A run of CJK characters has no spaces and breaks between any two of them.
    return max(cell_len(w) if w.isascii() else 4 for c in cells for w in (c.split() or [""]))


def _widths(columns: list[str], rows: list[list[str]], whole: list[bool], space: int) -> list[int] | None:
    """Column widths within ``space``: numbers and ids whole, text at least its longest word
    and the rest shared by how much text each has; None when that cannot fit."""
    least = [_needed(c, [r[i] for r in rows], whole[i]) for i, c in enumerate(columns)]
    most = [max(least[i], *(cell_len(r[i]) for r in rows)) for i in range(len(columns))]
    spare = space - sum(least)
    if spare < 0:
        return None
    if sum(most) <= space:
        return most
    wants = [m - lo for m, lo in zip(most, least)]
    total = sum(wants)
    return [lo + (spare * w) // total for lo, w in zip(least, wants)]


def print_rows(console: Console, columns: list[str], rows: list[list[str]], title: str = "",
               caption: str = "") -> None:
    """A table whose numbers and ids never wrap and whose text folds at word boundaries; when
    even that cannot fit the terminal, one small name/value table per row instead."""
    whole = [unbreakable([r[i] for r in rows]) for i in range(len(columns))]
    widths = _widths(columns, rows, whole, console.width - 3 * len(columns) - 1) if rows else None
    if widths is not None or not rows:
        table = RichTable(title=title or None, caption=caption or None)
        for i, name in enumerate(columns):
            table.add_column(name, no_wrap=whole[i], overflow="fold", width=widths[i] if widths else None)
        for row in rows:
            table.add_row(*row)
        console.print(table)
        return
    if title:
        console.print(title, justify="center", highlight=False)
    for number, row in enumerate(rows, start=1):
        record = RichTable(show_header=False, title=f"row {number} of {len(rows)}", title_justify="left")
        record.add_column("column", no_wrap=True, style="bold")
        record.add_column("value", overflow="fold")
        for name, value in zip(columns, row):
            if value:
                record.add_row(name, value)
        console.print(record)
    if caption:
        console.print(caption, highlight=False)
