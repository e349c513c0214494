"""``esgkg draft``: a report's PDF or text to a draft source folder, for a person to review."""
from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from esgkg.graph.draft import DraftSummary, draft_report

from .common import RichProgress, disk_errors, err_console

KINDS = (("section", "sections"), ("disclosure", "index entries"), ("metric", "metrics"),
         ("observation", "KPI values"), ("document", "named documents"), ("topic", "material topics"),
         ("stakeholder", "stakeholder groups"), ("concern", "stakeholder concerns"))


@click.command("draft")
@click.argument("report", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--id", "report_id", required=True, help="The report id, ORG-YEAR (e.g. acme-2025).")
@click.option("-o", "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="Folder of report folders to write the draft into (as DIR/ID).")
@click.option("--force", is_flag=True, help="Replace an existing folder DIR/ID.")
def draft(report: Path, report_id: str, out_dir: Path, force: bool) -> None:
    """Draft a source folder from REPORT.pdf or REPORT.txt: every record review: draft, with its page and line."""
    with disk_errors(out_dir, "; nothing was written"), RichProgress(err_console) as progress:
        summary = draft_report(report, report_id, out_dir, progress=progress, force=force)
    _print_summary(summary)


def _print_summary(summary: DraftSummary) -> None:
    table = Table(title=f"draft of {summary.folder} ({summary.language}, {summary.seconds:.1f}s)")
    table.add_column("kind")
    table.add_column("drafted", justify="right")
    table.add_column("for a person", justify="right")
    for kind, name in KINDS:
        table.add_row(name, str(summary.counts.get(kind, 0)), str(summary.attention.get(kind, 0)))
    table.add_row("report metadata", "1", str(summary.attention.get("report", 0)))
    err_console.print(table)
    err_console.print(f"Every record says review: draft. What needs a person: {summary.folder}/needs-review.md; "
                      f"how to review: docs/drafting.md. Build it with "
                      f"`esgkg build --reports {summary.folder.parent}`.", highlight=False)
