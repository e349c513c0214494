"""`esgkg review`: the counts by review status follow the edits a reviewer makes."""
from __future__ import annotations

from pathlib import Path

import yaml
from click.testing import CliRunner

from esgkg.graph.draft import draft_report
from esgkg.service.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "draft"


def _row(output: str, kind: str) -> list[str]:
    line = next(line for line in output.splitlines() if line.strip("│ ").startswith(kind))
    return [cell.strip() for cell in line.strip("│").split("│")]


def test_review_counts_follow_the_edits(tmp_path: Path) -> None:
    draft_report(FIXTURES / "acme-2025.pdf", "acme-2025", tmp_path)
    folder = tmp_path / "acme-2025"
    before = CliRunner().invoke(main, ["review", str(folder), "--limit", "3"], terminal_width=120)
    assert before.exit_code == 0, before.output
    assert _row(before.output, "document") == ["document", "4", "0", "0", "0"]
    assert "acme-2025/disclosures.yaml:" in before.output and "(read at page 4, line" in before.output
    assert "more still in draft" in before.output

    path = folder / "policies.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["documents"][0]["review"] = "accepted"
    data["documents"][1]["review"] = "corrected"
    data["documents"][1]["label"]["en"] = "Supplier Code of Conduct"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    after = CliRunner().invoke(main, ["review", str(folder), "--limit", "0"], terminal_width=120)
    assert after.exit_code == 0, after.output
    assert _row(after.output, "document") == ["document", "2", "1", "1", "0"]


def test_review_of_a_broken_folder_names_the_file(tmp_path: Path) -> None:
    draft_report(FIXTURES / "acme-2025.pdf", "acme-2025", tmp_path)
    path = tmp_path / "acme-2025" / "policies.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    del data["documents"][0]["source_location"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = CliRunner().invoke(main, ["review", str(tmp_path / "acme-2025")])
    assert result.exit_code == 1
    assert "acme-2025/policies.yaml" in result.output and "without source_location" in result.output
