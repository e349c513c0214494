"""KPI tables: a header row names the year columns (in the order printed); each row below it
is ``label [footnote] unit value value ...`` with one value per year column. A row is drafted
only when it has exactly one value cell per year and a unit the shared unit table knows;
anything else is listed for a person. Values are kept as printed: no arithmetic."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from ..reference import Reference
from .model import Draft, Drafted, clean, slugify, unique_id
from .sections import SectionIndex, ensure_section
from .text import Line

YEAR = re.compile(r"^(?:FY)?((?:19|20)\d{2})(?:[^\d\s]{0,4})\.?$")
NUMBER = re.compile(r"^-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
# A value printed with its footnote marker: 35(1), 35（1）.
MARKED = re.compile(r"^(-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)[（(](\d{1,2})[)）]$")
# Where a footnote's text starts after the last cell in a flattened extraction: "... 1.37 9. The".
FOOTNOTE_START = re.compile(r"^\d{1,2}\.$")
NOT_REPORTED = {"/", "-", "–", "—", "n/a", "na", "n.a.", "不適用", "不适用", "／"}
MARKER = re.compile(r"^(.*?\S)\s*(?:[（(](\d{1,2})[)）]|(?<=[a-z)）\u3400-\u9fff])(\d{1,2}))$")
STALE = 40        # lines without a row after which the table is over
MAX_JOIN = 3      # lines a multi-line row may span


@dataclass
class _Table:
    years: list[str]
    header: Line
    unit: tuple[str, str] | None = None   # (as printed, spelling) when the header prints it once per year
    quiet: int = 0
    pending: list[Line] = field(default_factory=list)
    group: str | None = None


def _header_unit(text: str, years: list[str], units: "_Units") -> tuple[str, str] | None:
    """The unit a header prints after every year ("2019 MTCO2e 2020 MTCO2e"), if it is one."""
    tokens = text.split()
    after = [tokens[i + 1] for i, t in enumerate(tokens[:-1]) if YEAR.match(t)]
    if len(after) == len(years) and len(set(after)) == 1:
        unit = units.suffix(["", after[0]])
        if unit:
            return unit[0], unit[1]
    return None


def _header_years(text: str) -> list[str] | None:
    tokens = text.split()
    years = [m.group(1) for t in tokens if (m := YEAR.match(t))]
    others = [t for t in tokens if not YEAR.match(t)]
    if len(years) < 2 or len(set(years)) != len(years) or len(tokens) > 14:
        return None
    if any(NUMBER.match(t.rstrip(".")) for t in others):
        return None
    return years


class _Units:
    """Units as printed, matched whatever their spacing ("10,000t" = "10,000 t")."""

    def __init__(self, ref: Reference) -> None:
        self.by_key = {re.sub(r"\s+", "", s).casefold(): s for s in ref.spellings}

    def suffix(self, tokens: list[str]) -> tuple[str, str, int] | None:
        """(unit as printed, spelling, tokens used): the longest known unit ending ``tokens``."""
        for n in range(min(6, len(tokens) - 1), 0, -1):
            printed = " ".join(tokens[-n:])
            spelling = self.by_key.get(re.sub(r"\s+", "", printed).casefold())
            if spelling:
                return printed, spelling, n
        return None


def _cells(tokens: list[str], n: int) -> list[str] | None:
    if len(tokens) <= n:
        return None
    cells = tokens[-n:]
    cells[-1] = cells[-1][:-1] if cells[-1].endswith(".") and NUMBER.match(cells[-1][:-1]) else cells[-1]
    if not all(NUMBER.match(c) or MARKED.match(c) or c.casefold() in NOT_REPORTED for c in cells):
        return None
    return cells if any(NUMBER.match(c) or MARKED.match(c) for c in cells) else None


def _without_footnote(tokens: list[str]) -> list[str]:
    """The row's tokens before a footnote text the extraction glued to it, if any."""
    for i in range(len(tokens) - 2, 0, -1):
        if FOOTNOTE_START.match(tokens[i]) and tokens[i + 1][:1].isupper() and NUMBER.match(tokens[i - 1]):
            return tokens[:i]
    return tokens


