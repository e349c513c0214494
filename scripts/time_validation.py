"""Measure SHACL validation time on the bundled report and on N synthetic copies of it.

Usage: python scripts/time_validation.py [N ...]   (default: 0 10 100)

Copies are written to a temporary folder (never into graph/reports), each with a new report
id and organisation id and "(synthetic copy NNN)" in its title.
"""
from __future__ import annotations

import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

from esgkg.graph.build import assemble
from esgkg.graph.reference import reports_dir
from esgkg.graph.validation import validate_dataset


def synthetic_reports(dest: Path, copies: int) -> Path:
    """``copies`` copies of every bundled report, with new ids, under ``dest``."""
    for source in sorted(p for p in reports_dir().iterdir() if p.is_dir()):
        for i in range(1, copies + 1):
            rid = f"synthetic-{i:03d}-{source.name}"
            folder = dest / rid
            shutil.copytree(source, folder)
            report = folder / "report.yaml"
            text = report.read_text(encoding="utf-8")
            text = re.sub(r"^id: .*$", f"id: {rid}", text, count=1, flags=re.M)
            text = re.sub(r"^(organisation:\n  id: )(.*)$", rf"\g<1>synthetic-{i:03d}-\2", text, count=1, flags=re.M)
            text = text.replace("en: 'Environmental,", f"en: '(synthetic copy {i:03d}) Environmental,", 1)
            report.write_text(text, encoding="utf-8")
    return dest


def main(sizes: list[int]) -> None:
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            root = synthetic_reports(Path(tmp) / "reports", n) if n else None
            t = time.monotonic()
            dataset = assemble(root)
            assembled = time.monotonic() - t
            outcome = validate_dataset(dataset)
            counts = {s: outcome.count(s) for s in ("Violation", "Warning", "Info")}
            steps = ", ".join(f"{k} {v:.1f}s" for k, v in outcome.timings.items())
            print(f"{'bundled' if not n else f'{n} copies'}: {len(dataset.nquads)} quads; assemble {assembled:.1f}s; "
                  f"validate: {steps}; {counts}", flush=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [0, 10, 100])
