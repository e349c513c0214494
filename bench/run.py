"""The esgkg benchmark: peers side by side, then cost against the number of reports.

Part 1 (peers, bundled report): build the store (time, peak memory, size), then serve the
same data with ``esgkg serve``, ``oxigraph serve-read-only --union-default-graph`` and
``rdflib-endpoint``; check that all three give the same result counts; drive the common
query mix with wrk at 1, 4 and 16 connections; time every named query alone on esgkg.

Part 2 (scale, synthetic reports): for 1, 10, 100 reports build with the real build and
measure build/validation time, memory, store size, then query latency and throughput on
the embedded store and through ``--store URL`` against Oxigraph. 1 000 reports do not fit
an in-memory build on a 24 GB machine (see docs/performance.md), so that store is made by
cloning one synthetic report's N-Quads 1 000 times and bulk loading them; only queries run
on it.

Run: python bench/run.py [--quick]      (results in bench/results/)
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from load import LoadResult, run_wrk, write_script  # noqa: E402
from queries import BenchQuery, cheap_mix, query_mix  # noqa: E402
from servers import Server, start_esgkg, start_oxigraph, start_rdflib_endpoint  # noqa: E402
from synthetic import generate  # noqa: E402

REPO = BENCH.parent
RESULTS = BENCH / "results"
CLIENTS = (1, 4, 16)
HEAVY_MS = 1000  # queries slower than this alone on Oxigraph are timed alone, not in the mix


# -- building --------------------------------------------------------------------------------
def measured_build(store: Path, reports: Path | None) -> dict:
    """Run bench/build_step.py in a child; add its own peak RSS (wait4) and the store size."""
    cmd = [sys.executable, str(BENCH / "build_step.py"), str(store)] + ([str(reports)] if reports else [])
    with tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True)
        out = proc.stdout.read()
        # wait4, not Popen.wait: it returns this child's own resource usage (peak RSS).
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            raise RuntimeError(f"build failed:\n{err.read()[-3000:]}")
    line = next(l for l in out.splitlines() if l.startswith("BUILDJSON "))
    result = json.loads(line[len("BUILDJSON "):])
    result["peak_rss_mb"] = round(usage.ru_maxrss / 1024, 1)
    result["store_mb"] = round(_du(Path(result["path"])) / 2**20, 1)
    return result


def _du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# -- checking and timing queries -------------------------------------------------------------
def result_count(server: Server, q: BenchQuery, timeout: float = 120) -> tuple[int | None, float, str]:
    """(rows or triples, seconds, error) for one query on one server."""
    start = time.perf_counter()
    try:
        r = requests.get(server.query_url, params={"query": q.text}, headers={"Accept": q.accept},
                         timeout=timeout)
    except requests.RequestException as exc:
        return None, time.perf_counter() - start, f"{type(exc).__name__}"
    elapsed = time.perf_counter() - start
    if r.status_code != 200:
        return None, elapsed, f"HTTP {r.status_code}"
    if "json" in q.accept:
        doc = r.json()
        if "boolean" in doc:  # ASK: 1 for true, 0 for false
            return int(doc["boolean"]), elapsed, ""
        return len(doc["results"]["bindings"]), elapsed, ""
    from rdflib import Graph

    ctype = r.headers.get("Content-Type", "").split(";")[0].strip()
    # rdflib-endpoint answers DESCRIBE with RDF/XML labelled application/sparql-results+xml.
    fmt = "xml" if "<rdf:RDF" in r.text[:1000] else (ctype or "nt")
    g = Graph()
    try:
        g.parse(data=r.text, format=fmt)
    except Exception as exc:  # an unparseable answer is a disagreement, not a crash
        return None, elapsed, f"unparseable {ctype}: {type(exc).__name__}"
    return len(g), elapsed, ""


def check_agreement(servers: list[Server], mix: list[BenchQuery]) -> tuple[list[BenchQuery], list[dict]]:
    """Queries all servers answer with the same count (and not too slowly), and a report."""
    common, report = [], []
    for q in mix:
        row = {"query": q.name, "kind": q.kind}
        counts = {}
        for s in servers:
            n, secs, err = result_count(s, q)
            row[s.name] = err or n
            row[f"{s.name}_ms"] = round(secs * 1000, 1)
            counts[s.name] = n
        values = set(counts.values())
        slow = row.get("oxigraph_ms", 0) > HEAVY_MS
        row["in_mix"] = len(values) == 1 and None not in values and not slow
        row["why_not"] = ("" if row["in_mix"] else
                          "slow alone (> 1 s on Oxigraph)" if slow and len(values) == 1 else
                          "engines disagree or one fails")
        report.append(row)
        if row["in_mix"]:
            common.append(q)
    return common, report


def latency_alone(server: Server, queries: list[BenchQuery], repeat: int,
                  cold: bool = False) -> dict[str, dict]:
    """p50/p95 of each query sent alone, one after another, on one keep-alive connection.

    ``cold``: every repetition is a new text (a numbered comment line first), so no answer
    cache can serve it.
    """
    session = requests.Session()
    out = {}
    for q in queries:
        times = []
        status: int | str = 200
        for i in range(repeat):
            text = f"# cold {time.time_ns()} {i}\n{q.text}" if cold else q.text
            start = time.perf_counter()
            try:
                r = session.get(server.query_url, params={"query": text}, headers={"Accept": q.accept},
                                timeout=60)
                status = r.status_code
            except requests.exceptions.Timeout:
                # A peer without a time limit (oxigraph serve) can run for minutes on a big
                # store; record it and move on rather than lose the whole run.
                status = "timeout after 60 s"
                session = requests.Session()
            times.append((time.perf_counter() - start) * 1000)
            if status != 200:
                break
        times.sort()
        out[q.name] = {"status": status, "p50_ms": round(statistics.median(times), 2),
                       "p95_ms": round(times[min(len(times) - 1, int(0.95 * len(times)))], 2)}
    return out


class RssSampler:
    """Samples a server's RSS (with children) every 0.25 s while a load runs."""

    def __init__(self, server: Server) -> None:
        self.server, self.peak, self._stop = server, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.server.rss())
            time.sleep(0.25)

    def __enter__(self) -> "RssSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def load_series(server: Server, mix: list[BenchQuery], clients: tuple[int, ...], seconds: float,
                work: Path) -> tuple[list[LoadResult], float]:
    """wrk at each client count; returns the results and the peak RSS in MB."""
    script = write_script(mix, server.path, work / f"{server.name}.lua")
    results = []
    with RssSampler(server) as sampler:
        for c in clients:
            results.append(run_wrk(server.origin, script, c, seconds))
            print(f"  {server.name:16} c={c:<3} {results[-1].throughput:8.1f} req/s  "
                  f"p50 {results[-1].p50_ms:7.1f} p95 {results[-1].p95_ms:7.1f} ms  "
                  f"errors {results[-1].errors}", flush=True)
    return results, round(sampler.peak / 2**20, 1)


