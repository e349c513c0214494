"""Independent reading of the bundled report's extracted text, for completeness tests.

Nothing here uses the curated YAML/CSV: expected facts come straight from the report.
"""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

REPORT_TEXT = Path(__file__).parent.parent / "graph" / "reports" / "oneconnect-2024" / "source" / "report.txt"
NAV_BAR = "可持續發展治理 管治-穩健經營"
NUMBER = r"(?:-?[\d,]+(?:\.\d+)?|/)"
# A KPI table row: label, unit, then the 2022, 2023 and 2024 cells ('/' = not reported).
ROW = re.compile(rf"^(?P<label>\S.*?) (?P<unit>\S+) (?P<y2022>{NUMBER}) +(?P<y2023>{NUMBER}) +(?P<y2024>{NUMBER})\s*$")


def text() -> str:
    return REPORT_TEXT.read_text(encoding="utf-8")


def squeeze(s: str) -> str:
    """Drop all white space: the extraction breaks lines and words at random."""
    return re.sub(r"\s+", "", s)


def section_lines(start_heading: str, end_heading: str) -> list[str]:
    lines = text().splitlines()
    start = next(i for i, l in enumerate(lines) if start_heading in l)
    end = next(i for i, l in enumerate(lines) if i > start and end_heading in l)
    return [l for l in lines[start:end] if l.strip() and NAV_BAR not in l]


def kpi_rows() -> list[tuple[str, str, int, Decimal]]:
    """(label, unit, year, value) for every reported cell of the 5.1 tables."""
    rows = []
    for line in section_lines("關鍵績效指標表 5.1", "條文索引表 5.2"):
        m = ROW.match(line.strip())
        if not m or m["label"].startswith(("指標類別", "注")):
            continue
        for year in (2022, 2023, 2024):
            cell = m[f"y{year}"]
            if cell != "/":
                rows.append((m["label"], m["unit"], year, Decimal(cell.replace(",", ""))))
    return rows
