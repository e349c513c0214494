"""Numbered sections: the table of contents, or else the numbered headings of the body, and
which section each line of the text belongs to."""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from .headings import layout_headings, navigation_bar
from .outline import outline_entries, size_headings
from .model import Draft, Drafted, clean, slugify, unique_id
from .text import Line

NUMBER = re.compile(r"^\d{1,2}(?:\.\d{1,2}){0,3}$")
PAGE = re.compile(r"^\d{1,3}\.?$")
DOTTED = r"\d{1,2}(?:\.\d{1,2}){1,3}"
HEAD_NUMBER_FIRST = re.compile(rf"^\s*({DOTTED})\s*([^\d\s.].{{1,60}})$")
HEAD_TITLE_FIRST = re.compile(rf"^\s*([^\d\s].{{1,60}}?)\s+({DOTTED})\s*$")
UNPLACED = "unplaced"
MAX_TITLE_WORDS = 16   # a contents entry longer than this is running text: the contents ended
TOC_LINES = 80         # rows a one-entry-per-row table of contents may span


@dataclass
class _Entry:
    number: str | None
    title: str
    line: Line


def _toc_entries(lines: list[Line]) -> list[_Entry]:
    """Entries of a table of contents starting at ``lines[0]``: ``[number] title page`` repeated,
    pages rising, on one line or over the lines that follow (leader dots dropped)."""
    located = [(t, line) for line in lines for t in line.text.split() if t.strip(".·…")]
    tokens = [t for t, _ in located]
    entries: list[_Entry] = []
    i, last_page = 0, 0
    while i < len(tokens):
        number = tokens[i] if NUMBER.match(tokens[i]) and i + 1 < len(tokens) and not PAGE.match(tokens[i + 1]) else None
        j = i + 1 if number else i
        words: list[str] = []
        while j < len(tokens):
            tok = tokens[j]
            if words and PAGE.match(tok) and int(tok.rstrip(".")) >= last_page and (
                    j + 1 == len(tokens) or NUMBER.match(tokens[j + 1]) or int(tok.rstrip(".")) > last_page):
                break
            words.append(tok)
            j += 1
        if j >= len(tokens) or not words or len(words) > MAX_TITLE_WORDS:
            return entries
        last_page = int(tokens[j].rstrip("."))
        entries.append(_Entry(number, clean(" ".join(words)), located[i][1]))
        i = j + 1
    return entries


