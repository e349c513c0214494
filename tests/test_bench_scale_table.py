"""The scale tables: what bench/scale.py writes, and that the README shows its last output."""
from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

from scale_table import query_table, tables  # noqa: E402


def _result(report_p95: list, all_p95: list) -> dict:
    def entry(v):
        return {"timed_out_s": 20.0} if v is None else {"p50_ms": v, "p95_ms": v, "runs": 7}

    queries = {f"q{i}": {"report": entry(v)} for i, v in enumerate(report_p95)}
    for i, v in enumerate(all_p95):
        queries.setdefault(f"q{i}", {})["all"] = entry(v)
    return {"quads": 10, "build": {"wall_s": 1.0, "cpu_s": 1.0, "peak_mb": 1.0},
            "rebuild": {"wall_s": 1.0, "reports_reused": 0}, "queries": queries}


def test_a_query_stopped_at_the_limit_counts_as_slower_than_every_timed_one() -> None:
    text = query_table({"1000": _result([10.0, 30.0, 150.0], [50.0, None, None])})
    row = text.splitlines()[-1]
    one, every = row.split(" | ")[1:3]
    assert one == "30.0 ms median, 150.0 ms most; 2 of 3 ≤ 100 ms"
    # Two of three past the limit: the median is past it too, not the one that finished.
    assert every == "> 20 s median, > 20 s most; 1 of 3 ≤ 100 ms (2 past the limit)"


def test_the_readme_shows_the_last_scale_tables() -> None:
    written = (REPO / "bench" / "results" / "scale.md").read_text(encoding="utf-8")
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for table in written.split("\n\n"):
        if table.startswith("|"):
            assert table.strip() in readme, "README.md: paste bench/results/scale.md (python bench/scale_table.py)"


def test_the_tables_file_is_what_the_results_give() -> None:
    import json

    results = json.loads((REPO / "bench" / "results" / "scale.json").read_text(encoding="utf-8"))
    assert (REPO / "bench" / "results" / "scale.md").read_text(encoding="utf-8") == tables(results)
