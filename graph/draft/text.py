"""A report's text, line by line, each line with the page it is printed on.

PDF text comes from pypdfium2 (PDFium, no model download; docs/decisions.md §20). PDFium
returns a page's text in content-stream order, which flattens a table into one column after
another; the characters are therefore regrouped into printed rows by their position, so that
a KPI row reads "label unit 2019 2020 2021" as it does on the page.
"""
from __future__ import annotations

import ctypes
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import EsgkgError


BOLD_WEIGHT = 600   # PDF font weights: 400 regular, 700 bold
BOLD_NAMES = ("bold", "black", "heavy", "semibold", "demi")


class DraftInputError(EsgkgError):
    """The input cannot be drafted (not a PDF, encrypted, image-only, truncated, not text)."""


@dataclass(frozen=True)
class Line:
    """One line of the source text: its 1-based number in the draft's text file and its page."""

    number: int
    page: int | None
    text: str
    size: float | None = None   # the font size most of the row is printed in (PDF only)
    bold: bool | None = None    # most of the row is printed in a bold weight (PDF only)


@dataclass(frozen=True)
class Bookmark:
    """One entry of a PDF's outline (its bookmarks): nesting level (0 = top), title, page."""

    level: int
    title: str
    page: int | None


@dataclass
class SourceText:
    """The whole text of a report, as the draft's ``source/text.txt`` keeps it."""

    lines: list[Line]
    format: str           # "pdf" or "text"
    pages: int | None     # page count when the source has pages
    outline: list[Bookmark] = field(default_factory=list)   # a PDF's bookmarks, in order

    def dump(self) -> str:
        """The text file the line numbers refer to (form feed before each new page)."""
        out: list[str] = []
        last_page = None
        for line in self.lines:
            prefix = "\f" if last_page is not None and line.page != last_page else ""
            out.append(prefix + line.text)
            last_page = line.page
        return "\n".join(out) + "\n"


def from_text(text: str) -> SourceText:
    """Lines of a plain text; a form feed starts a new page (no form feed: no pages)."""
    paged = "\f" in text
    page = 1 if paged else None
    lines = []
    # Not splitlines(): it splits at a form feed too, and the page break would be lost.
    rows = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if rows and rows[-1] == "":
        rows.pop()
    for number, raw in enumerate(rows, start=1):
        if paged and "\f" in raw:
            page = (page or 1) + raw.count("\f")
            raw = raw.replace("\f", "")
        lines.append(Line(number, page, raw.rstrip()))
    return SourceText(lines, "text", page if paged else None)


def read_source(path: Path) -> SourceText:
    """The text of a report file: a PDF by its content, anything else as UTF-8 text."""
    try:
        head = path.read_bytes()[:1024]
    except OSError as exc:
        raise DraftInputError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    if b"%PDF-" in head:
        return _from_pdf(path)
    if path.suffix.lower() == ".pdf":
        raise DraftInputError(f"{path}: not a PDF (no %PDF- header); give a PDF or a UTF-8 text file")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DraftInputError(f"{path}: neither a PDF nor UTF-8 text (byte {exc.start} is not UTF-8)") from exc
    if not text.strip():
        raise DraftInputError(f"{path}: the text file is empty")
    return from_text(text)


def _from_pdf(path: Path) -> SourceText:
    import pypdfium2 as pdfium  # imported here: only PDF input needs it

    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        reason = str(exc).lower()
        if "password" in reason:
            raise DraftInputError(f"{path}: the PDF is encrypted (password required); "
                                  "give a decrypted copy") from exc
        raise DraftInputError(f"{path}: not a readable PDF ({exc}); the file may be truncated or damaged") from exc
    try:
        lines: list[Line] = []
        number = 0
        for index in range(len(document)):
            page = document[index]
            try:
                rows = page_rows(page)
            finally:
                page.close()
            for row, size, bold in rows:
                number += 1
                lines.append(Line(number, index + 1, row, size, bold))
        pages = len(document)
        outline = _outline(document)
    finally:
        document.close()
    if not any(line.text.strip() for line in lines):
        raise DraftInputError(f"{path}: the PDF has no text layer ({pages} page(s) of images?); "
                              "run OCR first and give the text file")
    return SourceText(lines, "pdf", pages, outline)


