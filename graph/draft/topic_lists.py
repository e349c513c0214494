"""Material topics in the shapes other than a numbered list (docs/drafting.md):

- **by pillar**: a heading line naming one pillar ("Environmental Aspects", "社會議題"), the
  topics below it one per line or glued into one line (a flattened table) until the next pillar
  heading: every topic gets that heading's pillar;
- **a matrix**: a legend line naming two or more pillars, the labels below it one per line. The
  legend says which pillar is which only by colour, which the text does not keep, so the labels
  are listed for the reviewer, never written with a guessed pillar.

A glued line is split only where it can be with confidence: at a section title the line prints
(a table's "responding section" cell) and before each capitalised word of a sentence-case text;
a line whose pieces are not all sentence-case names of two words or more is listed instead.
"""
from __future__ import annotations

import re

from .model import Draft, clean, has_cjk, words
from .text import Line

MAX_TOPIC_WORDS = 12    # a longer piece is a sentence, not a topic name
MAX_TOPIC_CHARS = 20    # the same for CJK, in characters
MAX_HEADING_WORDS = 6
MAX_CELLS = 60


def _pillar_names() -> dict[str, str]:
    return {n.casefold(): p for p, names in words()["pillars"].items() for n in names}


def pillar_heading(text: str) -> str | None:
    """The pillar a heading line names: its first word is a pillar's name and no other word is
    one (a line naming several pillars is a legend), the second word, if any, a topic word."""
    names = _pillar_names()
    tokens = clean(text).casefold().split()
    if not tokens or len(tokens) > MAX_HEADING_WORDS or tokens[0] not in names:
        return None
    if any(t in names for t in tokens[1:]):
        return None
    if len(tokens) > 1 and tokens[1] not in {w.casefold() for w in words()["topic_group_words"]}:
        return None
    return names[tokens[0]]


def legend(text: str) -> bool:
    """True when every word of the line names a pillar, and two or more do (a matrix legend)."""
    names = _pillar_names()
    tokens = clean(text).casefold().split()
    return len(tokens) >= 2 and all(t in names for t in tokens)


def _short(text: str) -> bool:
    if any(p in text for p in "，。；：！？"):
        return False
    return len(text) <= MAX_TOPIC_CHARS if has_cjk(text) else len(text.split()) <= MAX_TOPIC_WORDS


def split_glued(text: str, titles: list[str]) -> list[str] | None:
    """The topic names of a line that glues several table cells; None when it cannot be split
    with confidence. Section titles printed in the line (a cell naming where a topic is
    answered) are cut out; the rest splits before each capitalised word (sentence-case names)."""
    for title in sorted(titles, key=len, reverse=True):
        if len(title.split()) >= 2:
            text = text.replace(title, " | ")
    pieces: list[list[str]] = []
    for chunk in text.split("|"):
        current: list[str] = []
        for token in chunk.split():
            if current and token[0].isupper() and not token.isupper():
                pieces.append(current)
                current = []
            current.append(token)
        if current:
            pieces.append(current)
    names = [clean(" ".join(p)) for p in pieces if clean(" ".join(p))]
    if not names or any(len(n.split()) < 2 or len(n.split()) > MAX_TOPIC_WORDS or re.search(r"\d", n) for n in names):
        return None
    return names


def _cells(lines: list[Line], titles: list[str], d: Draft) -> list[tuple[str, Line]]:
    """The topic names in ``lines`` up to two blank lines in a row or a line that is none."""
    out: list[tuple[str, Line]] = []
    blanks = 0
    for line in lines:
        text = line.text.strip()
        if not text:
            blanks += 1
            if blanks >= 2 and out:
                break
            continue
        blanks = 0
        if pillar_heading(text) or legend(text) or len(out) >= MAX_CELLS:
            break
        glued = len(text.split()) > MAX_TOPIC_WORDS or any(t in text for t in titles if len(t.split()) >= 2)
        if not glued and _short(text) and not re.search(r"\d", text):
            out.append((clean(text), line))
            continue
        names = split_glued(text, titles) if not has_cjk(text) else None
        if names is None:
            if out:
                break
            d.flag("topic", line, f"a line of material topics that cannot be split with confidence: {text[:120]!r}")
            break
        out.extend((n, line) for n in names)
    return out


def topics_by_pillar(d: Draft, lines: list[Line], start: int, end: int) -> list[tuple[str, str, Line]]:
    """(label, pillar, line) of the topics under two or more pillar headings printed in
    ``lines[start:end]`` (the topics of the last heading may run past ``end``)."""
    titles = [next(iter(s.fields["title"].values())) for s in d.sections]
    found: list[tuple[str, str, Line]] = []
    heads = [(i, p) for i in range(start, min(end, len(lines))) if (p := pillar_heading(lines[i].text))]
    if len({p for _, p in heads}) < 2:
        return []
    for i, pillar in heads:
        found.extend((label, pillar, line) for label, line in _cells(lines[i + 1:], titles, d))
    return found


def matrix_labels(d: Draft, lines: list[Line], start: int, end: int) -> list[tuple[str, Line]]:
    """The labels printed one per line after a matrix legend printed in ``lines[start:end]``."""
    at = next((i for i in range(start, min(end, len(lines))) if legend(lines[i].text)), None)
    return [] if at is None else _cells(lines[at + 1:], [], d)
