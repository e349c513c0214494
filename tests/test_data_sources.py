"""Report sources cite the report, never the machine they were curated on.

A comment or a note that names a folder of the curator's machine (``/work/...``,
``/home/...``, ``C:\\...``) means nothing to anyone else and leaks how it was made; the
report itself (title, publisher, year) or its bundled ``source/`` text is the citation.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SOURCE_FOLDERS = [REPO / "graph" / "reports", REPO / "graph" / "reference", REPO / "docs" / "example-report",
                  REPO / "tests" / "fixtures" / "reports"]
SUFFIXES = {".yaml", ".yml", ".csv", ".ttl", ".json", ".md"}
# An absolute or home-relative path of two or more parts, or a drive path, starting a word
# (a URL's path follows its host name, a unit such as t/person follows a letter: neither matches).
LOCAL_PATH = re.compile(r"""(?:^|[\s(\[{'"=,;])((?:~|/[\w.-]+)(?:/[\w.-]+)+|[A-Za-z]:\\[\w.\\-]+)""")


def local_paths(text: str) -> list[tuple[int, str]]:
    """(line, path) of every local filesystem path ``text`` names."""
    return [(number, match.group(1)) for number, line in enumerate(text.splitlines(), start=1)
            for match in LOCAL_PATH.finditer(line)]


@pytest.mark.parametrize("text, found", [
    ("# Curated from /work/shared/seed/000.txt.", ["/work/shared/seed/000.txt."]),
    ("note: 'read (~/corpus/x.txt)'", ["~/corpus/x.txt"]),
    ("file: C:\\Users\\me\\report.txt", ["C:\\Users\\me\\report.txt"]),
    ("homepage: https://irhk.ocft.com/en/about", []),
    ("unit: t/person, kWh/m2; sections 2.1/2.2 and/or", []),
])
def test_the_path_pattern(text: str, found: list[str]) -> None:
    assert [path for _, path in local_paths(text)] == found


def test_no_source_file_names_a_local_path() -> None:
    files = [p for folder in SOURCE_FOLDERS if folder.is_dir() for p in sorted(folder.rglob("*"))
             if p.is_file() and p.suffix in SUFFIXES]
    assert len(files) > 20, "the report sources were not found"
    problems = [f"{p.relative_to(REPO)}:{line}: {path}" for p in files
                for line, path in local_paths(p.read_text(encoding="utf-8", errors="replace"))]
    assert not problems, "cite the report (title, publisher, year), not a local path:\n" + "\n".join(problems)
