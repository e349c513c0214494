"""Named documents read from running text: where a name starts and ends (synthetic text)."""
from __future__ import annotations

from pathlib import Path

from esgkg.graph.draft import make_draft
from esgkg.graph.reference import load_reference


def test_names_leave_out_sentence_words_and_pieces_of_longer_names(tmp_path: Path) -> None:
    text = "\n".join([
        "According to the Management Standard of Example Hiring, we hire fairly every year.",
        "We follow the Water Protection Law of the Republic of Examplia. For details see our site.",
        "The Example Gift Reporting System applies to all staff and all of our partners too.",
        "It complements the Example Gift Reporting System and the Water Protection Law too.",
    ])
    path = tmp_path / "report.txt"
    path.write_text(text + "\n", encoding="utf-8")
    d = make_draft(path, "synthetic-2021", load_reference())
    labels = [r.fields["label"]["en"] for r in d.records if r.kind == "document"]
    assert labels == ["Management Standard of Example Hiring", "Water Protection Law of the Republic of Examplia",
                      "Example Gift Reporting System"]
