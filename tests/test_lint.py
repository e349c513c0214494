"""The code passes the project's ruff configuration (pyproject.toml [tool.ruff]).

Likely bugs only (unused or undefined names, bugbear's traps, stale noqa comments): a
failure here names the file, line and rule.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def test_ruff_finds_nothing():
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    if not Path(ruff).exists():
        pytest.fail("ruff is not installed: pip install -e '.[test]'")
    done = subprocess.run([ruff, "check", "--output-format", "concise", "graph", "service", "tests", "bench",
                           "scripts"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
