"""Sections of a report that numbers nothing: a PDF's outline, its print (size, weight), and
what a text without either keeps out of its headings. Synthetic fixtures only
(tests/fixtures/draft/make_fixtures.py, and texts written here)."""
from __future__ import annotations

from pathlib import Path

import pytest

from esgkg.graph.draft import make_draft
from esgkg.graph.draft.text import read_source
from esgkg.graph.reference import load_reference

FIXTURES = Path(__file__).parent / "fixtures" / "draft"
BODY = "We describe here how the company works with the people it serves every single day."


@pytest.fixture(scope="module")
def ref():
    return load_reference()


def _sections(d) -> list[tuple[str, str | None, int]]:
    return [(next(iter(s.fields["title"].values())), s.fields.get("parent"), s.line.number) for s in d.sections]


def test_pdf_rows_keep_their_print_size_and_weight() -> None:
    lines = read_source(FIXTURES / "layout-2025.pdf").lines
    first, body, bold = lines[0], lines[1], next(x for x in lines if x.text == "Energy and Fuel")
    assert first.text == "Our Approach to Climate" and first.bold and first.size > 1.2 * body.size
    assert not body.bold and bold.bold and bold.size >= body.size


def test_sections_from_the_pdf_outline_nested_by_level(ref) -> None:
    d = make_draft(FIXTURES / "outline-2025.pdf", "synthetic-2025", ref)
    assert d.report["_sections_from"] == "outline"
    parents = {next(iter(s.fields["title"].values())): s.fields for s in d.sections}
    assert _sections(d) == [("About this Report", None, 1), ("Environment", None, 4),
                            ("Emissions", "environment", 7), ("Water", "environment", 10)]
    assert parents["Water"]["id"] == "water"


def test_headings_by_print_size_and_weight(ref) -> None:
    """Larger than the body, or bold at its size; a heading wrapped over two rows is one; a
    title-case caption printed like the body is no heading."""
    d = make_draft(FIXTURES / "layout-2025.pdf", "synthetic-2025", ref)
    assert d.report["_sections_from"] == "print size"
    assert [t for t, _, _ in _sections(d)] == ["Our Approach to Climate", "Energy and Fuel",
                                               "Caring for Our People", "Health and Safety at Every Site"]


def test_text_headings_leave_out_codes_wrapped_lines_sentences_and_link_lists(ref, tmp_path: Path) -> None:
    titles = ["Climate Action", "Caring for People", "Good Governance"]
    lines = []
    for t in titles:
        lines += [t, BODY, BODY]
    lines += ["Aspect A1: Emissions", BODY, "Protection (Level 3)", BODY, "Indicator Unit 2020 Data 2021 Data", BODY,
              "Data Privacy and", BODY, "In March 2021", BODY,
              "Climate Action Caring for People Good Governance", BODY]
    path = tmp_path / "report.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    d = make_draft(path, "synthetic-2021", ref)
    assert d.report["_sections_from"] == "layout"
    assert [t for t, _, _ in _sections(d)] == titles
