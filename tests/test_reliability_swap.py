"""A new build published while the server answers: every answer is the old or the new
dataset, never an error or a half-built one, and the server moves to the new version
without a restart (workers follow the `current` pointer before each job).
"""
from __future__ import annotations

import threading
import time
from collections import Counter

import pytest

from reliability_support import COUNT
from sparql_support import make_store, running_server, sample_nquads, make_config

import requests

pytestmark = pytest.mark.slow


def _query_loop(url: str, stop: threading.Event, seen: Counter, errors: list[str]) -> None:
    session = requests.Session()
    while not stop.is_set():
        try:
            r = session.get(url + "/sparql", params={"query": COUNT}, timeout=30,
                            headers={"Accept": "application/sparql-results+json"})
            if r.status_code != 200:
                errors.append(f"HTTP {r.status_code}: {r.text[:200]}")
                continue
            seen[int(r.json()["results"]["bindings"][0]["n"]["value"])] += 1
        except Exception as exc:  # any failure is what this test looks for
            errors.append(repr(exc))


def test_swap_while_serving_is_atomic_and_picked_up(tmp_path):
    sizes = [100, 400, 150, 800, 250]  # five publishes: old versions get pruned on the way
    expected = {size + 3 for size in sizes}  # sample_nquads adds three label triples
    root = make_store(tmp_path / "store", sample_nquads(sizes[0]))
    with running_server(make_config(root, workers=2)) as url:
        stop, seen, errors = threading.Event(), Counter(), []
        clients = [threading.Thread(target=_query_loop, args=(url, stop, seen, errors)) for _ in range(4)]
        for c in clients:
            c.start()
        try:
            for size in sizes[1:]:
                time.sleep(0.5)
                make_store(tmp_path / "store", sample_nquads(size))
                # The server must move to what was just published, without a restart.
                deadline = time.monotonic() + 20
                while seen[size + 3] == 0 and time.monotonic() < deadline and not errors:
                    time.sleep(0.05)
                assert seen[size + 3] > 0, f"server still answers {seen} after publishing {size + 3}"
            time.sleep(0.5)
        finally:
            stop.set()
            for c in clients:
                c.join(30)
    assert not errors, errors[:5]
    assert set(seen) <= expected, f"saw counts of no published version: {seen}"
    assert sum(seen.values()) > 20
