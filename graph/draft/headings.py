"""Unnumbered sections, read from the layout where a report prints no numbered contents.

Two signs of a report's own structure that need no section numbers:

- a navigation bar: a line printed identically on many pages whose words are the chapter
  names (a running header or footer listing the chapters);
- heading lines: a short line alone, in title case, printed above body text (the usual look of
  a heading in a flattened extraction that keeps no font sizes).

Neither reads any word of one company or language: the tests are on repetition, length,
capitalisation and what follows the line.
"""
from __future__ import annotations

import re
from collections import Counter

from .model import clean, has_cjk, words
from .text import Line

NAV_REPEATS = 5          # a navigation bar is printed on at least this many pages
NAV_MIN_ENTRIES = 4      # ... and names at least this many chapters
NAV_ENTRY_CHARS = 16     # a chapter name in a bar is short
HEADING_WORDS = 18       # a heading longer than this is a sentence
BODY_WORDS = 12          # a line of at least this many words is body text
BODY_WITHIN = 8          # a heading has body text within this many lines below it
TITLE_CASE = 0.85        # share of the long words (4+ letters) a title-case heading capitalises
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_TRAILING_NOTE = re.compile(r"\s+\d{1,2}$")   # a footnote marker after a title
_NUMBER_TOKEN = re.compile(r"^[\d.,%/:-]+$")
_YEAR = re.compile(r"^(?:19|20)\d\d$")   # a year in a title ("… in 2021"); any other number is data
_CODE = re.compile(r"^[^\W\d_]+[-.]?\d")


def navigation_bar(lines: list[Line]) -> list[tuple[str, Line]]:
    """The chapter names of a navigation bar, in printed order, each with the first line that
    prints the bar; empty when no line is repeated as a bar."""
    counts = Counter(" ".join(line.text.split()) for line in lines if line.text.strip())
    for text, n in counts.most_common():
        if n < NAV_REPEATS:
            break
        entries = text.split()
        if (len(entries) >= NAV_MIN_ENTRIES and len(set(entries)) == len(entries)
                and all(len(e) <= NAV_ENTRY_CHARS and not _NUMBER_TOKEN.match(e)
                        and not e.endswith((".", ",", "。", "，", ":", "：")) for e in entries)
                and all(has_cjk(e) for e in entries)):
            # Words separated by spaces are names only where a name has no spaces of its own:
            # in CJK text. An alphabetic bar ("Our Performance · Talent First") is left alone.
            first = next(line for line in lines if " ".join(line.text.split()) == text)
            return [(e, first) for e in entries]
    return []


def _title_case(title: str) -> bool:
    words = _WORD.findall(title)
    if not words or not words[0][0].isupper():
        return False
    long = [w for w in words if len(w) >= 4]
    return bool(long) and sum(w[0].isupper() for w in long) / len(long) >= TITLE_CASE


def _heading_title(line: Line) -> str | None:
    """The title when the line looks like a heading by itself (short, title case, no sentence)."""
    title = _TRAILING_NOTE.sub("", clean(line.text))
    tokens = title.split()
    if not tokens or len(tokens) > HEADING_WORDS or has_cjk(title):
        return None
    if (title.endswith((":", ";", ",", "?", "!")) or tokens[-1].casefold() in words()["heading_open_ends"]
            or tokens[0].casefold() in words()["sentence_starts"]):
        return None  # a sentence, or a title wrapped onto the next line ("… Freedom of")
    # A number outside a year is data or a level ("Level 3)"), letters then digits a code
    # ("Aspect A1:", "V2.0"); two years are the header of a table's year columns.
    bare = [t.strip("()“”\"'：:") for t in tokens]
    if sum(bool(_YEAR.match(t)) for t in bare) > 1 or any(
            (_NUMBER_TOKEN.match(t) and not _YEAR.match(t)) or _CODE.match(t) for t in bare if t):
        return None
    if "—" in title or " · " in title or ". " in title:  # a running header or a list of names
        return None
    return title if _title_case(title) else None


def _body_follows(lines: list[Line], i: int) -> bool:
    for line in lines[i + 1: i + 1 + BODY_WITHIN]:
        if len(line.text.split()) >= BODY_WORDS:
            return True
    return False


def layout_headings(lines: list[Line]) -> list[tuple[str, Line]]:
    """Heading lines by layout, each title once (its first printing), in text order. A line the
    report repeats on many pages (its running title) is not a heading."""
    counts = Counter(" ".join(line.text.split()) for line in lines if line.text.strip())
    out: list[tuple[str, Line]] = []
    seen: set[str] = set()
    for i, line in enumerate(lines):
        if counts[" ".join(line.text.split())] >= NAV_REPEATS:
            continue
        title = _heading_title(line)
        if not title or not _body_follows(lines, i):
            continue
        key = re.sub(r"[\W_]+", "", title.casefold())
        if key and key not in seen:
            seen.add(key)
            out.append((title, line))
    keys = {re.sub(r"[\W_]+", "", t.casefold()) for t, _ in out}
    # A line that strings other headings together is a list of links ("See also: A B C").
    return [(t, line) for t, line in out if not _joins(re.sub(r"[\W_]+", "", t.casefold()), keys)]


def _joins(key: str, keys: set[str]) -> bool:
    """True when ``key`` is three or more of the other ``keys`` written one after another (two
    can be one heading that begins with another: "Improving" + "User Experience")."""
    others = [k for k in keys if k != key and len(k) < len(key)]
    reach = {0: 0}   # end offset -> fewest pieces reaching it
    for start in range(len(key)):
        if start not in reach:
            continue
        for k in others:
            if key.startswith(k, start):
                end = start + len(k)
                reach[end] = max(reach.get(end, 0), reach[start] + 1)
    return reach.get(len(key), 0) >= 3
