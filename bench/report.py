"""Turn bench/run.py's JSON into Markdown tables and one PNG chart (ratios first)."""
from __future__ import annotations

import math
import statistics
from pathlib import Path

PEERS = ("esgkg", "oxigraph", "rdflib-endpoint")


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b else "n/a"


def ratio_table(peers: dict) -> list[str]:
    load = peers["load"]
    lines = ["| clients | esgkg / oxigraph (throughput) | esgkg / rdflib-endpoint (throughput) "
             "| esgkg p95 / oxigraph p95 | esgkg p95 / rdflib p95 |",
             "| ---: | ---: | ---: | ---: | ---: |"]
    for i, row in enumerate(load["esgkg"]):
        ox, rd = load["oxigraph"][i], load["rdflib-endpoint"][i]
        lines.append(f"| {row['clients']} | {_ratio(row['throughput'], ox['throughput'])} | "
                     f"{_ratio(row['throughput'], rd['throughput'])} | {_ratio(row['p95_ms'], ox['p95_ms'])} | "
                     f"{_ratio(row['p95_ms'], rd['p95_ms'])} |")
    return lines


def absolute_table(peers: dict) -> list[str]:
    lines = ["| server | clients | req/s | p50 ms | p95 ms | p99 ms | errors |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for name in PEERS:
        for row in peers["load"][name]:
            lines.append(f"| {name} | {row['clients']} | {row['throughput']:.1f} | {row['p50_ms']:.1f} | "
                         f"{row['p95_ms']:.1f} | {row['p99_ms']:.1f} | {row['errors']} |")
    return lines


def named_table(peers: dict) -> list[str]:
    lines = ["| named query | esgkg p50 ms | esgkg p95 ms | oxigraph p95 ms | < 20 ms |",
             "| --- | ---: | ---: | ---: | :-: |"]
    alone = peers["named_alone"]
    for name, row in alone["esgkg"].items():
        ox = alone["oxigraph"].get(name, {})
        lines.append(f"| {name.removeprefix('named:')} | {row['p50_ms']} | {row['p95_ms']} | "
                     f"{ox.get('p95_ms', '')} | {'yes' if row['p95_ms'] < 20 else 'no'} |")
    for r in peers["agreement"]:
        if r["kind"] == "named" and r["query"] not in alone["esgkg"]:
            lines.append(f"| {r['query'].removeprefix('named:')} | one run: {r['esgkg_ms']} "
                         f"({r['esgkg']}) | | one run: {r['oxigraph_ms']} | no |")
    return lines


def agreement_table(peers: dict) -> list[str]:
    lines = ["| query | kind | esgkg | oxigraph | rdflib-endpoint | in mix |", "| --- | --- | ---: | ---: | ---: | :-: |"]
    for r in peers["agreement"]:
        lines.append(f"| {r['query']} | {r['kind']} | {r['esgkg']} | {r['oxigraph']} | {r['rdflib-endpoint']} | "
                     f"{'yes' if r['in_mix'] else 'no: ' + r['why_not']} |")
    return lines


def scale_table(points: list[dict]) -> list[str]:
    lines = ["| reports | quads | build s | validation s | build peak MB | store MB | "
             "embedded p50 (mix) ms | embedded req/s (4 clients) | remote req/s | oxigraph req/s |",
             "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for p in points:
        b = p.get("build") or {}
        med = statistics.median(v["p50_ms"] for v in p["alone"]["esgkg"].values())
        load = p["load"]
        build_s = b.get("total_s", f"clone load {p.get('clone_load_s')}")
        lines.append(f"| {p['reports']} | {b.get('quads', '')} | {build_s} | {b.get('validation_s') or 'n/a'} | "
                     f"{b.get('peak_rss_mb', '')} | {p['store_mb']} | {med:.1f} | {load['esgkg']['throughput']} | "
                     f"{load['esgkg-remote']['throughput']} | {load['oxigraph']['throughput']} |")
    return lines


def _geomean(values: list[float]) -> float:
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values and min(values) > 0 else 0.0


def cheap_summary(cells: list[dict], mode: str) -> tuple[float, float]:
    """(geometric mean, lowest) of the esgkg / oxigraph ratios of one mode's cells."""
    ratios = [c["ratio"] or 0.0 for c in cells if c["mode"] == mode]
    return _geomean(ratios), min(ratios)


def cheap_table(cells: list[dict]) -> list[str]:
    """The issue-16 table: requests/s of each cheap query, cold and warm, with the peer's."""
    lines = ["| query | clients | esgkg cold | oxigraph cold | cold ratio | esgkg warm | oxigraph warm "
             "| warm ratio |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    by = {(c["query"], c["clients"], c["mode"]): c for c in cells}
    for query, clients in dict.fromkeys((c["query"], c["clients"]) for c in cells):
        row = [f"| {query} | {clients} "]
        for mode in ("cold", "warm"):
            c = by[(query, clients, mode)]
            row.append(f"| {c['esgkg']['throughput']:,.0f} | {c['oxigraph']['throughput']:,.0f} | "
                       f"{c['ratio']:.2f}× ")
        lines.append("".join(row) + "|")
    for mode in ("cold", "warm"):
        mean, low = cheap_summary(cells, mode)
        lines.append(f"| **geometric mean, {mode}** | | | | **{mean:.2f}×** (lowest {low:.2f}×) | | | |"
                     if mode == "cold" else
                     f"| **geometric mean, {mode}** | | | | | | | **{mean:.2f}×** (lowest {low:.2f}×) |")
    return lines


def named_cold_warm_table(alone: dict, agreement: list[dict]) -> list[str]:
    lines = ["| named query | esgkg p95 ms cold | oxigraph p95 ms cold | esgkg p95 ms warm "
             "| oxigraph p95 ms warm | esgkg cold < 20 ms |", "| --- | ---: | ---: | ---: | ---: | :-: |"]
    for name, row in alone["cold"]["esgkg"].items():
        ox = alone["cold"]["oxigraph"].get(name, {})
        warm, ox_warm = alone["warm"]["esgkg"].get(name, {}), alone["warm"]["oxigraph"].get(name, {})
        lines.append(f"| {name.removeprefix('named:')} | {row['p95_ms']} | {ox.get('p95_ms', '')} | "
                     f"{warm.get('p95_ms', '')} | {ox_warm.get('p95_ms', '')} | "
                     f"{'yes' if row['status'] == 200 and row['p95_ms'] < 20 else 'no'} |")
    total = len(alone["cold"]["esgkg"])
    for r in agreement:
        if r["kind"] == "named" and r["query"] not in alone["cold"]["esgkg"]:
            total += 1
            lines.append(f"| {r['query'].removeprefix('named:')} | one run: {r['esgkg_ms']} | one run: "
                         f"{r['oxigraph_ms']} | | | no |")
    met = sum(1 for r in alone["cold"]["esgkg"].values() if r["status"] == 200 and r["p95_ms"] < 20)
    lines.append(f"| **under 20 ms, cold** | **{met} of {total}** | | | | |")
    return lines


def per_request_lines(p: dict) -> list[str]:
    before, after = p["loadavg_before"], p["loadavg_after"]
    return ["## Per-request cost: cheap queries, esgkg beside `oxigraph serve` (requests/s)", "",
            f"wrk, {p['wrk_seconds']} s per point, servers taking turns, best of the rounds; cold: every "
            "request a new query text; warm: the same text again. Load average (1 min) of the machine "
            f"before / after: {before[0]:.1f} / {after[0]:.1f} (2 cores; above 2 means other work "
            "ran beside the benchmark).", "",
            *cheap_table(p["cells"]), "",
            "## Named queries alone (sent in a row on one connection; over 1 s on Oxigraph: once)", "",
            *named_cold_warm_table(p["named_alone"], p["agreement"]), ""]


def chart(out: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = [k for k in ("peers", "scale") if k in out]
    if not panels:
        return
    fig, axes = plt.subplots(1, len(panels), figsize=(6 * len(panels), 4.2))
    axes = [axes] if len(panels) == 1 else list(axes)
    if "peers" in out:
        ax = axes.pop(0)
        load = out["peers"]["load"]
        clients = [r["clients"] for r in load["esgkg"]]
        width = 0.27
        for i, name in enumerate(PEERS):
            xs = [j + (i - 1) * width for j in range(len(clients))]
            ax.bar(xs, [r["throughput"] for r in load[name]], width, label=name)
        ax.set_xticks(range(len(clients)), [f"{c} client{'s' if c > 1 else ''}" for c in clients])
        ax.set_yscale("log")
        ax.set_ylabel("requests/s (log)")
        ax.set_title("Same query mix, bundled report")
        ax.legend()
    if "scale" in out:
        ax = axes.pop(0)
        pts = out["scale"]
        built = [p for p in pts if p.get("build")]
        ax.loglog([p["reports"] for p in built], [p["build"]["total_s"] for p in built], "o-", label="build s")
        ax.loglog([p["reports"] for p in pts],
                  [statistics.median(v["p50_ms"] for v in p["alone"]["esgkg"].values()) / 1000 for p in pts],
                  "s-", label="median query s (embedded)")
        ax.loglog([p["reports"] for p in pts],
                  [statistics.median(v["p50_ms"] for v in p["alone"]["esgkg-remote"].values()) / 1000 for p in pts],
                  "^--", label="median query s (remote Oxigraph)")
        xs = [p["reports"] for p in pts]
        base = built[0]["build"]["total_s"] if built else 1
        ax.loglog(xs, [base * x / xs[0] for x in xs], ":", color="grey", label="linear from 1 report")
        ax.set_xlabel("synthetic reports")
        ax.set_title("Cost against number of reports")
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_report(out: dict, folder: Path, suffix: str = "", stem: str = "results") -> Path:
    m = out["machine"]
    lines = [f"# Benchmark results{' (quick)' if out.get('quick') else ''}", "",
             f"Machine: {m['cpus']} cores, {m['memory_gb']} GB, Python {m['python']}, {m['date']}; "
             f"run took {out['seconds']:.0f} s.", ""]
    if "per_request" in out:
        lines += per_request_lines(out["per_request"])
    if "peers" in out:
        p = out["peers"]
        lines += ["## Ratios (same query mix, bundled report)", "", *ratio_table(p), "",
                  f"## Absolute numbers (wrk, {p['wrk_seconds']} s per point)", "", *absolute_table(p), "",
                  "Memory (RSS incl. workers) idle / peak under load, MB: " +
                  ", ".join(f"{k} {p['idle_rss_mb'][k]} / {p['peak_rss_mb'][k]}" for k in PEERS), "",
                  f"Build of the bundled report: {p['build']}", "",
                  "## Named queries alone on esgkg (sequential, one connection)", "", *named_table(p), "",
                  "## Result agreement (rows or triples)", "", *agreement_table(p), ""]
    if "scale" in out:
        lines += ["## Scale (synthetic reports)", "", *scale_table(out["scale"]), ""]
    md = folder / f"{stem}{suffix}.md"
    md.write_text("\n".join(lines), encoding="utf-8")
    if stem == "results":
        chart(out, folder / f"benchmark{suffix}.png")
    return md
