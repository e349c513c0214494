"""Time the pages a person opens first, twice each, on a running `esgkg serve`.

    python bench/pages.py --url http://127.0.0.1:8000 [--report ID] [--out FILE.md]

For the pages of a large store (docs/performance.md, "Pages of a large store"): each path is
asked twice in a row, so the table shows the first visit of a store version and a later one
(pages keep what they derive per version), with the status and size of each answer. The
report is the one whose pages are timed where a page takes ``report=`` (default: the first
the reports query lists).
"""
from __future__ import annotations

import argparse
import json
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

PATHS = ("/", "/search?q=climate", "/search?q=%E6%BA%AB%E5%AE%A4", "/sdg", "/sdg?report={report}",
         "/sdg/coverage.svg?report={report}", "/compare", "/compare?report={report}", "/compare?kpi=A1.2",
         "/compare/A1.2.svg",
         "/dataset", "/.well-known/void", "/sitemap.xml", "/dumps/", "/queries/reports")


def fetch(url: str, timeout: float = 300.0) -> tuple[int, int, float]:
    """(status, bytes, seconds) of one GET."""
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            body, status = response.read(), response.status
    except urllib.error.HTTPError as exc:
        body, status = exc.read(), exc.code
    return status, len(body), time.perf_counter() - start


def first_report(base: str) -> str:
    with urllib.request.urlopen(base + "/queries/reports.json", timeout=300) as response:
        rows = json.load(response)["results"]["bindings"]
    return rows[0]["report"]["value"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--report")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    base = args.url.rstrip("/")
    report = args.report or first_report(base)
    lines = [f"Pages on {base}, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, report={report}:", "",
             "| page | first visit | status, bytes | again | status |", "| --- | ---: | --- | ---: | --- |"]
    for path in PATHS:
        url = base + path.format(report=report)
        s1, n1, t1 = fetch(url)
        s2, _, t2 = fetch(url)
        lines.append(f"| `{path}` | {t1 * 1000:,.0f} ms | {s1}, {n1:,} | {t2 * 1000:,.0f} ms | {s2} |")
        print(lines[-1], flush=True)
    if args.out:
        args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
