"""`esgkg draft` on stakeholder tables and the other shapes of material topics, from small
synthetic texts made here (no real report's words): what is read, in which record, and what is
left out and listed."""
from __future__ import annotations

from pathlib import Path

import pytest

from esgkg.graph.draft import draft_report, make_draft
from esgkg.graph.draft.stakeholders import header_columns, is_group_name
from esgkg.graph.reference import load_reference
from esgkg.graph.sources import load_report

BODY = "We describe here how the company works with the people it serves every single day."


@pytest.fixture(scope="module")
def ref():
    return load_reference()


def _draft(ref, tmp_path: Path, lines: list[str]):
    path = tmp_path / "report.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return make_draft(path, "synthetic-2021", ref), path


def _records(d, kind):
    return [r for r in d.records if r.kind == kind]


def test_header_row_gives_the_column_order() -> None:
    assert header_columns("Stakeholders Means of communication Expectations and demands.") == ("channels", "concerns")
    assert header_columns("持份者 關注議題 溝通渠道") == ("concerns", "channels")
    assert header_columns("Stakeholders and their expectations are important to us") is None  # no channels column
    assert header_columns("Our Approach to Stakeholders") is None


def test_group_names_join_only_group_words() -> None:
    assert is_group_name("Shareholders and investors") and is_group_name("Partners/NGOs")
    assert is_group_name("政府與監管機構")
    assert not is_group_name("General meetings of shareholders")
    assert not is_group_name("Empowering suppliers")


def test_a_marked_channels_column_splits_rows_groups_concerns_and_channels(ref, tmp_path: Path) -> None:
    """Cells one per line, the channels marked with a bullet: each row is its group, its
    concerns (unmarked) and its channels (marked), in the header's column order."""
    d, _ = _draft(ref, tmp_path, [
        "Working with Others", BODY,
        "Stakeholder Concerns Channels",
        "Local residents", "Clean air", "Quiet nights", "• Open days", "• Town hall meetings",
        "Lenders", "Steady cash flow", "• Quarterly calls",
        "Clean air", "• Site visits",   # a group's name is its row's first cell, whatever it says
        BODY])
    groups = _records(d, "stakeholder")
    assert [g.fields["label"]["en"] for g in groups] == ["Local residents", "Lenders", "Clean air"]
    concerns = {c.fields["id"]: c.fields["label"]["en"] for c in _records(d, "concern")}
    first = groups[0].fields
    assert [concerns[c] for c in first["concerns"]] == ["Clean air", "Quiet nights"]
    assert [c["label"]["en"] for c in first["channels"]] == ["Open days", "Town hall meetings"]
    assert groups[2].fields["concerns"] == [] and groups[0].line.number == 4
    assert all(g.fields["section"] == groups[0].fields["section"] for g in groups)


def test_unmarked_cells_split_by_group_names_and_the_rest_listed(ref, tmp_path: Path) -> None:
    """No mark: a cell that only joins group names starts a row; the channels and concerns
    between two groups are not told apart, so they are listed, not written."""
    d, _ = _draft(ref, tmp_path, [
        "Working with Others", BODY,
        "Stakeholders Communication channels Expectations",
        "Customers and consumers", "Service desk", "Fair prices",
        "Employees", "Staff forum", "Safe workplaces",
        BODY])
    groups = [g.fields for g in _records(d, "stakeholder")]
    assert [(g["label"]["en"], g["concerns"], g["channels"]) for g in groups] == [
        ("Customers and consumers", [], []), ("Employees", [], [])]
    listed = [a.what for a in d.attention if a.kind == "stakeholder"]
    assert any("'Customers and consumers'" in w and "Service desk; Fair prices" in w for w in listed)


def test_rows_glued_into_one_line_are_left_out_and_listed(ref, tmp_path: Path) -> None:
    d, _ = _draft(ref, tmp_path, [
        "Working with Others", BODY,
        "Stakeholders Communication Channels Expectations and Concerns.",
        "Local Residents Open Days Town Hall Meetings Clean air and quiet nights for all of the neighbours",
        BODY])
    assert not _records(d, "stakeholder")
    assert any(a.kind == "stakeholder" and a.line.number == 4 and "one line" in a.what for a in d.attention)


def test_drafted_stakeholders_load_as_a_source_folder(ref, tmp_path: Path) -> None:
    """The written stakeholders.yaml holds both lists, every record draft with its line, and the
    folder passes the source-format check with labels in the report's language only."""
    path = tmp_path / "report.txt"
    path.write_text("\n".join(["Working with Others", BODY, "Stakeholder Concerns Channels",
                               "Lenders", "Steady cash flow", "• Quarterly calls",
                               "Employees", "Fair pay", "• Staff forum", BODY]) + "\n", encoding="utf-8")
    draft_report(path, "synthetic-2021", tmp_path / "out", ref=ref)
    src = load_report(tmp_path / "out" / "synthetic-2021", ref)
    assert [r["label"] for r in src.records("stakeholder")] == [{"en": "Lenders"}, {"en": "Employees"}]
    assert [r["source_location"]["line"] for r in src.records("concern")] == [5, 8]
    assert all(r["review"] == "draft" for r in src.records("stakeholder") + src.records("concern"))


def test_material_topics_under_pillar_headings(ref, tmp_path: Path) -> None:
    """A materiality section that lists its topics under pillar headings: one per line, or
    glued into one line with the section that answers them (a flattened table). Each topic
    gets its heading's pillar; no matrix order is made up from a table's order."""
    d, _ = _draft(ref, tmp_path, [
        "1.1 Caring for Our Planet", BODY,
        "1.2 Materiality Review", BODY,
        "Environmental Topics", "Water stewardship", "", "Waste reduction", "",
        "Social Aspects Where answered",
        "Staff wellbeing and safety Caring for Our Planet Local hiring and training Fair pay for all staff",
        "", "",
        "1.3 Looking Ahead", BODY])
    topics = [r.fields for r in _records(d, "topic")]
    assert [(t["label"]["en"], t["pillar"]) for t in topics] == [
        ("Water stewardship", "E"), ("Waste reduction", "E"), ("Staff wellbeing and safety", "S"),
        ("Local hiring and training", "S"), ("Fair pay for all staff", "S")]
    assert all("matrix_order" not in t and t["section"] == "1.2" for t in topics)


def test_a_glued_title_case_line_is_listed_not_split(ref, tmp_path: Path) -> None:
    d, _ = _draft(ref, tmp_path, [
        "1.1 Materiality Review", BODY,
        "Environmental Topics", "Water stewardship",
        "Social Topics",
        "Staff Wellbeing And Safety Local Hiring And Training Fair Pay For All Staff Across Sites",
        BODY])
    assert [r.fields["label"]["en"] for r in _records(d, "topic")] == ["Water stewardship"]
    assert any(a.kind == "topic" and a.line.number == 6 for a in d.attention)


def test_matrix_labels_without_pillars_are_listed_not_written(ref, tmp_path: Path) -> None:
    """A matrix legend tells the pillars by colour, which the text does not keep: its labels are
    listed in order for the reviewer and no topic is written with a guessed pillar."""
    d, _ = _draft(ref, tmp_path, [
        "1.1 Materiality Review", BODY,
        "Environmental Social Governance",
        "Water stewardship", "Staff wellbeing", "Board oversight",
        BODY])
    assert not _records(d, "topic")
    listed = [a.what for a in d.attention if a.kind == "topic"]
    assert [w.split("'")[1] for w in listed] == ["Water stewardship", "Staff wellbeing", "Board oversight"]
