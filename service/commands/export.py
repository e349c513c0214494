"""``esgkg export``: the whole dataset in one RDF format, to a file or standard output."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from esgkg.graph.export import FORMATS, write_formats
from esgkg.graph.store import StoreRoot

from .common import disk_errors, ensure_store, err_console, store_option


def _write(store, fmt: str, output: Path | None) -> int:
    """Stream the export to ``output`` atomically (a temporary file, then a rename), or to
    stdout; the bytes written. The store is written a graph group at a time, never whole."""
    if output is None:
        out = _Counted(sys.stdout.buffer)
        write_formats(store, {fmt: out})
        sys.stdout.buffer.flush()
        return out.size
    tmp = output.with_name(output.name + ".tmp")
    try:
        with open(tmp, "wb") as raw:
            out = _Counted(raw)
            write_formats(store, {fmt: out})
        tmp.replace(output)
    finally:
        tmp.unlink(missing_ok=True)
    return out.size


class _Counted:
    def __init__(self, out) -> None:
        self.out, self.size = out, 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        return self.out.write(data)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)


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
        size = _write(store, fmt, output)
    if output is not None:
        err_console.print(f"wrote {size} bytes of {FORMATS[fmt][2]} to {output}", highlight=False)
