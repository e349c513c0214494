"""Where the review of a drafted source folder stands: records by kind and review status, and
the records still in draft with the file and line to edit (docs/drafting.md)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ..sources import ReportSource

CURATED = "curated"   # a record without a review field: written or finished by a person


@dataclass(frozen=True)
class Pending:
    """One record still ``review: draft``: where to edit it and where it was read."""

    file: str
    line: int
    kind: str
    name: str
    source: str


def review_counts(src: ReportSource) -> dict[str, Counter]:
    """kind -> Counter of review statuses (``curated`` for records without one)."""
    counts: dict[str, Counter] = {"section": Counter(), "observation": Counter()}
    for sec in src.report.get("sections") or []:
        counts["section"][str(sec.get("review") or CURATED)] += 1
    for kind, records in src.lists.items():
        counts.setdefault(kind, Counter()).update(str(r.get("review") or CURATED) for r in records)
    counts["observation"].update(str(r.get("review") or CURATED) for r in src.observations)
    return {kind: c for kind, c in counts.items() if c}


def pending(src: ReportSource) -> list[Pending]:
    """Every record still in draft, in file and line order."""
    out = []
    records = [("section", s) for s in src.report.get("sections") or []]
    records += [(kind, r) for kind, rs in src.lists.items() for r in rs]
    for kind, rec in records:
        if rec.get("review") == "draft":
            loc = rec.get("source_location") or {}
            name = str(rec.get("id") or f"{rec.get('scheme')}:{rec.get('code')}")
            out.append(Pending(rec.file, rec.line, kind, name, _where(loc.get("page"), loc.get("line"))))
    for row in src.observations:
        if row.get("review") == "draft":
            out.append(Pending(row.file, row.line, "observation", f"{row['metric']} {row['year']}",
                               _where(row.get("page"), row.get("line"))))
    return sorted(out, key=lambda p: (p.file, p.line))


def _where(page: object, line: object) -> str:
    return ", ".join(part for part in (f"page {page}" if page else "", f"line {line}" if line else "") if part)
