"""Writing a draft as a source folder (docs/source-format.md), all at once or not at all."""
from __future__ import annotations

import csv
import io
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Callable

import yaml

from ..errors import EsgkgError
from .model import REVIEW_DRAFT, Draft, Drafted

HEADER = ("# Drafted by `esgkg draft` from {source}. Every record is `review: draft` with the page\n"
          "# and line of source/text.txt it was read from; accept, correct or reject each one\n"
          "# (docs/drafting.md). needs-review.md lists what the draft left for a person.\n")
FILES = {"disclosure": ("disclosures.yaml", "disclosures"), "metric": ("metrics.yaml", "metrics"),
         "document": ("policies.yaml", "documents"), "concern": ("stakeholders.yaml", "concerns"),
         "stakeholder": ("stakeholders.yaml", "stakeholders"), "topic": ("topics.yaml", "topics")}
OBSERVATION_COLUMNS = ("metric", "year", "value", "unit", "section", "as_written", "note", "review", "page", "line")


class DraftOutputError(EsgkgError):
    """The draft folder cannot be written where asked."""


def location(rec: Drafted) -> dict[str, int]:
    """Where a record was read: the page (when the source has pages) and the line of source/text.txt."""
    loc = {"page": rec.line.page} if rec.line.page is not None else {}
    loc["line"] = rec.line.number
    return loc


def _record(rec: Drafted) -> dict[str, Any]:
    return {**rec.fields, "review": REVIEW_DRAFT, "source_location": location(rec)}


def _dump(data: Any, source: str) -> str:
    return HEADER.format(source=source) + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110)


def render(d: Draft, source_name: str) -> dict[str, str]:
    """Every file of the draft folder, by relative path."""
    report = {k: v for k, v in d.report.items() if not k.startswith("_")}
    report = {"id": d.report_id, "review": REVIEW_DRAFT, **report}
    if d.report_line is not None:
        report["source_location"] = location(Drafted("report", {}, d.report_line))
    report["source"] = {"file": "source/text.txt", "format": d.report["_format"], "original": source_name}
    report["sections"] = [_record(s) for s in d.sections]
    files = {"report.yaml": _dump(report, source_name), "source/text.txt": d.text.dump()}
    by_file: dict[str, dict[str, list]] = {}  # a file may hold two lists (concerns, stakeholders)
    for kind, (name, key) in FILES.items():
        records = [_record(r) for r in d.of_kind(kind)]
        if records:
            by_file.setdefault(name, {})[key] = records
    files.update({name: _dump(lists, source_name) for name, lists in by_file.items()})
    if d.observations:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(OBSERVATION_COLUMNS)
        for o in d.observations:
            f = o.fields
            writer.writerow([f["metric"], f["year"], f["value"], f["unit"], f["section"], f["as_written"],
                             f["note"], REVIEW_DRAFT, o.line.page or "", o.line.number])
        files["observations.csv"] = out.getvalue()
    files["needs-review.md"] = _attention(d, source_name)
    return files


def _attention(d: Draft, source_name: str) -> str:
    lines = [f"# What the draft of {d.report_id} left for a person", "",
             f"Source: {source_name} (text in source/text.txt). Nothing below was written as a record.", ""]
    for a in d.attention:
        where = f"page {a.line.page}, line {a.line.number}" if a.line and a.line.page else (
            f"line {a.line.number}" if a.line else "whole report")
        lines.append(f"- [{a.kind}] {where}: {a.what}")
    return "\n".join(lines) + "\n"


def write_atomically(files: dict[str, str], target: Path, check: Callable[[Path], None],
                     force: bool = False) -> None:
    """Write ``files`` into a staging folder beside ``target`` (same name, so the source-format
    check of ``check`` sees the real id), check it, then rename it to ``target``: a failure at
    any step leaves nothing half-written."""
    if target.exists() and not force:
        raise DraftOutputError(f"{target} already exists: choose another -o folder or pass --force to replace it")
    parent = target.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".draft", dir=parent))
    except OSError as exc:
        raise DraftOutputError(f"cannot write under {parent}: {exc.strerror or exc}") from exc
    try:
        tmp = staging / target.name
        for rel, text in files.items():
            path = tmp / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        check(tmp)
        if target.exists():
            os.replace(target, staging / ".replaced")
        os.replace(tmp, target)
    except OSError as exc:
        raise DraftOutputError(f"cannot write {target}: {exc.strerror or exc}") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
