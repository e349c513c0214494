"""``esgkg export``: the whole dataset in one RDF format, to a file or standard output."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from esgkg.graph.export import FORMATS
from esgkg.graph.export import export as export_store
from esgkg.graph.store import StoreRoot

from .common import disk_errors, ensure_store, err_console, store_option


def write_bytes(data: bytes, output: Path | None) -> None:
    """Write ``data`` to ``output`` atomically (a temporary file, then a rename), or to stdout."""
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    tmp = output.with_name(output.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(output)


@click.command("export")
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
        data = export_store(store, fmt)
        write_bytes(data, output)
    if output is not None:
        err_console.print(f"wrote {len(data)} bytes of {FORMATS[fmt][2]} to {output}", highlight=False)
