"""One measured build, run as its own process so its peak memory is its own.

Prints one JSON line: seconds per build step (read+map, validation, load+publish), quads,
the version. Validation runs when ``esgkg.graph.validation.build_validator`` gives a
validator; while that is not wired yet it is reported as not measured.

Run: python bench/build_step.py STORE_DIR [REPORTS_DIR]
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from esgkg.graph.build import build
from esgkg.graph.store import StoreRoot


class StepClock:
    """A build Progress that remembers when each step started."""

    def __init__(self) -> None:
        self.marks: list[tuple[str, float]] = []

    def step(self, description: str) -> None:
        self.marks.append((description, time.monotonic()))


def _validator():
    """The project's validation step, or (None, reason) while it is not available."""
    try:
        from esgkg.graph import validation

        return validation.build_validator(force=True), None
    except Exception as exc:  # another helper is writing it; measure what exists
        return None, f"{type(exc).__name__}: {exc}"


def main(store_dir: str, reports_dir: str | None) -> None:
    validate, why = _validator()
    clock = StepClock()
    start = time.monotonic()
    info = build(StoreRoot(store_dir), reports_root=Path(reports_dir) if reports_dir else None,
                 progress=clock, validate=validate)
    total = time.monotonic() - start
    # Each step lasts until the next one starts: validation is the sum of "validating …" steps.
    ends = [t for _, t in clock.marks[1:]] + [start + total]
    validation = sum(end - t for (d, t), end in zip(clock.marks, ends) if d.startswith("validating"))
    load_start = next((t for d, t in clock.marks if d.startswith("loading")), start + total)
    result = {
        "total_s": round(total, 3),
        "assemble_s": round(load_start - start - validation, 3),
        "validation_s": None if validate is None else round(validation, 3),
        "validation_note": why,
        "load_publish_s": round(start + total - load_start, 3),
        "quads": info.meta["quads"],
        "version": info.version,
        "path": str(info.path),
    }
    print("BUILDJSON " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None)
