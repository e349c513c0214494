"""Scale: build, rebuild after one change, and named queries at N synthetic reports.

For each N (default 1, 10, 100): ``bench/synthetic.py`` writes N reports (copies of every
bundled report in turn, values perturbed) to a temp dir; then, each as its own process,
watched from outside (psutil polls the whole process tree's RSS every 0.2 s; CPU seconds of
the tree from ``getrusage(RUSAGE_CHILDREN)``):

1. ``esgkg build --force`` on an empty store (a cold cache): wall time, CPU time, peak RSS;
2. one observation value of one report changed, ``esgkg build --force`` again: the rebuild;
3. every named query, unbound (all reports) and with ``report=`` the first report, run in
   process on the embedded store (``--query-runs`` times each): p50/p95 in ms.

The machine's load average is recorded beside every figure: on a shared machine wall time
grows with it and CPU time does not. Results go to ``bench/results/scale.json`` (merged with
earlier runs, by N), the picture to ``docs/performance-scale.png``.

Run: python bench/scale.py [--counts 1,10,100] [--jobs N] [--query-runs 7] [--no-queries] [--keep DIR]
(``--no-queries``: build and rebuild only; the picture's query panel then shows no point for N.)
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import parse_qsl

import psutil

BENCH = Path(__file__).parent
REPO = BENCH.parent
RESULTS = BENCH / "results" / "scale.json"
PICTURE = REPO / "docs" / "performance-scale.png"
TABLE = BENCH / "results" / "scale.md"  # the README's table (bench/scale_table.py)
sys.path.insert(0, str(BENCH))

from scale_table import tables  # noqa: E402
from synthetic import generate  # noqa: E402


def _tree_rss(proc: psutil.Process) -> int:
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def watched(cmd: list[str], label: str) -> dict:
    """Run ``cmd``; its wall and CPU seconds, peak RSS of its process tree, last stderr lines."""
    uptime_before = _uptime()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load = os.getloadavg()[0]
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    watcher = psutil.Process(proc.pid)
    peak = [0]
    last: list[str] = []

    def read() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            last.append(line.rstrip())
            del last[:-40]

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    shown = started
    while proc.poll() is None:
        peak[0] = max(peak[0], _tree_rss(watcher))
        if time.monotonic() - shown > 15:  # progress of long runs, with the memory so far
            shown = time.monotonic()
            print(f"  [{label}] {shown - started:6.0f}s rss {_tree_rss(watcher) / 1e6:7.0f} MB "
                  f"(peak {peak[0] / 1e6:.0f}) load {os.getloadavg()[0]:.1f} | {last[-1] if last else ''}",
                  flush=True)
        time.sleep(0.2)
    reader.join(5)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        raise SystemExit(f"{label} failed ({proc.returncode}):\n" + "\n".join(last))
    return {"wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "peak_mb": round(peak[0] / 1e6, 1),
            "load_before": round(load, 2), "load_after": round(os.getloadavg()[0], 2), "log_tail": last[-6:],
            "uptime_before": uptime_before, "uptime_after": _uptime()}


def _uptime() -> str:
    """``uptime``'s line (the machine's load beside every figure)."""
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return f"load average {os.getloadavg()}"


def change_one_value(reports: Path) -> str:
    """Change the first observation value of the first report by one unit in its last digit."""
    folder = sorted(p for p in reports.iterdir() if p.is_dir())[0]
    path = folder / "observations.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    col = header.index("value")
    for i, line in enumerate(lines[1:], start=1):
        cells = line.split(",")
        if len(cells) > col and cells[col].replace(".", "", 1).isdigit():
            cells[col] = cells[col][:-1] + str((int(cells[col][-1]) + 1) % 10)
            lines[i] = ",".join(cells)
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            return f"{folder.name}/observations.csv:{i + 1}"
    raise SystemExit(f"no numeric value to change in {path}")


def _query_child(store_dir: str, conn) -> None:
    """Run named queries sent over ``conn`` on the store as ``esgkg query`` does: the union copy,
    the parameters checked (an id looked up in the store), the query's scope by the layout."""
    from esgkg.graph import named_queries
    from esgkg.graph.disjoint_graphs import scopes_reports
    from esgkg.service.commands.common import open_query_fn

    select, info = open_query_fn(Path(store_dir))
    scope = scopes_reports(info.meta)
    queries = named_queries.load_all()
    while (job := conn.recv()) is not None:
        name, given = job
        t = time.perf_counter()
        try:
            rows = len(select(named_queries.prepare(queries[name], given, select, scope)).rows)
        except Exception as exc:  # reported beside the figures, not raised
            conn.send(("error", f"{type(exc).__name__}: {exc}"))
            continue
        conn.send(((time.perf_counter() - t) * 1000, rows))


