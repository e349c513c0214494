"""A damaged store stops `esgkg serve` at start with exit status 1 and a message naming
the store path (never a traceback, never a server that fails on its first request)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sparql_support import free_port, make_store, sample_nquads

pytestmark = pytest.mark.slow


def _damage_rocksdb(root: Path) -> None:
    for f in (root / "current").resolve().iterdir():
        if f.is_file():
            f.write_bytes(b"\x00garbage" * 64)


def _drop_metadata(root: Path) -> None:
    version = (root / "current").resolve()
    (version.parent / f"{version.name}.json").unlink()


def _dangling_pointer(root: Path) -> None:
    shutil.rmtree((root / "current").resolve())


def _empty_version(root: Path) -> None:
    version = (root / "current").resolve()
    shutil.rmtree(version)
    version.mkdir()


@pytest.mark.parametrize("damage", [_damage_rocksdb, _drop_metadata, _dangling_pointer, _empty_version],
                         ids=["garbage-rocksdb", "no-metadata", "dangling-current", "empty-version"])
def test_corrupt_store_fails_at_start(tmp_path, damage):
    root = make_store(tmp_path / "store", sample_nquads(10))
    damage(root.root)
    proc = subprocess.run(
        [sys.executable, "-m", "esgkg.service.cli", "serve", "--store", str(root.root), "--port", str(free_port())],
        capture_output=True, text=True, timeout=120, env={**os.environ, "ESGKG_WORKERS": "2"})
    assert proc.returncode == 1, (proc.returncode, proc.stderr[-2000:])
    assert str(root.root) in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