def interleaved_load(servers: list[Server], mix: list[BenchQuery], seconds: float, repeats: int,
                     work: Path) -> tuple[dict, dict]:
    """wrk on every server in turn, per client count, ``repeats`` rounds; keep each best run.

    The machine is shared (other jobs come and go), so servers take turns within seconds of
    each other and the best round counts: noise only ever makes a run slower.
    """
    scripts = {s.name: write_script(mix, s.path, work / f"{s.name}.lua") for s in servers}
    best: dict[str, dict[int, LoadResult]] = {s.name: {} for s in servers}
    samplers = {s.name: RssSampler(s) for s in servers}
    for sampler in samplers.values():
        sampler.__enter__()
    try:
        for c in CLIENTS:
            for _ in range(repeats):
                for s in servers:
                    r = run_wrk(s.origin, scripts[s.name], c, seconds)
                    print(f"  {s.name:16} c={c:<3} {r.throughput:8.1f} req/s  p50 {r.p50_ms:7.1f} "
                          f"p95 {r.p95_ms:7.1f} ms  errors {r.errors}", flush=True)
                    old = best[s.name].get(c)
                    if old is None or r.throughput > old.throughput:
                        best[s.name][c] = r
    finally:
        for sampler in samplers.values():
            sampler.__exit__()
    loads = {name: [runs[c].as_dict() for c in CLIENTS] for name, runs in best.items()}
    return loads, {name: round(sm.peak / 2**20, 1) for name, sm in samplers.items()}