class _QueryRunner:
    """One child process that runs queries; killed and replaced when a run passes the limit.

    pyoxigraph cannot interrupt a query in its own thread, so the limit is enforced from outside:
    at 1,000 reports an unselective query can run for minutes, and the timings must still end.
    """

    def __init__(self, store_dir: Path) -> None:
        self.store_dir = store_dir
        self.proc = None

    def _start(self) -> None:
        import multiprocessing

        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_query_child, args=(str(self.store_dir), child), daemon=True)
        self.proc.start()

    def run(self, name: str, given: dict, limit_s: float):
        """``(ms, rows)``, ``("error", message)``, or ``None`` when the run passed ``limit_s``."""
        if self.proc is None:
            self._start()
        self.conn.send((name, given))
        if self.conn.poll(limit_s):
            return self.conn.recv()
        self.close(kill=True)
        return None

    def close(self, kill: bool = False) -> None:
        if self.proc is None:
            return
        if kill:
            self.proc.kill()
        else:
            self.conn.send(None)
        self.proc.join(30)
        self.proc = None


def query_times(store_dir: Path, report_id: str, runs: int, limit_s: float = 60.0,
                only: set[str] | None = None, forms_asked: tuple[str, ...] = ("all", "report")) -> dict:
    """p50/p95 ms of every named query, all reports and one report, on the store as ``esgkg query`` reads it.

    A run longer than ``limit_s`` ends that query's timing (recorded as ``timed_out_s``); a query
    whose first run takes over 1 s is run 3 times rather than ``runs``, over 5 s once, so the
    whole table ends (``runs`` in each entry says how many were timed).
    """
    from esgkg.graph import named_queries

    runner = _QueryRunner(store_dir)
    out: dict[str, dict] = {}
    try:
        for name, query in sorted(named_queries.load_all().items()):
            if only and name not in only:
                continue
            # A required parameter (search's q) takes the value of the query's own example.
            example = dict(parse_qsl(str(query.extra.get("example") or "")))
            needed = {p.name: example[p.name] for p in query.params if p.required and p.name in example}
            forms = {"all": needed}
            if any(p.name == "report" for p in query.params):
                forms["report"] = {**needed, "report": report_id}
            forms = {form: given for form, given in forms.items() if form in forms_asked}
            for form, given in forms.items():
                times: list[float] = []
                rows, entry = 0, {}
                for _ in range(runs):
                    got = runner.run(name, given, limit_s)
                    if got is None:
                        entry = {"timed_out_s": limit_s}
                        break
                    if got[0] == "error":
                        entry = {"error": got[1]}
                        break
                    times.append(got[0])
                    rows = got[1]
                    # Ten times the 100 ms target or more: fewer runs tell as much, and the table ends.
                    if len(times) >= (runs if times[0] <= 1000 else 3 if times[0] <= 5000 else 1):
                        break
                if times and not entry:
                    times.sort()
                    entry = {"p50_ms": round(statistics.median(times), 1),
                             "p95_ms": round(times[min(len(times) - 1, int(0.95 * len(times)))], 1),
                             "rows": rows, "runs": len(times)}
                out.setdefault(name, {})[form] = entry
                print(f"  {name} [{form}]: {entry}", flush=True)
    finally:
        runner.close()
    return out


def current_meta(store: Path) -> dict:
    return json.loads((store / "versions" / f"{(store / 'current').resolve().name}.json").read_text())


def machine() -> dict:
    """What the figures were measured on: the CPU as the kernel names it, and a fixed reference.

    Build times are absolute seconds, and the machines this runs on differ (the same code
    built 1,000 reports in 851 s on one host and took far longer on another): the
    reference (best of 5 runs of a fixed pure-Python loop, one core) lets two runs be
    compared as ratios of machine speed.
    """
    info: dict = {"cores": os.cpu_count()}
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        for key, name in (("model name", "cpu"), ("cpu MHz", "mhz"), ("bogomips", "bogomips")):
            line = next((x for x in cpuinfo.splitlines() if x.startswith(key)), None)
            if line:
                info[name] = line.split(":", 1)[1].strip()
    except OSError:
        pass
    best = float("inf")
    for _ in range(5):
        t = time.perf_counter()
        sum(i * i % 7 for i in range(2_000_000))
        best = min(best, time.perf_counter() - t)
    info["reference_loop_s"] = round(best, 3)
    return info


