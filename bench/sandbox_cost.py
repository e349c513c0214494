"""What the query workers' sandbox costs: start-up time and per-query time, with and without.

Starts a worker pool on a store (default: the bundled report's, ``.esgkg/store``) with the
sandbox on and off, alternating, and reports the median pool start-up time and the median
time of a cheap ASK and of a named-query-sized SELECT through the pool.

Run: python bench/sandbox_cost.py [--store DIR] [--rounds 5] [--queries 300]
"""
from __future__ import annotations

import argparse
import statistics
import time

from esgkg.graph.namespaces import Iris, prefixes
from esgkg.graph.store import StoreRoot
from esgkg.service.backends import sandbox
from esgkg.service.backends.pool import WorkerPool
from esgkg.service.backends.worker import WorkerSpec

QUERIES = {
    "ASK": "ASK { ?s ?p ?o }",
    "SELECT 100": "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 100",
}


def measure(root: StoreRoot, on: bool, queries: int) -> dict[str, float]:
    spec = WorkerSpec("read", str(root.root), 10_000, prefixes(Iris()),
                      limits=sandbox.Limits(no_network=on, memory_bytes=2 * 1024**3))
    started = time.perf_counter()
    pool = WorkerPool(spec, size=2, timeout=10.0)
    result = {"start (2 workers)": (time.perf_counter() - started) * 1000}
    try:
        for name, text in QUERIES.items():
            job = {"op": "query", "query": text, "media_type": "application/sparql-results+json"}
            times = []
            for _ in range(queries):
                t = time.perf_counter()
                assert pool.run(job).status == 200
                times.append((time.perf_counter() - t) * 1000)
            result[name] = statistics.median(times)
    finally:
        pool.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", default=".esgkg/store")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    root = StoreRoot(args.store)
    runs: dict[bool, list[dict[str, float]]] = {True: [], False: []}
    for _ in range(args.rounds):
        for on in (False, True):
            runs[on].append(measure(root, on, args.queries))
    print("| median ms | sandbox off | sandbox on | on / off |")
    print("| --- | ---: | ---: | ---: |")
    for key in runs[True][0]:
        off = statistics.median(r[key] for r in runs[False])
        on = statistics.median(r[key] for r in runs[True])
        print(f"| {key} | {off:.2f} | {on:.2f} | {on / off:.2f}× |")


if __name__ == "__main__":
    main()
