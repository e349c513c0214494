"""What the set-semantics union default graph (docs/decisions.md §22) costs.

Side by side on one published store, in this process (no HTTP, so only the engine differs):

* ``bag``: Oxigraph's own union default graph (``use_default_graph_as_union=True`` on the
  version), what esgkg ran before, where a triple held by two graphs matches twice;
* ``set``: what esgkg runs now (``graph.union.run_query`` on the version's union copy).

Every query of the benchmark mix (bench/queries.py: the named queries and the ad-hoc
lookups, joins, aggregates, search and DESCRIBE) runs ``--rounds`` times in alternation, so
a busy machine slows both alike; the medians, their ratio and the result sizes are printed
(a size that differs is a query whose answer the bag semantics got wrong). Also measured:
the time to make a version's union copy (paid once per publish) and its size on disk.

Run: python bench/union_cost.py --store .esgkg/store [--report baidu-2021] [--rounds 7]
"""
from __future__ import annotations

import argparse
import math
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from queries import query_mix  # noqa: E402

from esgkg.graph.store import StoreRoot, derive_union  # noqa: E402
from esgkg.graph.union import run_query  # noqa: E402


def _size(result: object) -> int:
    if isinstance(result, ox.QueryBoolean):
        return int(bool(result))
    return sum(1 for _ in result)  # type: ignore[attr-defined]


def _timed(run) -> tuple[float, int]:
    started = time.perf_counter()
    size = _size(run())
    return time.perf_counter() - started, size


def _du(path: Path) -> int:
    """Bytes on disk that ``path`` adds (hard links to the version's files are not counted twice)."""
    out = subprocess.run(["du", "-s", "--block-size=1", str(path.parent / path.name.removesuffix(".union")),
                          str(path)], capture_output=True, text=True, check=True).stdout.splitlines()
    return int(out[-1].split()[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, required=True, help="a store root built by esgkg build")
    parser.add_argument("--report", default="baidu-2021", help="report id the ad-hoc queries look up")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    root = StoreRoot(args.store)
    info = root.current()
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        derive_union(info.path, Path(tmp) / "u")
        print(f"union copy of {info.version} ({info.meta.get('quads', '?')} quads): "
              f"made in {time.perf_counter() - started:.2f} s")
    union_dir = root.ensure_union(info)
    print(f"union copy adds {_du(union_dir) / 2**20:.1f} MiB on disk "
          f"(the version itself: {_dir_bytes(info.path) / 2**20:.1f} MiB)")
    store = ox.Store.read_only(str(info.path))
    union = ox.Store.read_only(str(union_dir))
    ratios = []
    print(f"{'query':42} {'bag ms':>9} {'set ms':>9} {'set/bag':>8} {'rows bag':>9} {'rows set':>9}")
    for query in query_mix(BENCH.parent / "queries", args.report):
        bag_times, set_times, sizes = [], [], set()
        for _ in range(args.rounds):
            text = query.text
            elapsed, bag_size = _timed(lambda: store.query(text, use_default_graph_as_union=True))  # noqa: B023
            bag_times.append(elapsed)
            elapsed, set_size = _timed(lambda: run_query(store, text, union_store=union))  # noqa: B023
            set_times.append(elapsed)
            sizes.add((bag_size, set_size))
        bag, new = statistics.median(bag_times), statistics.median(set_times)
        ratios.append(new / bag)
        (bag_size, set_size), = sizes
        flag = "" if bag_size == set_size else "  <- differs"
        print(f"{query.name:42} {bag * 1000:9.2f} {new * 1000:9.2f} {new / bag:8.2f} {bag_size:9d} {set_size:9d}{flag}")
    geo = math.exp(statistics.mean(math.log(r) for r in ratios))
    print(f"geometric mean set/bag over {len(ratios)} queries: {geo:.2f}")


def _dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


if __name__ == "__main__":
    main()
