"""Which PDF text library `esgkg draft` uses: pypdfium2, pypdf and pdfplumber side by side
(docs/decisions.md §20).

For each library: seconds to extract the real Netflix PDF of the corpus, how closely its words
follow the third party's text of the same PDF (difflib ratio on the word sequence), how many
KPI table rows come out as one line each (a row of the synthetic fixture table, or the corpus
PDF's GHG table rows, found as a line), and whether the synthetic Traditional Chinese fixture's
lines come out character for character.

    pip install pdfplumber pypdf && python bench/pdf_text.py
"""
from __future__ import annotations

import difflib
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from esgkg.graph.draft.text import read_source  # noqa: E402

CORPUS = Path("/work/shared/corpus")
FIXTURES = ROOT / "tests/fixtures/draft"
# Rows as printed on the page (one line each in a reader that keeps rows).
NETFLIX_ROWS = ["SCOPE 1 51,487 30,883 62,815", "TOTAL 1,244,711 1,051,564 1,529,312"]
ACME_ROWS = ["Scope 1 GHG emissions tCO2e 1,234.5 1,100.0 998.2", "Water consumption 10,000 m3 12.5 13.1 14.0"]
ZH_LINES = ["員工總人數 人 2,832 2,440 1,937", "公司遵守《中華人民共和國環境保護法》，並制定《反舞弊管理辦法》。",
            "層面A1：排放物"]


def pdfium_plain(path: Path) -> str:
    import pypdfium2 as pdfium
    doc = pdfium.PdfDocument(str(path))
    out = []
    for page in doc:
        tp = page.get_textpage()
        out.append(tp.get_text_range())
        tp.close()
        page.close()
    doc.close()
    return "\n".join(out)


def pdfium_rows(path: Path) -> str:
    return read_source(path).dump()


def pypdf_text(path: Path) -> str:
    import pypdf
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(str(path)).pages)


def plumber_text(path: Path) -> str:
    import pdfplumber
    with pdfplumber.open(str(path)) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


READERS = {"pypdfium2 (text order)": pdfium_plain, "pypdfium2 + rows (esgkg)": pdfium_rows,
           "pypdf": pypdf_text, "pdfplumber": plumber_text}


def lines_found(text: str, wanted: list[str]) -> int:
    have = {" ".join(line.split()) for line in text.splitlines()}
    return sum(w in have for w in wanted)


def main() -> None:
    pdf, reference = CORPUS / "netflix-2021-sasb.pdf", CORPUS / "netflix-2021-sasb.txt"
    ref_words = reference.read_text(encoding="utf-8").split() if reference.exists() else []
    print("| reader | seconds (42 pages) | words like the third party's | table rows as lines | Chinese lines exact |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, reader in READERS.items():
        try:
            started = time.perf_counter()
            text = reader(pdf) if pdf.exists() else ""
            seconds = time.perf_counter() - started
        except ImportError as exc:
            print(f"| {name} | not installed ({exc.name}) | | | |")
            continue
        ratio = difflib.SequenceMatcher(None, ref_words, text.split(), autojunk=False).ratio() if ref_words else None
        rows = lines_found(text, NETFLIX_ROWS) + lines_found(reader(FIXTURES / "acme-2025.pdf"), ACME_ROWS)
        zh = lines_found(reader(FIXTURES / "shiyi-2025.pdf"), ZH_LINES)
        ratio_text = f"{ratio:.3f}" if ratio is not None else "–"
        print(f"| {name} | {seconds:.2f} | {ratio_text} | {rows}/{len(NETFLIX_ROWS) + len(ACME_ROWS)} "
              f"| {zh}/{len(ZH_LINES)} |")


if __name__ == "__main__":
    main()
