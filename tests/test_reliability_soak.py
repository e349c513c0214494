"""Sustained concurrent load on a real `esgkg serve` process for a bounded time: no
request fails and the memory of the server plus its workers stays flat."""
from __future__ import annotations

import threading
import time

import pytest
import requests

from reliability_support import serve_process, tree_rss

pytestmark = pytest.mark.slow

SOAK_SECONDS = 60
CLIENTS = 8
QUERIES = [
    ("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "application/sparql-results+json"),
    ("SELECT ?s ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l } ORDER BY ?l", "text/csv"),
    ("SELECT ?c (COUNT(?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c", "application/sparql-results+xml"),
    ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 200", "text/turtle"),
    ("ASK { ?s ?p ?o }", "application/sparql-results+json"),
    ("SELECT * WHERE { ?s ?p }", "application/sparql-results+json"),  # malformed: a 400
]


def test_soak_no_errors_and_flat_memory(example_store):
    # A fixed pool: the soak looks for leaks, and a pool that grows under load (by design,
    # backends/pool.py) would show up as growth of the process tree's memory.
    with serve_process(example_store.root, "--workers", "2", "--max-workers", "2") as (url, proc):
        stop = threading.Event()
        counts = {"ok": 0}
        errors: list[str] = []
        lock = threading.Lock()

        def client(offset: int) -> None:
            session = requests.Session()
            i = offset
            while not stop.is_set():
                query, accept = QUERIES[i % len(QUERIES)]
                i += 1
                try:
                    r = session.get(url + "/sparql", params={"query": query}, headers={"Accept": accept}, timeout=30)
                    expected = 400 if "?p }" in query else 200
                    with lock:
                        if r.status_code == expected:
                            counts["ok"] += 1
                        else:
                            errors.append(f"{r.status_code} for {query[:40]}: {r.text[:200]}")
                except requests.RequestException as exc:
                    with lock:
                        errors.append(repr(exc))

        threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
        for t in threads:
            t.start()
        samples: list[int] = []
        try:
            started = time.monotonic()
            while time.monotonic() - started < SOAK_SECONDS:
                time.sleep(2)
                samples.append(tree_rss(proc.pid))
        finally:
            stop.set()
            for t in threads:
                t.join(60)
        assert proc.poll() is None, "the server died under load"
    assert not errors, errors[:5]
    assert counts["ok"] > 500
    # Warm-up (imports, caches, allocator pools) is over after the first quarter; from
    # there RSS may wobble but not climb. Bound: 20 % or 40 MB, whichever is larger.
    warm = samples[len(samples) // 4]
    growth = max(samples[len(samples) // 4:]) - warm
    assert growth < max(0.2 * warm, 40 * 2**20), \
        f"RSS grew by {growth / 2**20:.1f} MB (from {warm / 2**20:.1f} MB): {[s >> 20 for s in samples]}"
