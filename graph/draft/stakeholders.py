"""Stakeholder groups, with their concerns and channels, from a report's stakeholder table.

The table is found by its header row (a group column, then a channels and a concerns column in
either order: `words.yaml` ``stakeholder_table``). Its cells must be printed one per line (an
extraction that glues a row's cells into one line gives no boundary between them: left out and
listed). Rows are then told apart in one of two ways, both read from the table itself:

- **marked column**: the last column's cells carry a list mark (``•``) and the others none, so
  each row is its unmarked cells (the group, then the middle column) and then its marked cells;
- **group names**: no mark, so a cell is a group when it only joins the usual names of
  stakeholder groups (``stakeholder_groups``); the cells between two groups are that group's
  channels and concerns, which nothing tells apart: they are listed for the reviewer.
"""
from __future__ import annotations

import re
from collections import Counter

from .headings import NAV_REPEATS
from .model import Draft, Drafted, clean, has_cjk, slugify, unique_id, words
from .sections import NUMBER, SectionIndex, front_section
from .text import Line

MAX_CELL_WORDS = 10    # a longer line is body text (or a row glued into one line): the table ended
MAX_CELL_CHARS = 24    # the same for a CJK line, counted in characters
MAX_HEADER_WORDS = 14
MAX_CELLS = 300        # a table spans at most this many cells
MIN_ROWS = 2           # fewer groups than this is not a table of groups
_MARK = re.compile(r"^\s*[•·●○◦▪■□◆◇►▸➢✓✔*]\s*")


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


def _position(text: str, names: list[str]) -> int | None:
    """Where the first of ``names`` (longest first) occurs in ``text``, None when none does."""
    found = [text.find(n) for n in sorted((_norm(n) for n in names), key=len, reverse=True) if n and n in text]
    return min(found) if found else None


def header_columns(text: str) -> tuple[str, str] | None:
    """The order of the two other columns ("channels", "concerns") when ``text`` is the header
    row of a stakeholder table: it starts with a group word and names both other columns."""
    if len(text.split()) > MAX_HEADER_WORDS:
        return None
    table = words()["stakeholder_table"]
    low = _norm(clean(text))
    if not any(low.startswith(_norm(g)) for g in table["group"]):
        return None
    at_channels, at_concerns = _position(low, table["channels"]), _position(low, table["concerns"])
    if at_channels is None or at_concerns is None or at_channels == at_concerns:
        return None
    return ("channels", "concerns") if at_channels < at_concerns else ("concerns", "channels")


def _is_cell(text: str) -> bool:
    """A short line that is no piece of a sentence (CJK body text wraps into short lines too)."""
    if any(p in text for p in "，。；：！？"):
        return False
    return len(text) <= MAX_CELL_CHARS if has_cjk(text) else len(text.split()) <= MAX_CELL_WORDS


def table_cells(lines: list[Line], start: int, repeated: Counter,
                headings: frozenset[int] = frozenset()) -> tuple[list[tuple[str, bool, Line]], Line | None]:
    """The cells after the header at ``lines[start]``, each (text, marked, line), up to the first
    line that is not a cell or starts a section (line numbers ``headings``); and that line when
    the table stopped at once on a long line (a row glued into one line). Running headers and
    the header repeated on a next page are skipped."""
    header = _norm(clean(lines[start].text))
    cells: list[tuple[str, bool, Line]] = []
    for line in lines[start + 1:]:
        text = line.text.strip()
        if not text or _norm(clean(text)) == header or repeated[" ".join(text.split())] >= NAV_REPEATS:
            continue
        if not _is_cell(text) or line.number in headings or len(cells) >= MAX_CELLS:
            return cells, (line if not cells else None)
        marked = bool(_MARK.match(text))
        cells.append((clean(_MARK.sub("", text)), marked, line))
    return cells, None


def _rows_by_mark(cells: list[tuple[str, bool, Line]]) -> list[list[tuple[str, bool, Line]]] | None:
    """Rows as [unmarked run][marked run]: None unless the cells alternate that way throughout."""
    if not cells or cells[0][1] or not any(m for _, m, _ in cells):
        return None
    rows: list[list] = []
    for cell in cells:
        if not cell[1] and (not rows or rows[-1][-1][1]):
            rows.append([])
        rows[-1].append(cell)
    return rows if all(r[-1][1] for r in rows[:-1]) and rows[-1][-1][1] else None


