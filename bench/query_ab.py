"""Named queries before and after a rewrite, in process, alternately: p50/p95 wall and CPU ms.

Each text is asked as the service asks it (the version's union copy) with a new comment every
run, so that nothing is served from a cache of query texts. The original and the rewrite are
run in turns of ``--runs`` each, ``--rounds`` times, so that a change of the machine's load
affects both; CPU time of the process is printed too, since on a shared machine wall time is
inflated (pyoxigraph evaluates a query in the calling thread).

Run: python bench/query_ab.py NAME [NAME ...] --before DIR_OF_ORIGINAL_RQ [--store DIR]
     [-p report=ID] [--runs 20] [--rounds 2]
(``git show main:queries/NAME.rq > DIR/NAME.rq`` gives the original.)
"""
from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import pyoxigraph as ox

from esgkg.graph import named_queries
from esgkg.graph.sparql import StoreSparql
from esgkg.graph.store import StoreRoot


def times(sparql: StoreSparql, text: str, runs: int) -> tuple[int, list[float], list[float]]:
    """Rows of the answer and the sorted wall and CPU milliseconds of ``runs`` runs."""
    wall: list[float] = []
    cpu: list[float] = []
    rows = 0
    for i in range(runs):
        t, c = time.perf_counter(), time.process_time()
        rows = len(sparql.select(f"{text}\n# run {i} {time.time()}").rows)
        wall.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    return rows, sorted(wall), sorted(cpu)


def p95(values: list[float]) -> float:
    """The 95th percentile of sorted ``values`` (nearest rank)."""
    return values[min(len(values) - 1, int(0.95 * len(values)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="+")
    ap.add_argument("--before", type=Path, required=True, help="folder with the original .rq files")
    ap.add_argument("--store", type=Path, default=None, help="store root (default: esgkg's)")
    ap.add_argument("-p", "--param", action="append", default=[], help="k=v, e.g. report=oneconnect-2024")
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    root = StoreRoot(args.store)
    store, info = root.open_read_only()
    sparql = StoreSparql(store, union_store=ox.Store.read_only(str(root.ensure_union(info))))
    given = named_queries.parse_assignments(args.param)
    texts = {"before": named_queries.load_all(args.before), "after": named_queries.load_all()}
    for name in args.names:
        for _ in range(args.rounds):
            for label, queries in texts.items():
                rows, wall, cpu = times(sparql, named_queries.bind(queries[name], given), args.runs)
                print(f"{name} {label:6} {given or 'all reports'} rows={rows} wall p50/p95 "
                      f"{statistics.median(wall):.1f}/{p95(wall):.1f} cpu p50/p95 "
                      f"{statistics.median(cpu):.1f}/{p95(cpu):.1f} ms")


if __name__ == "__main__":
    main()
