"""CPU seconds per report in one build worker (issue 16: ≤ 1.3 s a report).

Makes N synthetic reports (bench/synthetic.py), then runs a build worker's job
(``ReportJob.run``: read, map, validate, write the cache entry) on each in this process,
after one warm-up report (the worker's one-time reading of the shared graphs), and prints
``time.process_time`` per report: each, the median, and the validation's share.

Run: python bench/report_cpu.py [--reports 10] [--profile FILE.pstats]
"""
from __future__ import annotations

import argparse
import cProfile
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import write_report

from esgkg.graph.build import common_graphs
from esgkg.graph.build_cache import BuildCache
from esgkg.graph.build_worker import ReportJob
from esgkg.graph.namespaces import Iris
from esgkg.graph.reference import load_reference


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=10)
    parser.add_argument("--profile", help="write a cProfile of the measured reports here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        folders = [write_report(root / "reports", i) for i in range(1, args.reports + 2)]
        iris = Iris()
        ref = load_reference(None)
        job = ReportJob(ref, common_graphs(ref, iris), iris, True, BuildCache(root / "cache"), root)
        started = time.process_time()
        job.run(folders[0], "warm", lambda _: None)
        print(f"warm-up (shared graphs read once, first report): {time.process_time() - started:.2f} CPU s")
        profile = cProfile.Profile() if args.profile else None
        cpu, validation = [], []
        for n, folder in enumerate(folders[1:]):
            if profile:
                profile.enable()
            started = time.process_time()
            entry = job.run(folder, f"k{n}", lambda _: None)
            cpu.append(time.process_time() - started)
            if profile:
                profile.disable()
            validation.append(entry["timings"].get("total", 0.0))
            print(f"{folder.name}: {cpu[-1]:.3f} CPU s (validation {validation[-1]:.3f} s wall), "
                  f"{len(entry['records'])} records")
        print(f"median {statistics.median(cpu):.3f} CPU s per report over {len(cpu)} "
              f"(min {min(cpu):.3f}, max {max(cpu):.3f}); validation median {statistics.median(validation):.3f} s")
        if profile:
            profile.dump_stats(args.profile)


if __name__ == "__main__":
    main()