def _outline(document) -> list[Bookmark]:
    """The PDF's bookmarks with the page each points to (1-based; None when it points nowhere)."""
    out = []
    for mark in document.get_toc():
        dest = mark.get_dest()
        index = dest.get_index() if dest is not None else None
        title = " ".join(mark.get_title().split())
        if title:
            out.append(Bookmark(mark.level, title, index + 1 if index is not None and index >= 0 else None))
    return out


def page_rows(page) -> list[tuple[str, float | None, bool]]:
    """The printed rows of one PDF page, top to bottom, each read left to right, with the size
    most of its characters are printed in (the height of their loose boxes: the font's ascent
    to descent at its size on the page; PDFium's own font size ignores the text matrix, which
    many PDFs scale text by) and whether most are bold (font weight 600 or more)."""
    import pypdfium2.raw as pdfium_c

    textpage = page.get_textpage()
    try:
        chars = []
        for i in range(textpage.count_chars()):
            ch = textpage.get_text_range(i, 1)
            if not ch or ch in "\r\n\ufffe":
                continue
            left, bottom, right, top = textpage.get_charbox(i, loose=True)
            bold = _bold(pdfium_c, textpage, i)
            chars.append((left, bottom, right, top, ch, round(top - bottom, 1), bold))
    finally:
        textpage.close()
    return _group_rows(chars)


def _bold(pdfium_c, textpage, index: int) -> bool:
    """Whether a character is bold: its font weight, else (the standard fonts have none) its
    font's name (Helvetica-Bold, …-Semibold), as PDF fonts are named."""
    weight = pdfium_c.FPDFText_GetFontWeight(textpage.raw, index)
    if weight > 0:
        return weight >= BOLD_WEIGHT
    name = ctypes.create_string_buffer(128)
    pdfium_c.FPDFText_GetFontInfo(textpage.raw, index, name, len(name), None)
    return any(w in name.value.decode("latin-1").casefold() for w in BOLD_NAMES)


def _group_rows(chars: list[tuple]) -> list[tuple[str, float | None, bool]]:
    """Characters to rows: a character joins the row whose vertical band it overlaps most."""
    rows: list[list] = []  # [centre, height, [chars]]
    for c in sorted(chars, key=lambda c: -(c[1] + c[3]) / 2):
        centre, height = (c[1] + c[3]) / 2, max(c[3] - c[1], 1.0)
        if rows and abs(rows[-1][0] - centre) <= 0.45 * max(height, rows[-1][1]):
            rows[-1][2].append(c)
        else:
            rows.append([centre, height, [c]])
    out = []
    for _, _, row in rows:
        if text := _row_text(row):
            printed = [c for c in row if not c[4].isspace()]
            sizes = Counter(c[5] for c in printed if c[5] > 0)
            bold = sum(c[6] for c in printed) * 2 > len(printed)
            out.append((text, sizes.most_common(1)[0][0] if sizes else None, bold))
    return out


def _row_text(row: list) -> str:
    """A row's characters left to right, a space where the gap is wider than a narrow space."""
    out: list[str] = []
    last_right = None
    for left, bottom, right, top, ch, *_ in sorted(row, key=lambda c: c[0]):
        if ch == " ":
            if out and out[-1] != " ":
                out.append(" ")
            last_right = right
            continue
        gap_limit = 0.25 * max(top - bottom, 1.0)
        if last_right is not None and left - last_right > gap_limit and out and out[-1] != " ":
            out.append(" ")
        out.append(ch)
        last_right = right
    return "".join(out).strip()
