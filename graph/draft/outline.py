"""Sections from what a PDF keeps besides its text: its outline (bookmarks), and the size its
lines are printed in.

- **Outline**: the bookmarks a PDF's author made are its sections, nested by level, each at
  the first line of its page that prints its title (else the page's first line).
- **Print size**: where a report numbers nothing, a heading is a short line printed clearly
  larger than the body text (the size most lines of running text have), or bold at the body's
  size where the body is not bold; rows of one heading wrapped over two lines join. This replaces the title-case reading of a text without sizes.
"""
from __future__ import annotations

import re
from collections import Counter

from .model import clean
from .text import Bookmark, Line

MIN_BOOKMARKS = 3      # fewer bookmarks are a cover link or two, not a structure
HEADING_SCALE = 1.2    # a heading is printed at least this much larger than the body text
HEADING_WORDS = 12     # a longer line, or heading rows joined past this, are running text
BODY_WORDS = 12
REPEATS = 5            # a line printed on this many pages is a running header
_NUMBERED = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})\.?\s+(\S.*)$")
_DATA = re.compile(r"^[\d.,%/:()\-–]+$")


def _norm(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def outline_entries(lines: list[Line], outline: list[Bookmark]) -> list[tuple[str | None, str, int, Line]]:
    """(number, title, level, line) for each bookmark that points into the text; empty when the
    PDF has fewer than MIN_BOOKMARKS."""
    if len(outline) < MIN_BOOKMARKS:
        return []
    by_page: dict[int, list[Line]] = {}
    for line in lines:
        by_page.setdefault(line.page or 0, []).append(line)
    out = []
    for mark in outline:
        m = _NUMBERED.match(mark.title)
        number, title = (m.group(1), clean(m.group(2))) if m else (None, clean(mark.title))
        page = by_page.get(mark.page or 0) or []
        key = _norm(title)
        line = next((x for x in page if key and key in _norm(x.text)), page[0] if page else None)
        if line is not None and title:
            out.append((number, title, mark.level, line))
    return out


def body_size(lines: list[Line]) -> float | None:
    """The size most lines of running text are printed in; None for a text without sizes."""
    sizes = Counter(line.size for line in lines if line.size and len(line.text.split()) >= BODY_WORDS)
    return sizes.most_common(1)[0][0] if sizes else None


def _title(line: Line) -> str | None:
    title = clean(line.text)
    tokens = title.split()
    if not tokens or len(tokens) > HEADING_WORDS or title.endswith((":", ";", ",", "。", "，", "：")):
        return None
    if title[0].islower() or not (title[0].isalnum() or title[0] in "“\"'‘《「(（"):
        return None   # a sentence going on from the line above, or a list item (•)
    if ". " in title:
        return None   # two sentences
    return None if any(_DATA.match(t) for t in tokens) else title


def size_headings(lines: list[Line]) -> list[tuple[str, Line]] | None:
    """Headings by print size, each title once, in text order; None when the text has no sizes."""
    body = body_size(lines)
    if body is None:
        return None
    repeated = Counter(" ".join(line.text.split()) for line in lines if line.text.strip())
    running = [line for line in lines if line.size == body and len(line.text.split()) >= BODY_WORDS]
    body_bold = sum(bool(line.bold) for line in running) * 2 > len(running)
    out: list[tuple[str, Line]] = []
    seen: set[str] = set()
    previous: Line | None = None
    for line in lines:
        # Larger than the body text, or bold at its size (where the body is not bold).
        big = line.size is not None and (line.size >= HEADING_SCALE * body
                                         or (bool(line.bold) and line.size >= body and not body_bold))
        title = _title(line) if big and repeated[" ".join(line.text.split())] < REPEATS else None
        if title is None:
            previous = None
            continue
        if previous is not None and previous.size == line.size and previous.page == line.page and out:
            # The next row of the same heading, printed at the same size right below it.
            joined = f"{out[-1][0]} {title}"
            seen.discard(_norm(out[-1][0]))
            if len(joined.split()) > HEADING_WORDS:   # a paragraph printed large, not a heading
                out.pop()
                previous = None
                continue
            out[-1] = (joined, out[-1][1])
            seen.add(_norm(joined))
        elif _norm(title) not in seen:
            seen.add(_norm(title))
            out.append((title, line))
        else:
            line = None   # a heading printed again: the next row does not continue it
        previous = line
    return out
