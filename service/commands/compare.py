"""``esgkg compare KPI``: one KPI across companies and years, in canonical units.

The same library code as /compare (``esgkg.graph.plots.kpi_comparison``), on the embedded
store. Without a KPI it lists the HKEX KPIs that have values.
"""
from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import click
from rich import box
from rich.console import Console
from rich.table import Table as RichTable

from esgkg.graph import plots

from .common import open_query_fn, report_option, store_option

# The table: the report under its company, so that it fits 80 columns; "as printed" is in csv and json.
COLUMNS = ("company", "year", "metric", "value", "unit", "section")


def _rows(comparison: plots.Comparison) -> list[dict[str, str]]:
    """One row per stated value, grouped by unit (as the picture's panels)."""
    rows = []
    for panel in comparison.panels():
        for s in panel.series:
            for v in s.values:
                rows.append({"company": s.company, "company_as_printed": s.company_as_printed, "report": s.report,
                             "year": str(v.year), "metric": s.metric, "metric_id": s.metric_id,
                             "value": f"{v.value:,.10g}", "unit": panel.unit,
                             "as_printed": f"{v.value_as_printed} {v.unit_as_printed}".strip(),
                             "section": v.section})
    return rows


def _print_choices(console: Console, choices: list[plots.KpiChoice]) -> None:
    table = RichTable(title="HKEX KPIs with values (esgkg compare KPI)", caption=f"{len(choices)} KPI(s)")
    for col in ("kpi", "provision", "companies (report)", "values", "units"):
        table.add_column(col, overflow="fold")
    for c in choices:
        label = c.label if len(c.label) <= 90 else c.label[:89].rstrip() + "…"
        table.add_row(c.short_code, label, ", ".join(c.companies),
                      str(c.values), ", ".join(c.units))
    console.print(table)


@click.command("compare")
@click.argument("kpi", required=False)
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@report_option
@store_option
def compare(kpi: str | None, fmt: str, report: str | None, store_path: Path | None) -> None:
    """One KPI across companies and years: KPI is an HKEX code (A1.2), scheme:code (gri:305-2)
    or a provision IRI; without it, the HKEX KPIs that have values."""
    console = Console()
    query, _ = open_query_fn(store_path)
    if not kpi:
        choices = plots.kpi_choices(query, report)
        if fmt == "json":
            click.echo(json.dumps([{"kpi": c.code, "label": c.label, "companies": list(c.companies),
                                    "values": c.values, "units": list(c.units)} for c in choices],
                                  ensure_ascii=False, indent=2))
        elif fmt == "csv":
            out = io.StringIO()
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(["kpi", "label", "companies", "values", "units"])
            for c in choices:
                writer.writerow([c.code, c.label, " | ".join(c.companies), c.values, " | ".join(c.units)])
            sys.stdout.write(out.getvalue())
        else:
            _print_choices(console, choices)
        return
    comparison = plots.kpi_comparison(query, kpi, report)
    if fmt == "json":
        click.echo(json.dumps(comparison.as_json(), ensure_ascii=False, indent=2))
        return
    rows = _rows(comparison)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=["company", "company_as_printed", "report", "year", "metric", "metric_id",
                                                 "value", "unit", "as_printed", "section"], lineterminator="\n")
        writer.writeheader()
        for r in rows:
            writer.writerow({**r, "value": r["value"].replace(",", "")})
        sys.stdout.write(out.getvalue())
        return
    title = f"{comparison.code} across companies\n{comparison.label}"
    units = len({r["unit"] for r in rows})
    caption = f"{len(rows)} value(s) from {len(comparison.companies())} report(s)" + \
        (f"; {units} units: compare rows of the same unit only" if units > 1 else "")
    # No vertical rules: the report ids stay whole in 80 columns.
    table = RichTable(title=title, caption=caption, box=box.SIMPLE_HEAD)
    for col in COLUMNS:
        table.add_column(col, overflow="fold", justify="right" if col in ("year", "value") else "left",
                         no_wrap=col in ("year", "value"),
                         min_width=max(len(r["report"]) for r in rows) if col == "company" else None)
    previous = None
    for r in rows:
        if previous is not None and r["unit"] != previous:
            table.add_section()
        previous = r["unit"]
        table.add_row(f"{r['company']}\n[dim]{r['report']}[/dim]", r["year"], r["metric"], r["value"], r["unit"],
                      r["section"])
    console.print(table)
