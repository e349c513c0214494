"""`esgkg build` killed with SIGKILL part-way: the old store keeps serving, and a later build
publishes normally. Kill points are chosen from the build's own progress lines (so each
phase is hit: reading, mapping, validation, loading, publishing) plus a few fixed delays.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from esgkg.graph.build import build
from esgkg.graph.reference import reports_dir
from esgkg.graph.store import StoreRoot
from sparql_support import running_server, make_config

import requests

pytestmark = pytest.mark.slow

REPORT_IDS = """PREFIX esg: <https://w3id.org/esgkg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?id WHERE { ?r a esg:Report ; dcterms:identifier ?id } ORDER BY ?id"""
# Last: a kill at "publishing" may land after the pointer swap, which is then a finished build.
KILL_AT = ["reading report", "mapping report", "validating", "loading", 0.3, 1.5, "publishing"]


def _report_ids(url: str) -> list[str]:
    r = requests.get(url + "/sparql", params={"query": REPORT_IDS}, timeout=30,
                     headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    return [b["id"]["value"] for b in r.json()["results"]["bindings"]]


def _start_build(store: Path) -> subprocess.Popen:
    # The bundled report (bigger than the fixture, so every phase takes a moment), from an
    # empty build cache: what a killed build had finished would otherwise skip phases.
    shutil.rmtree(store / "cache", ignore_errors=True)
    return subprocess.Popen([sys.executable, "-m", "esgkg.service.cli", "build", "--store", str(store)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _kill_at(proc: subprocess.Popen, point: str | float) -> bool:
    """SIGKILL the build at a progress line or after a delay; False if it finished first."""
    assert proc.stderr is not None
    try:
        if isinstance(point, float):
            time.sleep(point)
        else:
            for line in proc.stderr:
                if point in line:
                    break
        if proc.poll() is not None:
            return False
        os.kill(proc.pid, signal.SIGKILL)
        return True
    finally:
        proc.wait(10)
        proc.stderr.close()


def test_killed_builds_leave_the_old_store_serving(tmp_path, fixture_reports):
    store = tmp_path / "store"
    old = build(StoreRoot(store), reports_root=fixture_reports)
    with running_server(make_config(StoreRoot(store))) as url:
        assert _report_ids(url) == ["example-2023"]
        killed = 0
        for point in KILL_AT:
            proc = _start_build(store)
            killed += _kill_at(proc, point)
            current = StoreRoot(store).current().version  # readable: never half-published
            if current != old.version:
                assert point == "publishing", f"a build killed at {point!r} was published"
                continue
            assert _report_ids(url) == ["example-2023"], f"after a kill at {point!r}"
        assert killed >= len(KILL_AT) - 2, "the build finished before most kill points"
        done = subprocess.run([sys.executable, "-m", "esgkg.service.cli", "build", "--store", str(store)],
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        assert StoreRoot(store).current().version != old.version
        bundled = sorted(p.name for p in reports_dir().iterdir() if (p / "report.yaml").is_file())
        assert "oneconnect-2024" in bundled
        assert _report_ids(url) == bundled  # picked up without a restart
    leftovers = [p.name for p in (store / "versions").iterdir() if p.name.startswith(".staging")]
    assert not leftovers, f"killed builds left staging folders behind: {leftovers}"