def dump_nquads(store_dir: Path, out: Path) -> Path:
    import pyoxigraph as ox

    store = ox.Store.read_only(str(store_dir))
    store.dump(str(out), format=ox.RdfFormat.N_QUADS)
    return out


# -- part 1 ----------------------------------------------------------------------------------
def peers(work: Path, quick: bool) -> dict:
    print("== peers: bundled report", flush=True)
    store = work / "bundled"
    build = measured_build(store, None)
    print(f"  build {build}", flush=True)
    version_dir = (store / "current").resolve()
    nquads = dump_nquads(version_dir, work / "bundled.nq")
    logs = work / "logs"
    servers = [start_esgkg(store, logs), start_oxigraph(version_dir, logs), start_rdflib_endpoint(nquads, logs)]
    idle = {s.name: round(s.rss() / 2**20, 1) for s in servers}
    try:
        mix = query_mix(REPO / "queries", "oneconnect-2024")
        common, agreement = check_agreement(servers, mix)
        print(f"  {len(common)} of {len(mix)} queries agree on all three engines", flush=True)
        # Heavy queries (seconds each) are timed once in the agreement check, not repeated.
        slow = {r["query"] for r in agreement if r["why_not"].startswith("slow")
                or not isinstance(r.get("esgkg"), int)}
        named = [q for q in mix if q.kind == "named" and q.name not in slow]
        alone = {s.name: latency_alone(s, named, 5 if quick else 20, cold=True) for s in servers[:2]}
        seconds = 4 if quick else 10
        loads, peaks = interleaved_load(servers, common, seconds, 1 if quick else 2, work)
    finally:
        for s in servers:
            s.stop()
    return {"build": build, "agreement": agreement, "mix": [q.name for q in common],
            "named_alone": alone, "load": loads, "idle_rss_mb": idle, "peak_rss_mb": peaks,
            "wrk_seconds": seconds}


# -- per-request cost (issue 16) -----------------------------------------------------------
def cheap_cells(servers: list[Server], mix: list[BenchQuery], clients: tuple[int, ...], seconds: float,
                rounds: int, work: Path) -> list[dict]:
    """Each cheap query alone, cold and warm, at each client count: servers take turns."""
    cells = []
    for q in mix:
        for mode in ("cold", "warm"):
            scripts = {s.name: write_script([q], s.path, work / f"{s.name}-{mode}.lua", distinct=mode == "cold")
                       for s in servers}
            for c in clients:
                best: dict[str, LoadResult] = {}
                for _ in range(rounds):
                    for s in servers:
                        r = run_wrk(s.origin, scripts[s.name], c, seconds)
                        if s.process.poll() is not None:
                            raise RuntimeError(f"{s.name} exited ({s.process.returncode}) during the run: "
                                               + s.log.read_text(errors="replace")[-2000:])
                        if s.name not in best or r.throughput > best[s.name].throughput:
                            best[s.name] = r
                a, b = best[servers[0].name], best[servers[1].name]
                cell = {"query": q.name, "mode": mode, "clients": c, servers[0].name: a.as_dict(),
                        servers[1].name: b.as_dict(), "ratio": round(a.throughput / b.throughput, 3)
                        if b.throughput else None}
                cells.append(cell)
                print(f"  {q.name:22} {mode} c={c:<3} {servers[0].name} {a.throughput:8.0f} req/s  "
                      f"{servers[1].name} {b.throughput:8.0f} req/s  ratio {cell['ratio']:.2f}  "
                      f"errors {a.errors}/{b.errors}", flush=True)
    return cells


