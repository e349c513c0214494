"""The scale figures as Markdown tables (bench/results/scale.md, and the README's table).

Written by ``bench/scale.py`` after every run from ``bench/results/scale.json``: one row per
number of reports for the build, and the named queries' p95 summarised per form (one report,
all reports) against the issue's 100 ms target, with the host and commit each row was
measured on, so a reader can tell rows of different runs apart.

Run alone: python bench/scale_table.py (prints the tables of the current results file).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

TARGET_MS = 100.0


def _p95(entry: dict | None) -> float | None:
    return entry.get("p95_ms") if entry else None


def _forms(result: dict, form: str) -> list[dict]:
    return [q[form] for q in (result.get("queries") or {}).values() if form in q]


def _summary(entries: list[dict]) -> str:
    """'median p95, most, n ≤ 100 ms of N', a run stopped at the limit counted as longer."""
    if not entries:
        return "not timed"
    limit_s = next((e["timed_out_s"] for e in entries if "timed_out_s" in e), None)
    values = sorted(e["p95_ms"] if "p95_ms" in e else float("inf") for e in entries)
    shown = [f"> {limit_s:g} s" if v == float("inf") else f"{v:,.1f} ms" for v in values]
    under = sum(1 for v in values if v <= TARGET_MS)
    late = sum(1 for v in values if v == float("inf"))
    median = shown[(len(shown) - 1) // 2]
    return (f"{median} median, {shown[-1]} most; {under} of {len(entries)} ≤ {TARGET_MS:g} ms"
            + (f" ({late} past the limit)" if late else ""))


def build_table(results: dict[str, dict]) -> str:
    rows = ["| reports | quads | full build, wall | CPU | peak RSS | rebuild after one change | host loop | commit |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for n in sorted(results, key=int):
        r = results[n]
        b, rb = r["build"], r["rebuild"]
        loop = (r.get("machine") or {}).get("reference_loop_s")
        rows.append(f"| {int(n):,} | {r['quads']:,} | {b['wall_s']:,.0f} s | {b['cpu_s']:,.0f} s | "
                    f"{b['peak_mb']:,.0f} MB | {rb['wall_s']:.1f} s ({rb.get('reports_reused', 0)} reused) | "
                    f"{f'{loop:.2f} s' if loop else '–'} | {r.get('commit') or '–'} |")
    return "\n".join(rows)


def query_table(results: dict[str, dict]) -> str:
    rows = ["| reports | one report (`report=`), p95 | all reports, p95 | timed at |",
            "| ---: | --- | --- | --- |"]
    for n in sorted(results, key=int):
        r = results[n]
        when = (r.get("queries_measured") or {}).get("at") or r.get("measured", "")
        rows.append(f"| {int(n):,} | {_summary(_forms(r, 'report'))} | {_summary(_forms(r, 'all'))} | {when} |")
    return "\n".join(rows)


def tables(results: dict[str, dict]) -> str:
    """Both tables, with the line that says what the host-loop column is."""
    return ("Build (the whole process tree, watched from outside):\n\n" + build_table(results)
            + "\n\nNamed queries in process, as `esgkg query` runs them (p95 of up to 7 runs):\n\n"
            + query_table(results) + "\n\nHost loop: seconds of a fixed pure-Python loop on the host of "
            "the run (`machine` in scale.json); two rows compare as ratios only on hosts of similar loops.\n")


if __name__ == "__main__":
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "results" / "scale.json"
    print(tables(json.loads(source.read_text())))
