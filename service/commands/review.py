"""``esgkg review``: how far the review of a drafted report folder has come, and what is left."""
from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from esgkg.graph.draft.review import CURATED, pending, review_counts
from esgkg.graph.reference import load_reference
from esgkg.graph.sources import load_report

STATUSES = ("draft", "accepted", "corrected", CURATED)


@click.command("review")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=0),
              help="How many records still in draft to list (0: only the counts).")
def review(folder: Path, limit: int) -> None:
    """Counts of a report folder's records by review status, and the drafts left, by file and line."""
    src = load_report(folder, load_reference(), display_root=folder.parent)
    table = Table(title=f"review of {folder}")
    table.add_column("kind")
    for status in STATUSES:
        table.add_column(status, justify="right")
    for kind, counts in sorted(review_counts(src).items()):
        table.add_row(kind, *(str(counts.get(s, 0)) for s in STATUSES))
    Console().print(table)
    left = pending(src)
    for p in left[:limit]:
        click.echo(f"{p.file}:{p.line}\t{p.kind}\t{p.name}\t(read at {p.source or 'unknown'})")
    if len(left) > limit:
        click.echo(f"… and {len(left) - limit} more still in draft")
    if not left:
        click.echo("nothing left in draft: drop review: draft from report.yaml and move the folder to graph/reports/")
