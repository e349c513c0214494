"""Named documents: titles in 《》 or in quotes that end with a document word, Title Case names
in running text that end with one ("the Environmental Protection Law of ..."), and standard
numbers (ISO 14001:2015). The kind is read from the document word; without one it is a guess
that the record's note says."""
from __future__ import annotations

import re

from .model import Draft, Drafted, has_cjk, slugify, unique_id, words
from .sections import SectionIndex, front_section
from .text import Line

BRACKETED = re.compile(r"《([^《》\n]{2,80})》")
QUOTED = re.compile(r"[“\"]([^”\"\n]{4,120})[”\"]")
STANDARD = re.compile(r"\b((?:ISO(?:/IEC)?|OHSAS|IEC)\s?\d{4,5}(?:[-:]\d{1,4})*|SA\s?8000(?::\d{4})?)")
CONNECTORS = {"of", "and", "on", "for", "the", "in", "to", "&", "of the"}
LEADING = {"the", "a", "an", *words()["sentence_starts"]}
TITLE_WORD = re.compile(r"^(?:[A-Z][\w’'\-]*|\d{4}|\(\w+\))$")


def _nouns() -> list[tuple[str, str]]:
    return sorted(((w, kind) for kind, ws in words()["document_nouns"].items() for w in ws), key=lambda x: -len(x[0]))


def _kind(title: str) -> tuple[str, bool]:
    """The kind a document's last word says, and whether it said one."""
    end = re.sub(r"[\s)）(（\d:：-]+$", "", title)  # an edition or year after the name
    for noun, kind in _nouns():
        if end.endswith(noun) or re.search(rf"\b{re.escape(noun)}\b(?: of the .*)?$", end):
            return kind, True
    return "internal-policy", False


def _names_in_prose(text: str) -> list[str]:
    """Title Case runs ending with a document word, with an ``of the ...`` tail."""
    nouns = {n for n, _ in _nouns() if n.isascii()}
    tokens = text.replace(",", " , ").split()
    found = []
    for i, tok in enumerate(tokens):
        if tok.rstrip(".;:") not in nouns:
            continue
        j = i
        while j > 0 and (TITLE_WORD.match(tokens[j - 1]) or tokens[j - 1] in CONNECTORS):
            if tokens[j - 1].rstrip(".;:") in nouns and tokens[j] in CONNECTORS:
                break   # another name ends there ("… System and the Water Law"): two names
            j -= 1
        # Not part of the name: connectors, an article, and the words that open a sentence
        # ("According to the Management Standard …").
        while j < i and (tokens[j] in CONNECTORS or tokens[j].casefold() in LEADING):
            j += 1
        k = i + 1
        if k + 1 < len(tokens) and tokens[k] == "of" and not tok.endswith((".", ";", ":")):
            k += 1
            while k < len(tokens) and (TITLE_WORD.match(tokens[k].rstrip(".;:")) or tokens[k] in CONNECTORS):
                k += 1
                if tokens[k - 1].endswith((".", ";", ":")):
                    break   # the sentence ends with the name ("… of China. For …")
            while tokens[k - 1] in CONNECTORS:
                k -= 1
        span = [t.rstrip(".;:") if n == k - 1 else t for n, t in enumerate(tokens[j:k], start=j)]
        if sum(bool(TITLE_WORD.match(t)) for t in span) >= 3 and span[0] != "The" or len(span) >= 4:
            found.append(" ".join(span).strip())
    return found


def draft_documents(d: Draft, index: SectionIndex, lang: str) -> None:
    """One document record per distinct name, at the line where it is first named."""
    seen: set[str] = set()
    taken: set[str] = set()
    for line in d.text.lines:
        names = [(m, "bracketed") for m in BRACKETED.findall(line.text)]
        names += [(m, "quoted") for m in QUOTED.findall(line.text) if _kind(m)[1]]
        names += [(m, "standard") for m in STANDARD.findall(line.text)]
        if not any("\u3400" <= ch <= "\u9fff" for ch in line.text):
            names += [(m, "prose") for m in _names_in_prose(line.text)]
        for name, how in names:
            name = " ".join(name.split())
            if name.casefold() in seen:
                continue
            seen.add(name.casefold())
            _add(d, index, lang, line, name, how, taken)
    _drop_parts(d)


def _piece_of(own: str, other: str) -> bool:
    """``own`` is inside ``other`` and not one of two names ``other`` joins ("A and B")."""
    at = other.find(own)
    if at < 0:
        return False
    before, after = other[:at + 1], other[at + len(own) - 1:]
    return not (re.search(r" (?:and|or)(?: the)? $", before) or re.match(r" (?:and|or) ", after))


def _drop_parts(d: Draft) -> None:
    """Leave out a name that is part of a longer drafted name ("Law of the People's Republic"
    of "Labor Law of the People's Republic of China"): a piece of it, cut by a line end or a
    quote, or the same document named shorter."""
    labels = [" " + " ".join(re.findall(r"\w+", next(iter(r.fields["label"].values())).casefold())) + " "
              for r in d.records if r.kind == "document"]
    keep, n = [], 0
    for r in d.records:
        if r.kind == "document":
            own = labels[n]
            n += 1
            # 《》 titles are whole as printed; only names read from prose are cut by the reading.
            if not has_cjk(own) and any(own != other and _piece_of(own, other) for other in labels):
                continue
        keep.append(r)
    d.records[:] = keep


def _add(d: Draft, index: SectionIndex, lang: str, line: Line, name: str, how: str, taken: set[str]) -> None:
    kind, said = ("standard", True) if how == "standard" else _kind(name)
    fields: dict = {"id": unique_id(slugify(name, f"document-{line.number}"), taken), "kind": kind,
                    "label": {lang: name}, "section": front_section(d, index, line, lang)}
    if not said:
        fields["note"] = "kind not printed in the name: drafted as internal-policy"
    d.records.append(Drafted("document", fields, line))
