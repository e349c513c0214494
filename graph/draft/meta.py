"""Report metadata: language, title, organisation, reporting period, frameworks it names."""
from __future__ import annotations

import re
from collections import Counter

from .model import Draft, clean, words
from .sections import SectionIndex, front_section
from .text import Line

REPORT_WORDS = ("report", "報告", "报告")
LEGAL_EN = re.compile(r"\b((?:[A-Z][\w&.’'-]*,?\s+){1,6}(?:LIMITED|Limited|Ltd\.?|Inc\.|Corporation|PLC|plc|AG|S\.A\.))")
LEGAL_CJK = re.compile(r"([\u3400-\u9fff]{2,20}有限公司)")


def detect_language(d: Draft) -> str:
    """The BCP 47 tag of the text: zh-Hant or zh-Hans when most letters are Han, else en."""
    sample = "".join(line.text for line in d.text.lines[:4000])
    han = sum("\u3400" <= ch <= "\u9fff" for ch in sample)
    latin = sum(ch.isascii() and ch.isalpha() for ch in sample)
    if han < max(50, latin // 2):
        return "en"
    pairs = words()["hanzi_pairs"]
    trad = sum(sample.count(t) for t, _ in pairs)
    simp = sum(sample.count(s) for _, s in pairs)
    return "zh-Hant" if trad >= simp else "zh-Hans"


def draft_meta(d: Draft, index: SectionIndex, lang: str, org_id: str, year: int) -> None:
    """Fill ``d.report`` with what the opening pages say; flag what they do not."""
    opening = d.text.lines[: max(300, len(d.text.lines) // 5)]
    title_line = next((line for line in opening[:80] if 4 <= len(line.text.strip()) <= 120
                       and any(w in line.text.casefold() for w in REPORT_WORDS)), None)
    if title_line:
        d.report["title"] = {lang: clean(title_line.text)}
        d.report_line = title_line
    else:
        d.report["title"] = {lang: f"{org_id} {year}"}
        d.flag("report", None, "no title found in the opening lines: the title is the report id")
    d.report["organisation"] = _organisation(d, org_id, lang)
    d.report["period"] = _period(d, year)
    d.report["frameworks"] = _frameworks(d, opening, index, lang)


def _organisation(d: Draft, org_id: str, lang: str) -> dict:
    counts: Counter[str] = Counter()
    first: dict[str, Line] = {}
    for line in d.text.lines[: max(400, len(d.text.lines) // 3)]:
        text = line.text.replace(" ", "") if LEGAL_CJK.search(line.text.replace(" ", "")) else line.text
        for m in LEGAL_EN.findall(line.text) + LEGAL_CJK.findall(text):
            name = clean(m).strip(",")
            counts[name] += 1
            first.setdefault(name, line)
    org: dict = {"id": org_id, "review": "draft"}
    if counts:
        found, _ = counts.most_common(1)[0]
        name = _shortest_start(found, d)
        org["label"] = {lang: name}
        org["legal_name"] = {lang: name}
        d.flag("report", first[found], f"organisation label is the legal name printed most often ({name!r}): "
               "check it and add the short name the report uses")
    else:
        org["label"] = {lang: org_id}
        d.flag("report", None, "no legal name found: the organisation label is the id; write the name as printed")
    return org


def _shortest_start(name: str, d: Draft) -> str:
    """Where a Han legal name starts (Han text has no spaces before it): the longest ending of
    the match that the text prints at least twice, else the match as found."""
    if not LEGAL_CJK.fullmatch(name):
        return name
    text = "".join(line.text.replace(" ", "") for line in d.text.lines)
    for start in range(len(name) - 5):
        if text.count(name[start:]) >= 2:
            return name[start:]
    return name


_CJK_RANGE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*[至到\-－~]\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")


def _period(d: Draft, year: int) -> dict:
    months = "|".join(words()["months"])
    en_mdy = re.compile(rf"({months})\s+(\d{{1,2}}),?\s+(\d{{4}})\s+(?:to|-|–|until|through)\s+({months})\s+(\d{{1,2}}),?\s+(\d{{4}})", re.I)
    en_dmy = re.compile(rf"(\d{{1,2}})\s+({months}),?\s+(\d{{4}})\s+(?:to|-|–|until|through)\s+(\d{{1,2}})\s+({months}),?\s+(\d{{4}})", re.I)
    month_no = {m: i for i, m in enumerate(words()["months"], start=1)}
    for line in d.text.lines:
        text = line.text.replace(" ", "") if "年" in line.text else line.text
        if m := _CJK_RANGE.search(text):
            y1, m1, d1, y2, m2, d2 = (int(x) for x in m.groups())
        elif m := en_mdy.search(line.text):
            y1, m1, d1 = int(m.group(3)), month_no[m.group(1).lower()], int(m.group(2))
            y2, m2, d2 = int(m.group(6)), month_no[m.group(4).lower()], int(m.group(5))
        elif m := en_dmy.search(line.text):
            y1, m1, d1 = int(m.group(3)), month_no[m.group(2).lower()], int(m.group(1))
            y2, m2, d2 = int(m.group(6)), month_no[m.group(5).lower()], int(m.group(4))
        else:
            continue
        if y2 == year or y1 == year:
            return {"start": f"{y1:04d}-{m1:02d}-{d1:02d}", "end": f"{y2:04d}-{m2:02d}-{d2:02d}",
                    "note": f"as printed at line {line.number}"}
    d.flag("report", None, f"no reporting period printed as a date range: drafted as the calendar year {year}")
    return {"start": f"{year}-01-01", "end": f"{year}-12-31"}


def _frameworks(d: Draft, opening: list[Line], index: SectionIndex, lang: str) -> list[dict]:
    found = []
    for scheme, names in words()["frameworks"].items():
        for line in opening:
            hit = next((n for n in sorted(names, key=len, reverse=True) if n.casefold() in line.text.casefold()), None)
            if hit:
                start = line.text.casefold().index(hit.casefold())
                found.append({"scheme": scheme, "relation": "references",
                              "section": front_section(d, index, line, lang),
                              "label": {lang: line.text[start:start + len(hit)]},
                              "note": f"named at line {line.number}; relation drafted as references: "
                                      "write complies where the report says it follows it"})
                break
    return found
