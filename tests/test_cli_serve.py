"""`esgkg serve` as a user runs it: a separate process on waitress, stopped by a signal."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
import requests

from sparql_support import free_port, make_store, sample_nquads

SERVE = [sys.executable, "-m", "esgkg.service.cli", "serve"]


@pytest.mark.slow
def test_serve_command_runs_waitress(tmp_path):
    root = make_store(tmp_path / "store", sample_nquads(3))
    port = free_port()
    env = {**os.environ, "ESGKG_STORE": str(root.root), "ESGKG_QUERY_TIMEOUT": "3", "ESGKG_WORKERS": "2"}
    process = subprocess.Popen([*SERVE, "--port", str(port)], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        url = f"http://127.0.0.1:{port}/sparql"
        deadline = time.monotonic() + 30
        while True:
            try:
                r = requests.get(url, params={"query": "ASK { ?s ?p ?o }"}, timeout=2)
                break
            except requests.ConnectionError:
                assert process.poll() is None and time.monotonic() < deadline, process.stdout.read()
                time.sleep(0.1)
        assert r.status_code == 200 and r.json()["boolean"] is True
        assert r.headers["Server"] == "esgkg"  # waitress with our ident, not the Flask dev server
        description = requests.get(url, timeout=5).text
        assert '"3.0"^^xsd:decimal' in description or "esg:queryTimeLimit 3.0" in description
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        process.stdout.close()


def test_update_mode_needs_a_token(tmp_path):
    env = {**os.environ, "ESGKG_STORE": str(tmp_path)}
    env.pop("ESGKG_UPDATE_TOKEN", None)
    result = subprocess.run([*SERVE, "--allow-update", "--port", "0"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "bearer token" in result.stderr