def _commit() -> str | None:
    """The commit the measured code is at (with ``+dirty`` when the tree has changes)."""
    try:
        head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("+dirty" if dirty else "")


def measure(count: int, jobs: int | None, runs: int, keep: Path | None) -> dict:
    work = Path(tempfile.mkdtemp(prefix=f"esgkg-scale-{count}-"))
    try:
        reports = generate(count, work / "reports")
        store = work / "store"
        cli = [sys.executable, "-m", "esgkg.service.cli", "build", "--force", "--store", str(store),
               "--reports", str(reports)] + (["--jobs", str(jobs)] if jobs else [])
        print(f"N={count}: full build", flush=True)
        full = watched(cli, f"N={count} build")
        meta = current_meta(store)
        changed = change_one_value(reports)
        print(f"N={count}: rebuild after changing {changed}", flush=True)
        rebuild = watched(cli, f"N={count} rebuild")
        rmeta = current_meta(store)
        if keep:
            shutil.rmtree(keep / f"store-{count}", ignore_errors=True)
            shutil.copytree(store, keep / f"store-{count}", symlinks=True)
        queries = None
        if runs:
            print(f"N={count}: named queries", flush=True)
            queries = query_times(store, "synthetic-00001", runs)
        result = {"reports": count, "quads": meta["quads"], "jobs": jobs, "build": full,
                  "rebuild": {**rebuild, "changed": changed, "loaded": rmeta.get("loaded"),
                              "reports_reused": rmeta.get("reports_reused")},
                  "store_mb": round(sum(f.stat().st_size for f in (store / "versions").rglob("*")
                                        if f.is_file()) / 1e6, 1),
                  "queries": queries, "cores": os.cpu_count(), "machine": machine(), "commit": _commit(),
                  "uptime_before": full["uptime_before"], "uptime_after": rebuild["uptime_after"],
                  "measured": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


def picture(results: dict[int, dict], out: Path) -> None:
    """Build, rebuild, memory and query p95 against the number of reports."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ns = sorted(results)
    timed = [n for n in ns if results[n].get("queries")]  # a count run with --no-queries has no point
    # No query timed at any count: no query panel (an empty chart would inform nothing).
    fig, axes = plt.subplots(1, 3 if timed else 2, figsize=(14 if timed else 9, 5.0 if timed else 4.2))
    get = lambda key, sub: [results[n][key][sub] for n in ns]  # noqa: E731
    ax = axes[0]
    ax.plot(ns, get("build", "wall_s"), "o-", label="full build, wall")
    ax.plot(ns, get("build", "cpu_s"), "s--", label="full build, CPU (all processes)")
    ax.plot(ns, get("rebuild", "wall_s"), "^-", label="rebuild after one change, wall")
    ax.plot(ns, get("rebuild", "cpu_s"), "v--", label="rebuild after one change, CPU")
    ax.axhline(900, color="red", lw=0.8, ls=":", label="targets: 15 min build, 30 s rebuild")
    ax.axhline(30, color="red", lw=0.8, ls=":")
    ax.set(xscale="log", yscale="log", xlabel="reports", ylabel="seconds", title="Build time")
    ax.legend(fontsize=7)
    ax = axes[1]
    ax.plot(ns, get("build", "peak_mb"), "o-", label="full build")
    ax.plot(ns, get("rebuild", "peak_mb"), "^-", label="rebuild")
    ax.axhline(4000, color="red", lw=0.8, ls=":", label="target 4 GB")
    ax.set(xscale="log", xlabel="reports", ylabel="MB (process tree)", title="Peak memory")
    ax.legend(fontsize=7)
    if timed:
        _query_panel(axes[2], results, ns, timed)
    loads = ", ".join(f"{n}: {results[n]['build']['load_before']:.1f}" for n in ns)
    fig.suptitle(f"esgkg at scale, synthetic reports, {os.cpu_count()} cores (load average at build start: {loads})",
                 fontsize=9)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)


def _p95_or_limit(entry: dict) -> float | None:
    """A query's p95, or its time limit when it passed it (a lower bound, drawn as such)."""
    return entry.get("p95_ms", entry.get("timed_out_s", 0) * 1000 or None)


def _query_panel(ax, results: dict[int, dict], ns: list[int], timed: list[int]) -> None:
    """Median and slowest p95 of each form; a run past the time limit is drawn at the limit
    with a hollow marker (a lower bound), and the slowest query is named at the last count."""
    styles = {"report": ("tab:green", "report=… (one report)"), "all": ("tab:blue", "all reports")}
    for form, (color, which) in styles.items():
        per_n = {n: {name: v for name, q in results[n]["queries"].items() if form in q
                     if (v := _p95_or_limit(q[form])) is not None} for n in timed}
        over = {n: {name for name, q in results[n]["queries"].items() if "timed_out_s" in q.get(form, {})}
                for n in timed}
        median = [statistics.median(per_n[n].values()) for n in timed]
        slowest = [max(per_n[n].values()) for n in timed]
        ax.plot(timed, median, "o-", color=color, label=f"median p95, {which}")
        ax.plot(timed, slowest, "s--", color=color, alpha=0.7, label=f"slowest p95, {which}")
        for n, w in zip(timed, slowest):
            if max(per_n[n], key=per_n[n].get) in over[n]:
                ax.plot([n], [w], "s", mfc="white", color=color)  # at the limit: at least this
        last = timed[-1]
        name = max(per_n[last], key=per_n[last].get)
        ax.annotate(name + (" (past the limit)" if name in over[last] else ""), (last, slowest[-1]),
                    textcoords="offset points", xytext=(-6, 4 if form == "all" else -11), ha="right", fontsize=7,
                    color=color)
    over_counts = {n: sum("timed_out_s" in e for q in results[n]["queries"].values() for e in q.values())
                   for n in timed}
    limit = next((e["timed_out_s"] for n in timed for q in results[n]["queries"].values() for e in q.values()
                  if "timed_out_s" in e), None)
    notes = ["runs past the {:g} s limit (drawn hollow, at the limit): ".format(limit)
             + ", ".join(f"{c} at {n:,} reports" for n, c in over_counts.items() if c)] if limit else []
    untimed = [str(n) for n in ns if n not in timed]
    if untimed:
        notes.append(f"not measured at {', '.join(untimed)} reports")
    ax.axhline(100, color="red", lw=0.8, ls=":", label="target 100 ms")
    ax.set(xscale="log", yscale="log", xlabel="reports", ylabel="ms")
    ax.set_title("\n".join(["Named queries (embedded store)", *notes]), fontsize=9)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--counts", default="1,10,100")
    ap.add_argument("--jobs", type=int, default=None, help="build workers (default: one per core)")
    ap.add_argument("--query-runs", type=int, default=7)
    ap.add_argument("--queries", default=None, help="with --requery: only these named queries (comma-separated)")
    ap.add_argument("--forms", default="all,report",
                    help="with --requery: only these forms, all (every report) and/or report (one)")
    ap.add_argument("--query-limit", type=float, default=60.0,
                    help="seconds one query run may take before its timing ends (default 60)")
    ap.add_argument("--no-queries", action="store_true", help="build and rebuild only (no named-query timings)")
    ap.add_argument("--keep", type=Path, default=None, help="copy each store here")
    ap.add_argument("--requery", action="store_true",
                    help="only time the named queries again, on the stores kept in --keep")
    args = ap.parse_args()
    results = {int(k): v for k, v in (json.loads(RESULTS.read_text()) if RESULTS.exists() else {}).items()}
    for count in [int(c) for c in args.counts.split(",")]:
        if args.requery:
            print(f"N={count}: named queries again", flush=True)
            only = set(args.queries.split(",")) if args.queries else None
            timed = query_times(args.keep / f"store-{count}", "synthetic-00001", args.query_runs,
                                args.query_limit, only, tuple(args.forms.split(",")))
            # --queries or --forms time some again: the others keep their figures.
            earlier = results[count].get("queries") or {}
            partial = only or set(args.forms.split(",")) != {"all", "report"}
            results[count]["queries"] = ({n: {**earlier.get(n, {}), **timed.get(n, {})} for n in sorted({*earlier, *timed})}
                                         if partial else timed)
            results[count]["queries_measured"] = {"at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                                                  "commit": _commit(), "machine": machine(),
                                                  "limit_s": args.query_limit, "load": os.getloadavg()[0],
                                                  "queries": args.queries or "all", "forms": args.forms}
        else:
            results[count] = measure(count, args.jobs, 0 if args.no_queries else args.query_runs, args.keep)
        r = results[count]
        print(json.dumps({k: v for k, v in r.items() if k != "queries"}, indent=1), flush=True)
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps({str(k): results[k] for k in sorted(results)}, indent=1))
        picture(results, PICTURE)
        TABLE.write_text(tables({str(k): results[k] for k in sorted(results)}), encoding="utf-8")
    print(f"results: {RESULTS}\ntables: {TABLE}\npicture: {PICTURE}")


if __name__ == "__main__":
    main()
