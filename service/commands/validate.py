"""``esgkg validate``: check the published store against the SHACL shapes and say what is wrong."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from esgkg.graph.store import StoreRoot
from esgkg.graph.validation import SEVERITIES, ResultRecord, ValidationOutcome, validate_store

from .common import ensure_store

_HEADINGS = {"Violation": "Violations (the graph is broken)",
             "Warning": "Warnings (the report disagrees with itself or leaves something out)",
             "Info": "Information (worth a second look)"}


def format_text(outcome: ValidationOutcome) -> str:
    """Results grouped by severity; each names its focus node (zh-Hant and en), values, message, sections."""
    lines: list[str] = []
    counts = ", ".join(f"{outcome.count(s)} {s.lower()}(s)" for s in SEVERITIES)
    lines.append(f"SHACL validation: {counts}")
    for severity in SEVERITIES:
        records = [r for r in outcome.records if r.severity == severity]
        if not records:
            continue
        lines += ["", f"{_HEADINGS[severity]}: {len(records)}"]
        by_report: dict[str, list[ResultRecord]] = {}
        for r in records:
            by_report.setdefault(_report_id(r), []).append(r)
        for report, group in sorted(by_report.items()):
            if len(by_report) > 1 or report:
                lines.append(f" report {report or '(none: reference data)'}: {len(group)}")
            for r in group:
                lines += _record_lines(r)
    return "\n".join(lines) + "\n"


def _report_id(r: ResultRecord) -> str:
    """The id of the report a finding is about (the last segment of its report IRI)."""
    return r.report.rstrip("/").rsplit("/", 1)[-1] if r.report else ""


def _record_lines(r: ResultRecord) -> list[str]:
    name = " / ".join(x for x in (r.label.get("zh-Hant"), r.label.get("en")) if x) or r.focus_node
    head = f"  - {name}" + (f" — {r.year}" if r.year else "")
    out = [head, f"      {r.message.get('en') or next(iter(r.message.values()), '')}"]
    if r.message.get("zh-Hant"):
        out.append(f"      {r.message['zh-Hant']}")
    if r.values:
        out.append("      values: " + "; ".join(f"{k} = {v}" for k, v in r.values.items()))
    if r.sections:
        out.append("      sections: " + ", ".join(r.sections))
    out.append(f"      shape: {r.source_shape}")
    out.append(f"      node: {r.focus_node}")
    return out


def format_json(outcome: ValidationOutcome) -> str:
    """A machine-readable document: conformance, counts, timings and the list of results."""
    doc = {
        "conforms": outcome.conforms,
        "counts": {s: outcome.count(s) for s in SEVERITIES},
        "timings_seconds": {k: round(v, 3) for k, v in outcome.timings.items()},
        "results": [r.to_json() for r in outcome.records],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def format_ttl(outcome: ValidationOutcome) -> str:
    """The standard sh:ValidationReport in Turtle."""
    return outcome.report.serialize(format="turtle")


FORMATTERS = {"text": format_text, "json": format_json, "ttl": format_ttl}


@click.command("validate")
@click.option("--store", "store_path", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Store folder (default: $ESGKG_STORE or ./.esgkg/store); built first if missing.")
@click.option("--report", "report_id", default=None, help="Validate only this report (its id, e.g. oneconnect-2024).")
@click.option("--format", "fmt", type=click.Choice(list(FORMATTERS)), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File to write (default: standard output).")
def validate(store_path: Path | None, report_id: str | None, fmt: str, output: Path | None) -> None:
    """Check the published graph with the SHACL shapes. Exit status 1 when there are violations."""
    root = StoreRoot(store_path)
    ensure_store(root)
    store, _ = root.open_read_only()
    outcome = validate_store(store, report_id)
    text = FORMATTERS[fmt](outcome)
    if output is not None:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
    sys.exit(0 if outcome.conforms else 1)

