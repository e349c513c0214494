"""Framework content indexes (HKEX ESG, GRI, SASB): each code the index lists, where it points to,
and its status where the index gives one. Codes are checked against the shared vocabulary
(graph/reference/frameworks/), so an entry is only drafted for a provision that exists."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..reference import Reference
from .model import Draft, Drafted, clean, has_cjk, words
from .sections import NUMBER, SectionIndex, ensure_section
from .text import Line

CODE_PATTERNS = {
    # A KPI (A1.1) or an aspect (A1, whose row is the aspect's general disclosure).
    "hkex-esg-code": re.compile(r"(?<![A-Za-z0-9.])([AB]\d{1,2}(?:\.\d{1,2})?)(?![A-Za-z0-9]|\.\d)"),
    # GRI disclosures 2-1 ... 419-1; a leading zero is a page range ("03-07"), not a code.
    "gri": re.compile(r"(?<![\d.\-/])([1-9]\d{0,2}-[1-9]\d?)(?![\d\-/%]|\.\d)"),
    # SASB metric codes: industry, topic number and metric (TC-SI-130a.1).
    "sasb": re.compile(r"(?<![A-Za-z0-9-])([A-Z]{2}-[A-Z]{2}-\d{3}[a-z]\.\d{1,2})(?![\d])"),
}
GAP = 25          # lines without a code that still belong to the same index
MIN_CODES = 6     # distinct codes that make a run of lines an index, not a mention


@dataclass
class _Hit:
    code: str
    line: Line
    start: int    # offset in the joined region text
    end: int


def _known(ref: Reference, scheme: str, code: str) -> str | None:
    """The vocabulary code a printed code stands for (an aspect is its general disclosure)."""
    if scheme == "hkex-esg-code" and "." not in code:
        code = f"{code}.GD"
    return code if (scheme, code) in ref.provisions else None


def _regions(lines: list[Line], scheme: str, ref: Reference) -> list[list[Line]]:
    """Runs of lines dense with the scheme's codes (a few lines after the last code belong to it)."""
    pattern = CODE_PATTERNS[scheme]
    groups: list[tuple[list[int], set[str]]] = []
    for i, line in enumerate(lines):
        found = {c for c in pattern.findall(line.text) if _known(ref, scheme, c)}
        if not found:
            continue
        if groups and i - groups[-1][0][-1] <= GAP:
            groups[-1][0].append(i)
            groups[-1][1].update(found)
        else:
            groups.append(([i], set(found)))
    return [lines[idx[0]: idx[-1] + 4] for idx, codes in groups if len(codes) >= MIN_CODES]


def index_lines(lines: list[Line], ref: Reference) -> frozenset[int]:
    """The numbers of the lines inside a framework index, from its first code on: their short
    title-case rows ("Aspect A1: Emissions") are index entries, not headings."""
    return frozenset(line.number for scheme in CODE_PATTERNS for region in _regions(lines, scheme, ref)
                     for line in region)


def _hits(region: list[Line], scheme: str, ref: Reference) -> tuple[str, list[_Hit]]:
    text, hits, offset = [], [], 0
    for line in region:
        for m in CODE_PATTERNS[scheme].finditer(line.text):
            if _known(ref, scheme, m.group(1)):
                hits.append(_Hit(m.group(1), line, offset + m.start(1), offset + m.end(1)))
        text.append(line.text)
        offset += len(line.text) + 1
    return "\n".join(text), hits


def _heading(lines: list[Line], first: Line, scheme: str) -> str:
    """The index's heading: the nearest line above its first code that names an index."""
    names = [w.casefold() for w in words()["index_headings"][scheme]]
    for line in reversed(lines[max(0, first.number - 12): first.number]):
        if len(line.text) < 80 and any(n in line.text.casefold() for n in names):
            return clean(line.text)
    return clean(first.text)[:80]


def _status(cell: str) -> tuple[str, bool]:
    """The status an index cell states, and whether it stated one (else: disclosed, assumed)."""
    low = cell.casefold()
    options = sorted(((w.casefold(), status) for status, ws in words()["index_status"].items() for w in ws),
                     key=lambda x: -len(x[0]))
    for word, status in options:
        if re.search(rf"(?<![a-z]){re.escape(word)}(?![a-z])", low):
            return status, True
    return "disclosed", False


def draft_indexes(d: Draft, ref: Reference, index: SectionIndex, lang: str) -> None:
    """Draft one disclosure record per code of every HKEX and GRI index found in the text."""
    declared = {s.fields["id"] for s in d.sections}
    for scheme in CODE_PATTERNS:
        seen: set[str] = set()
        for region in _regions(d.text.lines, scheme, ref):
            text, hits = _hits(region, scheme, ref)
            heading = _heading(d.text.lines, region[0], scheme)
            for n, hit in enumerate(hits):
                code = _known(ref, scheme, hit.code)
                cell = text[hit.end: hits[n + 1].start if n + 1 < len(hits) else len(text)]
                cell = clean(cell.replace("\n", " "))
                if code in seen:
                    d.flag("disclosure", hit.line, f"{scheme} {code} listed again in the index: kept the first")
                    continue
                seen.add(code)
                d.records.append(Drafted("disclosure", _entry(scheme, code, cell, declared, d, hit, index,
                                                               heading, lang), hit.line))


def _titled(cell: str, d: Draft) -> list[str]:
    """Declared sections whose title the location cell prints (in the order printed)."""
    norm = _norm(cell)
    found = []
    for s in d.sections:
        printed = next(iter(s.fields["title"].values()))
        title = _norm(printed)
        if len(title) < 4:
            continue
        if has_cjk(printed):
            if title in norm:
                found.append((norm.index(title), s.fields["id"]))
        elif m := re.search(rf"(?<!\w){re.escape(' '.join(printed.casefold().split()))}(?!\w)", cell.casefold()):
            found.append((m.start(), s.fields["id"]))
    return [sid for _, sid in sorted(found)]


def _norm(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def _entry(scheme: str, code: str, cell: str, declared: set[str], d: Draft, hit: _Hit,
           index: SectionIndex, heading: str, lang: str) -> dict:
    status, stated = _status(cell)
    fields: dict = {"scheme": scheme, "code": code, "status": status}
    if status in ("not-applicable", "omitted"):
        fields["explanation"] = {lang: cell or status}
    numbers = [t.strip(".,;，；、") for t in re.split(r"[\s\-－–]+", cell)]
    by_number = [t for t in numbers if "." in t and NUMBER.match(t) and t in declared]
    # Titles only when the cell prints no section number (a title word may be any other word).
    sections = list(dict.fromkeys(by_number or _titled(cell, d)))
    if sections:
        fields["sections"] = sections
    if cell:
        fields["location_as_written"] = cell[:300]
    fields["section"] = ensure_section(d, index, hit.line, heading, lang)
    if not stated:
        fields["note"] = "status not printed in the index: drafted as disclosed because the index lists it"
    return fields
