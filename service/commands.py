"""The CLI's commands. Each is thin: it parses options and calls the library."""
from __future__ import annotations

import contextlib
import errno
from pathlib import Path
from typing import Iterator

import click
from rich.console import Console

from esgkg.graph.build import build as build_dataset
from esgkg.graph.errors import EsgkgError
from esgkg.graph.export import FORMATS, write_export
from esgkg.graph.namespaces import Iris
from esgkg.graph.store import StoreRoot

err_console = Console(stderr=True)


class RichProgress:
    """Shows each build step as it starts, with elapsed time, on stderr."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.status = console.status("starting")
        import time

        self._time = time.monotonic
        self.started = self._time()

    def __enter__(self) -> "RichProgress":
        self.status.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self.status.__exit__(*exc)

    def step(self, description: str) -> None:
        elapsed = self._time() - self.started
        self.console.print(f"[dim]{elapsed:6.2f}s[/dim] {description}", highlight=False)
        self.status.update(description)


store_option = click.option(
    "--store", "store_path", type=click.Path(file_okay=False, path_type=Path),
    default=None, help="Store folder (default: $ESGKG_STORE or ./.esgkg/store).")
reports_option = click.option(
    "--reports", "reports_path", type=click.Path(file_okay=False, path_type=Path, exists=True),
    default=None, help="Folder of report folders (default: the bundled graph/reports).")


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


def ensure_store(store: StoreRoot, reports_path: Path | None = None) -> None:
    """Build the store if none is published yet (used by commands that read it)."""
    if not store.exists():
        err_console.print(f"no store at {store.root}; building it first", highlight=False)
        run_build(store, reports_path)


def run_build(store: StoreRoot, reports_path: Path | None, force: bool = False):
    """Build with a progress display; validation hooks in when shapes exist."""
    from esgkg.graph import validation

    # A failed build publishes nothing, so the message can promise the old store is intact.
    with disk_errors(store.root, "; nothing was published, the previous store version is unchanged"), \
            RichProgress(err_console) as progress:
        info = build_dataset(store, reports_root=reports_path, iris=Iris(), progress=progress,
                             validate=validation.build_validator(force=force, console=err_console))
    err_console.print(f"published store version {info.version} ({info.meta['quads']} quads) at {store.root}", highlight=False)
    return info


@click.command()
@store_option
@reports_option
@click.option("--force", is_flag=True, help="Publish even when SHACL validation finds violations.")
def build(store_path: Path | None, reports_path: Path | None, force: bool) -> None:
    """Build all reports plus reference data into the store (atomic: a failed build changes nothing)."""
    run_build(StoreRoot(store_path), reports_path, force=force)


@click.command()
@store_option
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)), default="nq", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File to write (default: standard output).")
def export(store_path: Path | None, fmt: str, output: Path | None) -> None:
    """Write the whole dataset in one RDF format."""
    root = StoreRoot(store_path)
    ensure_store(root)
    store, _ = root.open_read_only()
    with disk_errors(output or Path("<standard output>")):
        size = write_export(store, fmt, output)
    if output is not None:
        err_console.print(f"wrote {size} bytes of {FORMATS[fmt][2]} to {output}", highlight=False)


# Modules that contribute commands: every module-level click.Command whose name ends in
# `_command` is registered. Keeps each URL area's CLI next to its code.
COMMAND_MODULES = ("serve_command", "validate_command", "query_commands", "linked_data_commands")


def _module_commands() -> list[click.Command]:
    import importlib

    found: list[click.Command] = []
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"esgkg.service.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"esgkg.service.{name}":
                raise
            continue
        found.extend(obj for attr, obj in sorted(vars(module).items())
                     if attr.endswith("_command") and isinstance(obj, click.Command))
    return found


ALL: list[click.Command] = [build, export, *_module_commands()]
