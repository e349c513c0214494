"""The query page in a real browser: headless Chromium runs a query in YASGUI."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from sparql_support import BASE, make_store, running_server, sample_nquads, make_config

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def _missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return "chromium is not installed (apt-get install -y chromium)"
    if shutil.which("node") is None or not (REPO / "node_modules" / "playwright-core").is_dir():
        return "playwright-core missing: run `npm ci` at the repository root"
    return None


@pytest.mark.slow
@pytest.mark.skipif(_missing() is not None, reason=str(_missing()))
def test_yasgui_runs_a_query_in_browser(tmp_path):
    root = make_store(tmp_path / "store", sample_nquads(3))
    with running_server(make_config(root)) as url:
        query = f"SELECT ?org ?label WHERE {{ BIND(<{BASE}id/org/acme> AS ?org) ?org rdfs:label ?label }} ORDER BY ?label"
        result = subprocess.run(
            ["node", str(REPO / "tests" / "browser" / "yasgui_query.mjs"), url + "/sparql", query],
            capture_output=True, text=True, timeout=120, cwd=REPO, env={"CHROMIUM": CHROMIUM, "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr[-3000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert "PREFIX rdfs:" in out["before"]  # prefixes preset in the editor
    assert any("Acme" in c for c in out["cells"]), out["cells"]
    assert any("頂峰" in c for c in out["cells"]), out["cells"]
    # Everything the page loaded came from our server: no CDN, no third-party calls.
    outside = [u for u in out["requested"] if not u.startswith(url) and not u.startswith("data:")]
    assert outside == [], outside
    assert out["errors"] == []
    # A result IRI of the dataset opens its page here, not at the (public) base IRI.
    assert out["links"] and all(link == url + "/id/org/acme" for link in out["links"]), out["links"]
    assert {"esgkg", "Search", "SPARQL", "Downloads"} <= set(out["nav"])  # the site's navigation
