"""`esgkg draft` as a library: what it reads from synthetic reports (tests/fixtures/draft/,
made by make_fixtures.py; no real report's text), what it leaves for a person, and that a
draft is a source folder the build maps, marks and validates."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from esgkg.graph.draft import DraftInputError, draft_report, make_draft
from esgkg.graph.draft.text import from_text, read_source
from esgkg.graph.reference import load_reference
from esgkg.graph.sources import load_report

FIXTURES = Path(__file__).parent / "fixtures" / "draft"


@pytest.fixture(scope="module")
def ref():
    return load_reference()


@pytest.fixture(scope="module")
def acme(ref):
    return make_draft(FIXTURES / "acme-2025.pdf", "acme-2025", ref)


@pytest.fixture(scope="module")
def shiyi(ref):
    return make_draft(FIXTURES / "shiyi-2025.pdf", "shiyi-2025", ref)


def _records(d, kind):
    return [r.fields for r in d.records if r.kind == kind]


def _values(d, label):
    metric = next(m for m in _records(d, "metric") if next(iter(m["label"].values())) == label)
    return metric, {o.fields["year"]: o.fields for o in d.observations if o.fields["metric"] == metric["id"]}


def test_pdf_rows_read_as_printed() -> None:
    text = read_source(FIXTURES / "acme-2025.pdf")
    lines = [line.text for line in text.lines]
    assert "Scope 1 GHG emissions tCO2e 1,234.5 1,100.0 998.2" in lines
    assert text.pages == 5 and text.lines[0].page == 1 and text.lines[-1].page == 5
    chinese = [line.text for line in read_source(FIXTURES / "shiyi-2025.pdf").lines]
    assert "公司遵守《中華人民共和國環境保護法》，並制定《反舞弊管理辦法》。" in chinese


def test_sections_come_from_the_contents_with_their_parents(acme) -> None:
    sections = {s.fields["id"]: s.fields for s in acme.sections}
    assert list(sections)[:8] == ["1", "1.1", "2", "2.1", "2.2", "3", "3.1", "3.2"]
    assert sections["2.2"] == {"id": "2.2", "title": {"en": "Environmental Performance"}, "parent": "2"}
    lines = [s.line.number for s in acme.sections[:8]]
    assert lines == sorted(set(lines)), "each entry of a one-per-row contents is located on its own row"


def test_metadata_as_printed(acme, shiyi) -> None:
    assert acme.report["language"] == "en" and shiyi.report["language"] == "zh-Hant"
    assert acme.report["title"] == {"en": "Environmental, Social and Governance Report 2025"}
    assert acme.report["period"]["start"] == "2025-01-01" and acme.report["period"]["end"] == "2025-12-31"
    assert shiyi.report["period"]["end"] == "2025-12-31"
    assert {f["scheme"] for f in acme.report["frameworks"]} >= {"hkex-esg-code", "gri"}
    assert acme.report["organisation"]["label"] == {"en": "Acme Widgets Limited"}
    assert shiyi.report["organisation"]["label"] == {"zh": "示例環保科技有限公司"}


def test_index_entries_link_to_the_vocabulary_with_status(acme, shiyi) -> None:
    hkex = {r["code"]: r for r in _records(acme, "disclosure") if r["scheme"] == "hkex-esg-code"}
    assert set(hkex) == {"A1.GD", "A1.1", "A1.2", "A1.3", "A1.4", "A2.GD", "A2.1", "A2.2", "A2.5"}
    assert hkex["A1.1"]["sections"] == ["2.2"] and hkex["A1.1"]["status"] == "disclosed"
    assert hkex["A2.5"]["status"] == "not-applicable" and "packaged goods" in hkex["A2.5"]["explanation"]["en"]
    gri = {r["code"] for r in _records(acme, "disclosure") if r["scheme"] == "gri"}
    assert gri == {"2-1", "2-2", "2-3", "303-5", "305-1", "306-3"}
    zh = {r["code"]: r for r in _records(shiyi, "disclosure")}
    assert zh["A1.1"]["status"] == "not-applicable" and zh["A1.2"]["status"] == "disclosed"
    assert "note" not in zh["A1.2"], "a status the index prints is not marked as assumed"


def test_kpi_values_exactly_as_printed_in_their_year_columns(acme, shiyi) -> None:
    metric, by_year = _values(acme, "Scope 1 GHG emissions")
    assert metric["unit"] == "tCO2e"
    # The table prints 2025 2024 2023: each value goes to the year above it.
    assert {y: o["value"] for y, o in by_year.items()} == {"2025": "1234.5", "2024": "1100.0", "2023": "998.2"}
    assert by_year["2025"]["as_written"] == "1,234.5"
    water, by_year = _values(acme, "Water consumption")
    assert water["unit"] == "10,000 m3" and by_year["2023"]["value"] == "14.0", "no arithmetic on a multiplier unit"
    waste, by_year = _values(acme, "Hazardous waste")
    assert set(by_year) == {"2025", "2023"}, "a '/' cell is not reported: no value"
    assert "footnote 1" in waste["footnotes"][0]["en"]
    people, by_year = _values(shiyi, "員工總人數")
    assert people["unit"] == "人" and by_year["2023"]["value"] == "2832"
    hours, by_year = _values(shiyi, "培訓時數")
    assert set(by_year) == {"2024", "2025"} and "footnote 1" in hours["footnotes"][0]["zh"]


def test_rows_not_read_with_confidence_are_left_out_and_listed(acme) -> None:
    labels = {next(iter(m["label"].values())) for m in _records(acme, "metric")}
    assert "Packaging material" not in labels, "two cells under three years: which years is a guess"
    assert "Trees planted" not in labels, "a unit the unit table does not know"
    listed = " ".join(a.what for a in acme.attention if a.kind == "observation")
    assert "Packaging material t 1.2 1.3" in listed and "Trees planted saplings" in listed


def test_multi_line_row_and_unusual_year_order_in_a_text(ref, tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_text("Indicator Unit 2021 2019 2020\nEnergy use\nElectricity bought from the grid by all\n"
                    "sites 100 million kWh 3.5 3.3 3.4\n", encoding="utf-8")
    d = make_draft(path, "synthetic-2021", ref)
    metric, by_year = _values(d, "Electricity bought from the grid by all sites")
    assert metric["unit"] == "100 million kWh" and metric["group"] == {"en": "Energy use"}
    assert {y: o["value"] for y, o in by_year.items()} == {"2021": "3.5", "2019": "3.3", "2020": "3.4"}
    assert all(o.line.number == 4 for o in d.observations)


def test_named_documents(acme, shiyi) -> None:
    docs = {next(iter(r["label"].values())): r["kind"] for r in _records(acme, "document")}
    assert docs["Environmental Protection Law of the People's Republic of China"] == "law"
    assert docs["Supplier Code of Conduct Policy"] == "internal-policy"
    assert docs["ISO 14001:2015"] == "standard"
    zh = {r["label"]["zh"]: r["kind"] for r in _records(shiyi, "document")}
    assert zh["中華人民共和國環境保護法"] == "law" and zh["反舞弊管理辦法"] == "internal-policy"


def test_every_record_says_draft_and_where(ref, tmp_path: Path) -> None:
    draft_report(FIXTURES / "acme-2025.pdf", "acme-2025", tmp_path, ref=ref)
    src = load_report(tmp_path / "acme-2025", ref)
    text = (tmp_path / "acme-2025" / "source" / "text.txt").read_text(encoding="utf-8").split("\n")
    for kind in ("disclosure", "metric", "document"):
        for rec in src.records(kind):
            assert rec["review"] == "draft" and rec["source_location"]["page"] >= 1
            line = text[rec["source_location"]["line"] - 1].replace("\f", "")
            # An aspect's general disclosure (A1.GD) is read where the aspect (A1) is printed.
            word = str(rec.get("code") or next(iter(rec["label"].values()))).removesuffix(".GD").split()[0]
            assert word in line, (kind, rec, line)
    assert src.observations and all(o["review"] == "draft" and o["line"] for o in src.observations)
    assert src.report["review"] == "draft"
    assert "Trees planted" in (tmp_path / "acme-2025" / "needs-review.md").read_text(encoding="utf-8")


def test_text_pages_follow_form_feeds() -> None:
    text = from_text("a\nb\n\fc\nd\n")
    assert [(line.number, line.page) for line in text.lines] == [(1, 1), (2, 1), (3, 2), (4, 2)]
    assert from_text("a\nb\n").pages is None


@pytest.mark.parametrize("name, says", [
    ("encrypted.pdf", "encrypted"), ("image-only.pdf", "no text layer"),
    ("truncated.pdf", "truncated"), ("not-a-pdf.pdf", "not a PDF")])
def test_bad_input_is_a_clear_error_and_writes_nothing(ref, tmp_path: Path, name: str, says: str) -> None:
    with pytest.raises(DraftInputError) as err:
        draft_report(FIXTURES / name, "acme-2025", tmp_path / "out", ref=ref)
    assert says in str(err.value) and name in str(err.value)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_an_existing_folder_is_not_overwritten(ref, tmp_path: Path) -> None:
    (tmp_path / "acme-2025").mkdir()
    (tmp_path / "acme-2025" / "report.yaml").write_text("curated: true\n", encoding="utf-8")
    with pytest.raises(Exception, match="already exists"):
        draft_report(FIXTURES / "acme-2025.pdf", "acme-2025", tmp_path, ref=ref)
    assert (tmp_path / "acme-2025" / "report.yaml").read_text(encoding="utf-8") == "curated: true\n"
    assert [p.name for p in tmp_path.iterdir()] == ["acme-2025"], "no staging folder left behind"


def test_reviewed_records_keep_their_location(ref, tmp_path: Path) -> None:
    draft_report(FIXTURES / "acme-2025.pdf", "acme-2025", tmp_path, ref=ref)
    policies = tmp_path / "acme-2025" / "policies.yaml"
    data = yaml.safe_load(policies.read_text(encoding="utf-8"))
    data["documents"][0]["review"] = "accepted"
    del data["documents"][0]["source_location"]
    policies.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(Exception, match="without source_location"):
        load_report(tmp_path / "acme-2025", ref)


def test_unnumbered_sections_from_the_layout(ref, tmp_path: Path) -> None:
    """A report without contents or numbered headings: its heading lines (short, title case,
    above body text) become the sections; a sentence or a running title repeated on every
    page does not."""
    body = "We describe here how the company works with the people it serves every single day."
    pages = []
    for title in ("Our Approach to Climate", "Caring for Our People", "Governance and Ethics",
                  "Community Investment", "Responsible Supply Chain"):
        pages.append(f"Example Sustainability Report\n{title}\n{body}\n"
                     f"This short sentence is not a heading.\n{body}")
    path = tmp_path / "report.txt"
    path.write_text("\n\f".join(pages) + "\n", encoding="utf-8")
    d = make_draft(path, "synthetic-2021", ref)
    # The line above the first heading is the front matter (titled by the cover line).
    titles = [s.fields["title"]["en"] for s in d.sections if s.fields["id"] != "front-matter"]
    assert titles == ["Our Approach to Climate", "Caring for Our People", "Governance and Ethics",
                      "Community Investment", "Responsible Supply Chain"]
    assert d.report["_sections_from"] == "layout"


def test_chapter_names_of_a_navigation_bar(ref, tmp_path: Path) -> None:
    bar = "關於本報告 環境 社會 管治 附錄"
    pages = [f"{bar}\n1.{n} 第{n}節標題\n正文內容。" for n in range(1, 7)]
    path = tmp_path / "report.txt"
    path.write_text("\n\f".join(pages) + "\n", encoding="utf-8")
    d = make_draft(path, "synthetic-2021", ref)
    titles = [next(iter(s.fields["title"].values())) for s in d.sections]
    assert titles[:5] == bar.split() and len(titles) == 11


def test_material_topics_from_a_numbered_list(ref, tmp_path: Path) -> None:
    """A materiality section's numbered list (name, then the printed category): topics in the
    printed order, the pillar where the category names one; a category that names no pillar is
    left out and listed, not guessed."""
    body = "We describe here how the company works with the people it serves every single day."
    text = "\n".join([
        "Caring for Our People", body, body,
        "Materiality Assessment", body,
        "Rank Issue Category",
        "High 1 Water stewardship Environmental 2 Staff wellbeing Social 3 Board oversight Governance",
        "Medium 4 Product pricing Economic 5 Waste reduction Environmental",
        "Low 6 Local hiring Social",
        "Community Investment", body, body])
    path = tmp_path / "report.txt"
    path.write_text(text + "\n", encoding="utf-8")
    d = make_draft(path, "synthetic-2021", ref)
    topics = _records(d, "topic")
    assert [(t["label"]["en"], t["pillar"], t["matrix_order"]) for t in topics] == [
        ("Water stewardship", "E", 1), ("Staff wellbeing", "S", 2), ("Board oversight", "G", 3),
        ("Waste reduction", "E", 5), ("Local hiring", "S", 6)]
    assert {t["section"] for t in topics} == {"materiality-assessment"}
    assert any(a.kind == "topic" and "Product pricing" in a.what for a in d.attention)
    # Each topic says where it was read.
    assert all(r.line.number in (7, 8, 9) for r in d.records if r.kind == "topic")
