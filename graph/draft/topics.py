"""Material topics: the numbered list a materiality section prints (``1 name [category] 2 name
…``), in the report's own order, with the pillar where the printed category names one."""
from __future__ import annotations

import re
from collections import Counter

from .model import Draft, Drafted, clean, slugify, unique_id, words
from .sections import SectionIndex
from .text import Line
from .topic_lists import matrix_labels, topics_by_pillar

MIN_TOPICS = 5        # a shorter run of numbers is not a list of topics
MAX_CATEGORIES = 4    # a category column has a few values (E / S / G, or a report's own)
WINDOW = 60           # lines after a materiality heading searched for its list
MAX_TOPIC_WORDS = 12  # an item longer than this is a sentence, not a topic name
_NUMBER = re.compile(r"(?<!\S)(\d{1,2})(?!\S)")


def _numbered_run(lines: list[Line]) -> list[tuple[str, Line]]:
    """The longest run 1, 2, 3 … of numbers in ``lines``, each with the text after it up to the
    next number or the end of its line (an item does not run over a line break)."""
    marks = [(int(m.group(1)), line, m.end()) for line in lines for m in _NUMBER.finditer(line.text)]
    best: list[tuple[str, Line]] = []
    for start, (n, _, _) in enumerate(marks):
        if n != 1:
            continue
        run, want, i = [], 1, start
        while i < len(marks):
            num, line, end = marks[i]
            if num == want:
                # The next item starts at the next number on this line, else the line's end.
                following = [m for m in marks[i + 1:] if m[1] is line and m[0] == want + 1]
                stop = (following[0][2] - len(str(want + 1))) if following else len(line.text)
                run.append((line.text[end:stop].strip(), line))
                want += 1
            i += 1
        if len(run) > len(best):
            best = run
    return best


def _pillar(category: str) -> str | None:
    wanted = category.casefold()
    for pillar, names in words()["pillars"].items():
        if wanted in (n.casefold() for n in names):
            return pillar
    return None


def _numbered(lines: list[Line]) -> list[tuple[str, str | None, str | None, Line]] | None:
    """(label, pillar, category, line) of a numbered list with the printed category, None when
    the lines hold no such list."""
    items = [(clean(t), line) for t, line in _numbered_run(lines)]
    if len(items) < MIN_TOPICS or any(not t or len(t.split()) > MAX_TOPIC_WORDS or re.search(r"\d", t)
                                      for t, _ in items):
        return None
    # A category column prints one of a few words after every name: at most four distinct
    # last words, and most items end with one that other items end with too.
    last = Counter(t.split()[-1] for t, _ in items)
    has_category = (all(len(t.split()) > 1 for t, _ in items) and len(last) <= MAX_CATEGORIES
                    and sum(n for n in last.values() if n >= 2) * 2 >= len(items))
    out = []
    for text, line in items:
        label, category = (text.rsplit(" ", 1) if has_category else (text, None))
        out.append((label, _pillar(category) if category else None, category, line))
    return out


def draft_topics(d: Draft, index: SectionIndex, lang: str) -> None:
    """Topic records from the first materiality section that prints a list of them: a numbered
    list, else topics under pillar headings; else the labels of a matrix, listed for a person."""
    keys = [k.casefold() for k in words()["materiality"]]
    for s in d.sections:
        title = next(iter(s.fields["title"].values())).casefold()
        if not any(k in title for k in keys):
            continue
        # From the section's first line on: a list's own heading ("… Material Issues") may be
        # read as a section of its own, so the window runs past the next heading.
        start = next((i for i, line in enumerate(d.text.lines) if index.at(line) == s.fields["id"]), None)
        if start is None:
            continue
        lines = d.text.lines[start: start + WINDOW]
        items = _numbered(lines)
        if items is None:
            by_pillar = topics_by_pillar(d, d.text.lines, start, start + WINDOW)
            items = [(label, pillar, None, line) for label, pillar, line in by_pillar] or None
            ordered = False   # a table's order by pillar is no position in a matrix
        else:
            ordered = True
        if items is None:
            labels = matrix_labels(d, d.text.lines, start, start + WINDOW)
            for order, (label, line) in enumerate(labels, start=1):
                d.flag("topic", line, f"material topic {order} {label!r} (a matrix label): the matrix shows its "
                       "pillar by colour only; add it with its pillar")
            if labels:
                return
            continue
        _write(d, s.fields["id"], lang, items, ordered)
        return


def _write(d: Draft, section: str, lang: str, items: list[tuple[str, str | None, str | None, Line]],
           ordered: bool) -> None:
    taken: set[str] = set()
    for order, (label, pillar, category, line) in enumerate(items, start=1):
        if pillar is None:
            d.flag("topic", line, f"material topic {order} {label!r}: no pillar printed"
                   + (f" (category {category!r})" if category else "") + "; add it with its pillar")
            continue
        fields = {"id": unique_id(slugify(label, f"topic-{order}"), taken), "label": {lang: label},
                  "pillar": pillar, "section": section}
        if ordered:
            fields["matrix_order"] = order
        if category:
            fields["note"] = f"category as printed: {category}"
        d.records.append(Drafted("topic", fields, line))