def _find_toc(lines: list[Line]) -> list[_Entry]:
    """The table of contents: the first line (within the opening tenth) from which ≥ 5 entries
    follow, on that line (a flattened extraction) or on the lines after it (one per row)."""
    opening = lines[: max(200, len(lines) // 10)]
    best: list[_Entry] = []
    best_numbered = 0
    for i, line in enumerate(opening):
        if not line.text.strip():
            continue
        entries = _toc_entries(lines[i: i + TOC_LINES])
        numbered = sum(e.number is not None for e in entries)
        if len(entries) >= 5 and numbered >= 3:
            # The latest start that keeps every numbered entry: a title or cover line above the
            # contents would otherwise become an entry of its own.
            if numbered >= best_numbered:
                best, best_numbered = entries, numbered
        elif best:
            break
    return best


def _heading(line: Line) -> tuple[str, str] | None:
    """(number, title) when the line is a numbered heading alone on its line."""
    if len(line.text) > 70:
        return None
    m = HEAD_NUMBER_FIRST.match(line.text)
    number, title = (m.group(1), m.group(2)) if m else (None, None)
    if not m and (m := HEAD_TITLE_FIRST.match(line.text)):
        title, number = m.group(1), m.group(2)
    if not number or number.startswith("0") or any(re.fullmatch(r"[\d.,%/-]+", tok) for tok in title.split()):
        return None
    title = clean(title)
    if len(re.sub(r"\W", "", title)) < 2 or title.endswith(("。", "，", ",", ";", "；", ":", "：")):
        return None
    return number, title


def _key(number: str) -> tuple[int, ...]:
    return tuple(int(p) for p in number.split("."))


def _increasing(cands: list[_Entry]) -> list[_Entry]:
    """The longest run of headings whose numbers rise through the text (drops stray matches)."""
    keys = [_key(c.number or "0") for c in cands]
    tails: list[tuple[int, ...]] = []
    tail_idx: list[int] = []
    prev = [-1] * len(cands)
    for i, k in enumerate(keys):
        pos = bisect.bisect_left(tails, k)
        if pos == len(tails):
            tails.append(k)
            tail_idx.append(i)
        else:
            tails[pos], tail_idx[pos] = k, i
        prev[i] = tail_idx[pos - 1] if pos else -1
    out, i = [], tail_idx[-1] if tail_idx else -1
    while i >= 0:
        out.append(cands[i])
        i = prev[i]
    return out[::-1]


def draft_sections(d: Draft, lang: str, skip: frozenset[int] = frozenset()) -> None:
    """Declare the sections (``d.sections``) from the PDF's outline, else the contents, else the
    numbered headings with the chapter names of a navigation bar, else headings by print size
    or layout (none on the lines ``skip``: the rows of a framework index)."""
    levels: list[int] | None = None
    marks = outline_entries(d.text.lines, d.text.outline)
    if marks:
        entries, source = [_Entry(n, t, line) for n, t, _, line in marks], "outline"
        levels = [level for _, _, level, _ in marks]
    else:
        entries, source = _find_toc(d.text.lines), "contents"
    if not entries:
        entries, source = _from_headings(d, skip)
    taken: set[str] = set()
    numbers = {e.number for e in entries if e.number}
    stack: list[tuple[int, str]] = []   # (level, id) of the open outline entries
    for n, e in enumerate(entries, start=1):
        sid = e.number if e.number and e.number not in taken else slugify(e.title, f"section-{n}")
        sid = unique_id(sid, taken)
        fields: dict = {"id": sid, "title": {lang: e.title}}
        parent = e.number.rsplit(".", 1)[0] if e.number and "." in e.number else None
        if levels is not None:
            while stack and stack[-1][0] >= levels[n - 1]:
                stack.pop()
            parent = stack[-1][1] if stack else None
            stack.append((levels[n - 1], sid))
            numbers.add(sid)
        if parent in numbers:
            fields["parent"] = parent
        d.sections.append(Drafted("section", fields, e.line))
    if not entries:
        d.flag("section", None, "no table of contents and no numbered headings found: add the sections by hand")
    d.report["_sections_from"] = source


def _from_headings(d: Draft, skip: frozenset[int]) -> tuple[list[_Entry], str]:
    """The numbered headings of the body with a navigation bar's chapters; where nothing is
    numbered, the headings by print size (a PDF) or layout (a text)."""
    source = "headings"
    seen: set[str] = set()
    cands = []
    for line in d.text.lines:
        head = _heading(line)
        if head and head[0] not in seen:
            seen.add(head[0])
            cands.append(_Entry(head[0], head[1], line))
    entries = _increasing(cands)
    # Chapters the headings leave unnumbered: the names of a navigation bar, when printed.
    titles = {_norm(e.title) for e in entries}
    bar = [_Entry(None, t, line) for t, line in navigation_bar(d.text.lines) if _norm(t) not in titles]
    if bar:
        source = "headings and navigation bar"
    entries = bar + entries
    if not any(e.number for e in entries):
        sized = size_headings(d.text.lines)
        source = "layout" if sized is None else "print size"
        found = layout_headings(d.text.lines) if sized is None else sized
        entries += [_Entry(None, t, line) for t, line in found if _norm(t) not in titles and line.number not in skip]
    return entries, source


class SectionIndex:
    """Which declared section a line of the text is in: the last heading of it seen above."""

    def __init__(self, d: Draft) -> None:
        self.d = d
        starts: list[tuple[int, str]] = []
        # The contents themselves name every section: headings count only after them.
        from_contents = d.report.get("_sections_from") == "contents"
        toc_line = max((s.line.number for s in d.sections), default=0) if from_contents else 0
        patterns = []
        for s in d.sections:
            title = re.escape(_norm(s.fields["title"][next(iter(s.fields["title"]))]))
            number = re.escape(_norm(s.fields["id"])) if NUMBER.match(s.fields["id"]) else ""
            # An unnumbered title must open a short line: "Overview" also occurs in running text.
            patterns.append((s.fields["id"], re.compile(f"{number}{title}|{title}{number}" if number
                                                        else f"^{title}.{{0,20}}$")))
        for line in d.text.lines:
            if line.number <= toc_line:
                continue
            norm = _norm(line.text)
            if not norm or len(line.text) > 160:
                continue
            for sid, pattern in patterns:
                if pattern.search(norm):
                    starts.append((line.number, sid))
        self.starts = sorted(starts)
        self.numbers = [n for n, _ in self.starts]

    def at(self, line: Line) -> str | None:
        """The id of the section a line is in, None when no section heading precedes it."""
        pos = bisect.bisect_right(self.numbers, line.number) - 1
        return self.starts[pos][1] if pos >= 0 else None

    def declared(self, sid: str) -> bool:
        return any(s.fields["id"] == sid for s in self.d.sections)


def _norm(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def front_section(d: Draft, index: SectionIndex, line: Line, lang: str) -> str:
    """The section of ``line``, or the front matter: the text before the first section found,
    titled by the report's first printed line (its cover), in the report's language."""
    cover = next((clean(x.text)[:60] for x in d.text.lines if x.text.strip()), d.report_id)
    return ensure_section(d, index, line, cover, lang, sid="front-matter")


def ensure_section(d: Draft, index: SectionIndex, line: Line, title: str, lang: str,
                   sid: str | None = None) -> str:
    """The section of ``line``; when none precedes it, a section named by ``title`` (the heading
    of the index or table found there), declared once and flagged for a person."""
    found = index.at(line)
    if found:
        return found
    wanted = sid or slugify(title, UNPLACED)
    if not index.declared(wanted):
        d.sections.append(Drafted("section", {"id": wanted, "title": {lang: title}}, line))
        d.flag("section", line, f"section {wanted!r} made from the heading {title!r}: no section of the contents precedes it")
    return wanted