def is_group_name(text: str) -> bool:
    """True when the cell only joins names of stakeholder groups ("Shareholders and investors")."""
    names = {_norm(n) for n in words()["stakeholder_groups"]}
    joiners = sorted((re.escape(j) for j in words()["group_joiners"]), key=len, reverse=True)
    parts = [p for p in re.split("|".join(rf"\s+{j}\s+" if j.isalpha() and j.isascii() else j for j in joiners),
                                 _norm(text)) if p.strip()]
    return bool(parts) and all(p.strip() in names for p in parts)


def _rows_by_name(cells: list[tuple[str, bool, Line]]) -> list[list[tuple[str, bool, Line]]] | None:
    if not cells or not is_group_name(cells[0][0]):
        return None
    rows: list[list] = []
    for cell in cells:
        if is_group_name(cell[0]):
            rows.append([])
        rows[-1].append(cell)
    return rows


def draft_stakeholders(d: Draft, index: SectionIndex, lang: str) -> None:
    """Stakeholder and concern records from the first stakeholder table whose rows can be read."""
    lines = d.text.lines
    repeated = Counter(" ".join(line.text.split()) for line in lines if line.text.strip())
    numbered = frozenset(n for n, sid in index.starts if NUMBER.match(sid))
    for i, line in enumerate(lines):
        order = header_columns(line.text)
        if order is None:
            continue
        # A numbered heading ends a table; a heading read by layout may be one of its cells.
        cells, glued = table_cells(lines, i, repeated, numbered)
        if glued is not None:
            d.flag("stakeholder", glued, "the stakeholder table prints a row's cells on one line: groups, channels "
                   "and concerns cannot be told apart; add them by hand")
            continue
        rows = _rows_by_mark(cells)
        if rows is not None and len(rows) >= MIN_ROWS:
            _write(d, index, lang, line, rows, order)
            return
        rows = _rows_by_name(cells)
        if rows is not None and len(rows) >= MIN_ROWS:
            _write(d, index, lang, line, rows, None)
            return
        d.flag("stakeholder", line, "a stakeholder table whose rows cannot be told apart (no list mark, no "
               "group name first): add the groups by hand")


def _write(d: Draft, index: SectionIndex, lang: str, header: Line, rows: list[list], order: tuple | None) -> None:
    """One stakeholder per row; with ``order``, the row's unmarked cells after the group are the
    first column of ``order`` and its marked cells the second. Without, the cells are listed."""
    section = front_section(d, index, header, lang)
    groups: set[str] = set()
    concerns: dict[str, str] = {}   # label -> id, one concern record per distinct label
    concern_records: list[Drafted] = []
    stakeholders: list[Drafted] = []
    for row in rows:
        label, _, line = row[0]
        columns = {"concerns": [], "channels": []}
        if order is not None:
            columns[order[0]] = [c for c, m, _ in row[1:] if not m]
            columns[order[1]] = [c for c, m, _ in row[1:] if m]
        elif len(row) > 1:
            d.flag("stakeholder", line, f"stakeholder group {label!r}: its channels and concerns are not told apart "
                   f"in the table ({'; '.join(c for c, _, _ in row[1:])}); add them")
        ids = []
        for text, _, cell_line in row[1:]:
            if text not in columns["concerns"]:
                continue
            if text not in concerns:
                concerns[text] = unique_id(slugify(text, f"concern-{len(concerns) + 1}"), set(concerns.values()))
                concern_records.append(Drafted("concern", {"id": concerns[text], "label": {lang: text},
                                                           "section": section}, cell_line))
            if concerns[text] not in ids:
                ids.append(concerns[text])
        taken: set[str] = set()
        channels = [{"id": unique_id(slugify(c, f"channel-{n}"), taken), "label": {lang: c}}
                    for n, c in enumerate(dict.fromkeys(columns["channels"]), start=1)]
        stakeholders.append(Drafted("stakeholder", {"id": unique_id(slugify(label, f"group-{len(groups) + 1}"), groups),
                                                    "label": {lang: label}, "concerns": ids, "channels": channels,
                                                    "section": section}, line))
    d.records.extend(concern_records + stakeholders)