def _save_partial(part: dict) -> None:
    """What a long run has measured so far, in case it is stopped before the end."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "per-request-partial.json").write_text(json.dumps(part, indent=2), encoding="utf-8")


def per_request(work: Path, quick: bool) -> dict:
    """The cheap mix and the named queries, esgkg beside ``oxigraph serve``, bundled report."""
    print("== per-request cost: bundled report", flush=True)
    store = work / "bundled"
    build = measured_build(store, None)
    version_dir = (store / "current").resolve()
    logs = work / "logs"
    servers = [start_esgkg(store, logs), start_oxigraph(version_dir, logs, timeout_s=None)]
    load_before = os.getloadavg()
    try:
        mix = cheap_mix("oneconnect-2024")
        _, agreement = check_agreement(servers, mix)
        for row in agreement:
            if not row["in_mix"]:
                raise RuntimeError(f"the engines disagree on {row['query']}: {row}")
        seconds = 3 if quick else 4
        cells = cheap_cells(servers, mix, (1, 16), seconds, 1 if quick else 2, work)
        _save_partial({"cells": cells})
        named = [q for q in query_mix(REPO / "queries", "oneconnect-2024") if q.kind == "named"]
        # A query that takes over a second alone on Oxigraph is timed once, not repeated.
        _, named_check = check_agreement(servers, named)
        slow = {r["query"] for r in named_check if not r["in_mix"]}
        timed = [q for q in named if q.name not in slow]
        repeat = 5 if quick else 10
        alone = {mode: {s.name: latency_alone(s, timed, repeat, cold=mode == "cold") for s in servers}
                 for mode in ("cold", "warm")}
    finally:
        for s in servers:
            s.stop()
    # The whole run's results replace the partial ones; a stale partial file would only mislead.
    (RESULTS / "per-request-partial.json").unlink(missing_ok=True)
    return {"build": build, "agreement": agreement + named_check, "cells": cells, "named_alone": alone,
            "wrk_seconds": seconds, "loadavg_before": load_before, "loadavg_after": os.getloadavg()}


# -- part 2 ----------------------------------------------------------------------------------
def clone_store(one_report_store: Path, count: int, work: Path) -> tuple[Path, float]:
    """A store of ``count`` copies of synthetic-00001 (ids renumbered); returns root, seconds."""
    import pyoxigraph as ox

    from esgkg.graph.store import StoreRoot

    src = dump_nquads((one_report_store / "current").resolve(), work / "one.nq")
    graph = "<https://w3id.org/esgkg/graph/report/synthetic-00001>"
    shared, report = [], []
    for line in src.read_text(encoding="utf-8").splitlines():
        (report if line.rstrip(" .").endswith(graph) else shared).append(line)
    template = "\n".join(report) + "\n"
    big = work / f"clone-{count}.nq"
    with big.open("w", encoding="utf-8") as fh:
        fh.write("\n".join(shared) + "\n")
        for i in range(1, count + 1):
            fh.write(template.replace("synthetic-00001", f"synthetic-{i:05d}")
                     .replace("synthetic-org-00001", f"synthetic-org-{i:05d}"))
    src.unlink()
    start = time.monotonic()
    root = StoreRoot(work / f"clone-{count}")
    version = f"clone{count:011d}"
    staging = root.staging_dir(version)
    store = ox.Store(str(staging))
    store.bulk_load(path=str(big), format=ox.RdfFormat.N_QUADS)
    store.flush()
    store.optimize()
    del store
    root.publish(staging, version, {"version": version, "synthetic_clone": count})
    seconds = time.monotonic() - start
    big.unlink()
    return root.root, seconds


def scale_point(n: int, store: Path, build: dict | None, work: Path, quick: bool) -> dict:
    """Query cost at one size: embedded esgkg, esgkg -> remote Oxigraph, Oxigraph itself."""
    logs = work / "logs"
    version_dir = (store / "current").resolve()
    mix = [q for q in query_mix(REPO / "queries", "synthetic-00001") if q.kind != "named"] + \
        [q for q in query_mix(REPO / "queries", "synthetic-00001") if q.name in LIGHT_NAMED]
    point: dict = {"reports": n, "build": build, "store_mb": round(_du(version_dir) / 2**20, 1)}
    oxi = start_oxigraph(version_dir, logs)
    servers = [start_esgkg(store, logs), oxi, start_esgkg(store, logs, remote=oxi.query_url)]
    try:
        point["alone"] = {s.name: latency_alone(s, mix, 3 if quick else 7) for s in servers}
        point["load"] = {}
        for s in servers:
            results, peak = load_series(s, mix, (4,), 4 if quick else 8, work)
            point["load"][s.name] = results[0].as_dict() | {"peak_rss_mb": peak}
    finally:
        for s in reversed(servers):
            s.stop()
    return point


LIGHT_NAMED: set[str] = set()


def scale(work: Path, quick: bool, sizes: list[int], clone: int | None) -> list[dict]:
    points = []
    for n in sizes:
        print(f"== scale: {n} synthetic report(s)", flush=True)
        reports = generate(n, work / f"reports-{n}")
        store = work / f"store-{n}"
        build = measured_build(store, reports)
        print(f"  build {build}", flush=True)
        shutil.rmtree(reports)
        points.append(scale_point(n, store, build, work, quick))
        if n != 1:
            shutil.rmtree(store)
    if clone:
        print(f"== scale: {clone} cloned synthetic reports (bulk load only)", flush=True)
        root, seconds = clone_store(work / "store-1", clone, work)
        point = scale_point(clone, root, None, work, quick)
        point["clone_load_s"] = round(seconds, 1)
        points.append(point)
        shutil.rmtree(root)
    return points


def machine() -> dict:
    import psutil

    return {"cpus": os.cpu_count(), "memory_gb": round(psutil.virtual_memory().total / 2**30),
            "cpu": platform.processor() or platform.machine(), "python": platform.python_version(),
            "date": time.strftime("%Y-%m-%d")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="short runs; scale to 10 reports only")
    parser.add_argument("--skip-peers", action="store_true")
    parser.add_argument("--per-request", action="store_true",
                        help="only the per-request cost: cheap mix cold/warm and named queries, vs oxigraph")
    parser.add_argument("--sizes", default=None, help="comma-separated report counts to build")
    parser.add_argument("--clone", type=int, default=None, help="cloned-store size (0: none)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else ([1, 10] if args.quick else [1, 10, 100])
    clone = args.clone if args.clone is not None else (0 if args.quick else 1000)
    RESULTS.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="esgkg-bench-"))
    (work / "logs").mkdir()
    started = time.monotonic()
    out: dict = {"machine": machine(), "quick": args.quick}
    try:
        if args.per_request:
            out["per_request"] = per_request(work, args.quick)
        elif not args.skip_peers:
            out["peers"] = peers(work, args.quick)
            LIGHT_NAMED.update(r["query"] for r in out["peers"]["agreement"]
                               if r["kind"] == "named" and isinstance(r.get("oxigraph_ms"), float)
                               and r["oxigraph_ms"] < 200 and isinstance(r.get("esgkg"), int))
        else:
            LIGHT_NAMED.update({"named:reports", "named:topics-by-pillar"})
        if not args.per_request:
            out["scale"] = scale(work, args.quick, sizes, clone or None)
    finally:
        out["seconds"] = round(time.monotonic() - started, 1)
        name = ("per-request" if args.per_request else "results") + ("-quick" if args.quick else "") + ".json"
        (RESULTS / name).write_text(json.dumps(out, indent=2, ensure_ascii=False), encoding="utf-8")
        shutil.rmtree(work, ignore_errors=True)
    from report import write_report

    write_report(out, RESULTS, suffix="-quick" if args.quick else "",
                 stem="per-request" if args.per_request else "results")
    print(f"done in {out['seconds']:.0f} s; see {RESULTS}", flush=True)


if __name__ == "__main__":
    main()