def _parse(text: str, years: list[str], units: _Units,
           header_unit: tuple[str, str] | None = None) -> tuple[str, str | None, str, str, list[str]] | None:
    """(label, footnote marker, unit as printed, spelling, cells) of one row, or None. The unit
    is the last words before the cells, else a known unit in brackets ending the label
    ("Total energy consumed (MWh)"), else the one the header prints for every year."""
    tokens = text.split()
    cells = _cells(tokens, len(years))
    if cells is None:
        tokens = _without_footnote(tokens)
        cells = _cells(tokens, len(years))
    if cells is None:
        return None
    rest = tokens[: -len(years)]
    unit = units.suffix(rest)
    if unit is not None:
        label_text = " ".join(rest[: -unit[2]])
    elif (m := re.match(r"^(.*\S)\s*[(（]([^()（）]{1,20})[)）]$", " ".join(rest))) and units.suffix(["", m.group(2)]):
        found = units.suffix(["", m.group(2)])
        unit, label_text = (found[0], found[1], 0), " ".join(rest)
    elif header_unit is not None:
        unit, label_text = (header_unit[0], header_unit[1], 0), " ".join(rest)
    else:
        return None
    if not re.search(r"[^\W\d_]", label_text):
        return None
    label, marker = label_text, None
    if (m := MARKER.match(label_text)) and (m.group(2) or m.group(3)):
        label, marker = m.group(1), m.group(2) or m.group(3)
    return clean(label), marker, unit[0], unit[1], cells


def draft_tables(d: Draft, ref: Reference, index: SectionIndex, lang: str) -> None:
    """Draft a metric per KPI row and an observation per value cell."""
    units = _Units(ref)
    table: _Table | None = None
    taken: set[str] = set()
    headings = set(index.numbers)
    for line in d.text.lines:
        text = line.text.strip()
        if not text:
            continue
        if line.number in headings and table is not None and line.number - table.header.number > 1:
            table = None  # a new section: the table above has ended
        years = _header_years(text)
        if years:
            table = _Table(years, line, _header_unit(text, years, units))
            continue
        if table is None:
            continue
        if _row(d, table, line, units, index, lang, taken):
            table.quiet, table.pending = 0, []
            continue
        table.quiet += 1
        if table.quiet > STALE:
            table = None
            continue
        # Two or more value cells and not one per year: a row, but not one read with confidence.
        if _cells(text.split(), min(2, len(table.years))) is not None:
            d.flag("observation", line, f"row not read with confidence (years {', '.join(table.years)}): {clean(text)[:120]!r}")
            table.pending = []
        else:
            table.pending = (table.pending + [line])[-MAX_JOIN:]


def _row(d: Draft, table: _Table, line: Line, units: _Units, index: SectionIndex, lang: str,
         taken: set[str]) -> bool:
    """Parse ``line`` alone, else with the lines above it (a label or unit printed on two lines).
    A label that starts in lower case continues the line above, so that join is tried first."""
    order = list(range(0, len(table.pending) + 1))
    alone = _parse(line.text, table.years, units, table.unit)
    if alone and alone[0][:1].islower() and table.pending:
        order = order[1:] + [0]
    for k in order:
        joined = table.pending[len(table.pending) - k:] + [line]
        parsed = _parse(" ".join(clean(x.text) for x in joined[:-1]) + " " + line.text, table.years, units,
                        table.unit)
        if parsed:
            above = table.pending[: len(table.pending) - k]
            if above and len(above[-1].text) < 60:
                table.group = clean(above[-1].text)
            _emit(d, table, joined[0], parsed, index, lang, taken, line)
            return True
    return False


def _emit(d: Draft, table: _Table, first: Line, parsed, index: SectionIndex, lang: str,
          taken: set[str], last: Line) -> None:
    label, marker, printed, spelling, cells = parsed
    section = ensure_section(d, index, table.header, clean(table.header.text)[:60], lang)
    mid = unique_id(slugify(label, f"metric-{first.number}"), taken)
    metric: dict = {"id": mid, "label": {lang: label}, "unit": spelling}
    if printed != spelling:
        metric["note"] = f"unit printed {printed!r}"
    if table.group and table.group != label:
        metric["group"] = {lang: table.group}
    if marker:
        metric["footnotes"] = [{lang: f"footnote {marker} (marker as printed; text not drafted)"}]
    metric["section"] = section
    d.records.append(Drafted("metric", metric, first))
    for year, cell in zip(table.years, cells):
        marked = MARKED.match(cell)
        number = marked.group(1) if marked else cell
        if not NUMBER.match(number):
            continue
        d.observations.append(Drafted("observation", {
            "metric": mid, "year": year, "value": str(Decimal(number.replace(",", ""))), "unit": "",
            "section": section, "as_written": cell,
            "note": f"footnote ({marked.group(2)})" if marked else ""}, last))
