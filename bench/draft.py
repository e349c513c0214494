"""How much of a curated report `esgkg draft` gets right, and how fast (docs/drafting.md).

For each of the three curated reports, drafts its text into a temporary folder (the whole
command: read, draft, write, source-format check) and compares the draft with the curated
source folder in graph/reports/:

- sections: a drafted section is right when a curated one has its id or its title;
- index entries: (framework, code) pairs;
- KPI observations: (year, value, unit), the value and unit compared in the canonical unit
  of the quantity (so "10,000 t" 4.27 equals t 42700), as a multiset;
- KPI table values: recall on the curated values of metrics printed for two or more years in
  one section (year columns: what a table drafter can read; the rest are values in prose);
- named documents: the label in the report's language, compared without case, spaces,
  punctuation or 《》;
- material topics and stakeholder groups: the label in the report's language, compared after
  whitespace and case normalisation only;
- stakeholder channels and concerns: (group label, channel or concern label) pairs, both labels
  normalised so, so a channel counts only under the right group.

Recall = right / curated, precision = right / drafted. Texts come from /work/shared (the
bundled report's text is also in graph/reports/oneconnect-2024/source/); a report whose text
is absent is skipped with its reason.

    python bench/draft.py [--json FILE]
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from esgkg.graph.draft import draft_report  # noqa: E402
from esgkg.graph.reference import load_reference  # noqa: E402
from esgkg.graph.sources import ReportSource, language_key, load_report, parse_number  # noqa: E402

SHARED = ROOT.parent / "shared"
REPORTS = {
    "oneconnect-2024": [ROOT / "graph/reports/oneconnect-2024/source/report.txt",
                        Path("/work/shared/seed/000_b2fb1fc4904d888d.txt")],
    "chalco-2019": [SHARED / "corpus/chalco-2019.txt", Path("/work/shared/corpus/chalco-2019.txt")],
    "baidu-2021": [SHARED / "corpus/baidu-2021.txt", Path("/work/shared/corpus/baidu-2021.txt")],
}
TARGETS = {"index entries": 0.95, "sections": 0.90, "KPI observations": 0.70}
OBSERVATION_PRECISION = 0.98


def norm(text: str) -> str:
    return re.sub(r"[\W_]+", "", str(text).casefold())


def _text(value: dict, lang: str) -> str:
    return str(value.get(lang) or next(iter(value.values())))


def sections(src: ReportSource, lang: str) -> list[tuple[str, str]]:
    return [(str(s["id"]), norm(_text(s["title"], lang))) for s in src.report["sections"]]


def observations(src: ReportSource, ref, tables_only: bool = False) -> Counter:
    """(year, canonical value, canonical unit) of every value; ``tables_only``: only the values of
    metrics printed for two or more years in one section (the year columns of a KPI table)."""
    units = {m["id"]: str(m["unit"]) for m in src.records("metric")}
    years: dict[tuple, set] = {}
    for row in src.observations:
        years.setdefault((row["metric"], row["section"]), set()).add(row["year"])
    out: Counter = Counter()
    for row in src.observations:
        if tables_only and len(years[(row["metric"], row["section"])]) < 2:
            continue
        conv = ref.conversion(row.get("unit") or units[row["metric"]])
        value = parse_number(row["value"]) * conv.factor
        out[(str(row["year"]), value.normalize(), conv.unit)] += 1
    return out


def score(right: int, total: int) -> float | None:
    return right / total if total else None


def compare(draft: ReportSource, curated: ReportSource, ref) -> dict[str, dict]:
    lang = language_key(str(curated.report["language"]))
    result = {}
    cur_s, dr_s = sections(curated, lang), sections(draft, lang)
    ids, titles = {i for i, _ in cur_s}, {t for _, t in cur_s}
    right_d = sum(1 for i, t in dr_s if i in ids or t in titles)
    d_ids, d_titles = {i for i, _ in dr_s}, {t for _, t in dr_s}
    right_c = sum(1 for i, t in cur_s if i in d_ids or t in d_titles)
    result["sections"] = {"curated": len(cur_s), "drafted": len(dr_s),
                          "recall": score(right_c, len(cur_s)), "precision": score(right_d, len(dr_s))}
    cur_i = {(str(r["scheme"]), str(r["code"])) for r in curated.records("disclosure")}
    dr_i = {(str(r["scheme"]), str(r["code"])) for r in draft.records("disclosure")}
    result["index entries"] = {"curated": len(cur_i), "drafted": len(dr_i),
                               "recall": score(len(cur_i & dr_i), len(cur_i)),
                               "precision": score(len(cur_i & dr_i), len(dr_i))}
    cur_o, dr_o = observations(curated, ref), observations(draft, ref)
    both = sum((cur_o & dr_o).values())
    result["KPI observations"] = {"curated": sum(cur_o.values()), "drafted": sum(dr_o.values()),
                                  "recall": score(both, sum(cur_o.values())),
                                  "precision": score(both, sum(dr_o.values()))}
    cur_t = observations(curated, ref, tables_only=True)
    result["KPI table values"] = {"curated": sum(cur_t.values()), "drafted": sum(dr_o.values()),
                                  "recall": score(sum((cur_t & dr_o).values()), sum(cur_t.values())),
                                  "precision": None}
    cur_d = {norm(_text(r["label"], lang)) for r in curated.records("document")}
    dr_d = {norm(_text(r["label"], lang)) for r in draft.records("document")}
    result["named documents"] = {"curated": len(cur_d), "drafted": len(dr_d),
                                 "recall": score(len(cur_d & dr_d), len(cur_d)),
                                 "precision": score(len(cur_d & dr_d), len(dr_d))}
    for kind, name in (("topic", "material topics"), ("stakeholder", "stakeholder groups")):
        cur = {label(r, lang) for r in curated.records(kind)}
        dr = {label(r, lang) for r in draft.records(kind)}
        result[name] = {"curated": len(cur), "drafted": len(dr), "recall": score(len(cur & dr), len(cur)),
                        "precision": score(len(cur & dr), len(dr))}
    for name in ("channels", "concerns"):
        cur, dr = group_pairs(curated, lang, name), group_pairs(draft, lang, name)
        result[f"stakeholder {name}"] = {"curated": len(cur), "drafted": len(dr),
                                         "recall": score(len(cur & dr), len(cur)), "precision": score(len(cur & dr), len(dr))}
    return result


def group_pairs(src: ReportSource, lang: str, column: str) -> set[tuple[str, str]]:
    """(group label, channel or concern label) pairs of the stakeholder records, labels normalised
    as :func:`label` does: a pair is right when the group and its channel (concern) both match."""
    concerns = {str(c["id"]): label(c, lang) for c in src.records("concern")}
    out = set()
    for group in src.records("stakeholder"):
        for item in group.get(column) or []:
            out.add((label(group, lang), label(item, lang) if column == "channels" else concerns.get(str(item), "")))
    return out


def label(record: dict, lang: str) -> str:
    """A label with its whitespace and case normalised, nothing else."""
    return " ".join(_text(record["label"], lang).split()).casefold()


def run() -> dict:
    ref = load_reference()
    out = {}
    for rid, candidates in REPORTS.items():
        text = next((p for p in candidates if p.is_file()), None)
        if text is None:
            print(f"{rid}: skipped, no text at {candidates[0]}", file=sys.stderr)
            continue
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            summary = draft_report(text, rid, Path(tmp), ref=ref)
            seconds = time.perf_counter() - started
            draft = load_report(Path(tmp) / rid, ref)
        curated = load_report(ROOT / "graph/reports" / rid, ref)
        out[rid] = {"seconds": round(seconds, 2), "attention": sum(summary.attention.values()),
                    **compare(draft, curated, ref)}
    return out


def table(results: dict) -> str:
    lines = ["| report | kind | curated | drafted | recall | precision |", "| --- | --- | ---: | ---: | ---: | ---: |"]
    pct = lambda x: "–" if x is None else f"{100 * x:.0f}%"  # noqa: E731
    for rid, r in results.items():
        for kind in ("sections", "index entries", "KPI observations", "KPI table values", "named documents",
                     "material topics", "stakeholder groups", "stakeholder channels", "stakeholder concerns"):
            k = r[kind]
            lines.append(f"| {rid} | {kind} | {k['curated']} | {k['drafted']} | {pct(k['recall'])} | {pct(k['precision'])} |")
        lines.append(f"| {rid} | time | | | {r['seconds']:.2f} s | |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    results = run()
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str) + "\n")


if __name__ == "__main__":
    main()
