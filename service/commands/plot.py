"""``esgkg plot``: draw a picture from the graph (materiality, network, coverage or trend)."""
from __future__ import annotations

from pathlib import Path

import click

from esgkg.graph import plots

from .common import err_console, open_projection, report_option, store_option


@click.command("plot")
@click.argument("kind", type=click.Choice(list(plots.KINDS)))
@click.option("--metric", default=None, help="Metric id, for the trend picture (e.g. employees-total).")
@report_option
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="File to write; .png or .svg.")
@store_option
def plot(kind: str, metric: str | None, report: str | None, output: Path, store_path: Path | None) -> None:
    """Draw a picture from the graph: materiality, network, coverage or trend."""
    fmt = plots.suffix_format(output.name)
    projection, query = open_projection(store_path)
    data = plots.render(kind, fmt, projection, query, report, metric)
    output.write_bytes(data)
    note = "" if plots.cjk_font() else f" ({plots.NO_CJK_NOTE})"
    err_console.print(f"wrote {len(data)} bytes to {output}{note}", highlight=False)
