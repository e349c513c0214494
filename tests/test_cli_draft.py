"""`esgkg draft` as a user runs it: the installed command, relative paths, exit status, the
summary on stderr, and nothing written when the input is bad."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from esgkg.service.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "draft"
ESGKG = [sys.executable, "-m", "esgkg.service.cli"]


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """The real command in its own process (one start costs seconds: only the main path)."""
    return subprocess.run([*ESGKG, *args], cwd=cwd, capture_output=True, text=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "COLUMNS": "120", "HOME": str(cwd.parent)})


def _invoke(args: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch):
    """The same command in this process, from ``cwd`` (what main does with errors included)."""
    monkeypatch.chdir(cwd)
    return CliRunner().invoke(main, args)


def test_draft_writes_the_folder_and_says_what_needs_a_person(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(FIXTURES / "acme-2025.pdf", tmp_path / "report.pdf")
    result = _run(["draft", "report.pdf", "--id", "acme-2025", "-o", "drafts"], tmp_path)
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "drafts" / "acme-2025"
    assert sorted(p.name for p in folder.iterdir()) == [
        "disclosures.yaml", "metrics.yaml", "needs-review.md", "observations.csv", "policies.yaml",
        "report.yaml", "source"]
    assert "index entries" in result.stderr and "for a person" in result.stderr
    assert "15 " in result.stderr.split("index entries", 1)[1][:40], "9 HKEX + 6 GRI entries drafted"
    assert "needs-review.md" in result.stderr
    assert "material topics" in result.stderr and "stakeholder groups" in result.stderr
    again = _invoke(["draft", "report.pdf", "--id", "acme-2025", "-o", "drafts"], tmp_path, monkeypatch)
    assert again.exit_code == 1 and "already exists" in again.stderr and "Traceback" not in again.stderr


@pytest.mark.parametrize("name", ["encrypted.pdf", "image-only.pdf", "truncated.pdf", "not-a-pdf.pdf"])
def test_bad_input_exits_1_with_a_message_and_writes_nothing(tmp_path: Path, name: str,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(FIXTURES / name, tmp_path / name)
    result = _invoke(["draft", name, "--id", "acme-2025", "-o", "drafts"], tmp_path, monkeypatch)
    assert result.exit_code == 1
    error = result.stderr.splitlines()[-1]
    assert error.startswith(f"error: {name}: ") and "Traceback" not in result.stderr
    assert not (tmp_path / "drafts").exists() or not list((tmp_path / "drafts").iterdir())


def test_a_bad_id_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = _invoke(["draft", str(FIXTURES / "acme-2025.pdf"), "--id", "Acme 2025"], tmp_path, monkeypatch)
    assert result.exit_code == 1 and "ORG-YEAR" in result.stderr
    assert list(tmp_path.iterdir()) == []
