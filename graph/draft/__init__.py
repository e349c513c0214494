"""Drafting a report's source folder from its PDF or text (docs/drafting.md).

The drafter reads the report's own structure (contents, framework indexes, KPI tables, named
documents) and writes records in the project's source format, each marked ``review: draft``
with the page and line it was read from. What it cannot read with confidence it leaves out
and lists in ``needs-review.md``: a wrong number is worse than a missing one.
"""
from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..build import Progress
from ..errors import EsgkgError, SourceErrors
from ..reference import Reference, load_reference
from ..sources import language_key, load_report
from .documents import draft_documents
from .indexes import draft_indexes, index_lines
from .meta import detect_language, draft_meta
from .model import Draft
from .sections import SectionIndex, draft_sections
from .stakeholders import draft_stakeholders
from .tables import draft_tables
from .topics import draft_topics
from .text import DraftInputError, SourceText, read_source
from .write import DraftOutputError, render, write_atomically

__all__ = ["DraftInputError", "DraftOutputError", "DraftSummary", "draft_report", "make_draft"]

REPORT_ID = re.compile(r"^([a-z0-9][a-z0-9-]*)-(\d{4})$")


class _Silent:
    """Progress that shows nothing (library use without a display)."""

    def step(self, description: str) -> None:
        pass


@dataclass
class DraftSummary:
    """What a draft holds, by kind, and how much it left for a person."""

    folder: Path | None
    language: str
    counts: Counter = field(default_factory=Counter)
    attention: Counter = field(default_factory=Counter)
    seconds: float = 0.0


def _report_id(report_id: str) -> re.Match:
    m = REPORT_ID.match(report_id)
    if not m:
        raise EsgkgError(f"--id {report_id!r} must be ORG-YEAR: a lowercase slug and a four-digit year (acme-2025)")
    return m


def make_draft(path: Path, report_id: str, ref: Reference, progress: Progress | None = None,
               text: SourceText | None = None) -> Draft:
    """Read ``path`` (unless its ``text`` is given) and draft every kind the drafter knows, in memory."""
    progress = progress or _Silent()
    m = _report_id(report_id)
    if text is None:
        progress.step(f"reading {path.name}")
        text = read_source(path)
    d = Draft(report_id, text)
    d.report["_format"] = (f"text extracted from PDF by pypdfium2 ({text.pages} pages)" if text.format == "pdf"
                           else "text as given")
    tag = detect_language(d)
    lang = language_key(tag)
    progress.step(f"{len(text.lines)} lines, language {tag}; finding the sections")
    draft_sections(d, lang, skip=index_lines(text.lines, ref))
    index = SectionIndex(d)
    progress.step(f"{len(d.sections)} sections; reading the metadata")
    d.report["language"] = tag
    draft_meta(d, index, lang, m.group(1), int(m.group(2)))
    progress.step("reading the framework indexes")
    draft_indexes(d, ref, index, lang)
    progress.step("reading the KPI tables")
    draft_tables(d, ref, index, lang)
    progress.step("finding named documents")
    draft_documents(d, index, lang)
    progress.step("finding the material topics")
    draft_topics(d, index, lang)
    progress.step("reading the stakeholder table")
    draft_stakeholders(d, index, lang)
    return d


def draft_report(path: Path, report_id: str, out_dir: Path, progress: Progress | None = None,
                 force: bool = False, ref: Reference | None = None) -> DraftSummary:
    """Draft ``path`` into ``out_dir/<report_id>``, checked against the source format before it
    is renamed into place (nothing is written when any step fails)."""
    started = time.monotonic()
    progress = progress or _Silent()
    _report_id(report_id)
    progress.step(f"reading {path.name}")
    text = read_source(path)  # before the reference data: a bad input is refused at once
    ref = ref or load_reference()
    d = make_draft(path, report_id, ref, progress, text=text)
    progress.step("writing and checking the draft folder")
    files = render(d, path.name)

    def check(folder: Path) -> None:
        try:
            load_report(folder, ref, display_root=folder.parent)
        except SourceErrors as exc:
            raise EsgkgError(f"the draft of {path} does not pass the source-format check (a drafter bug; "
                             f"nothing was written):\n{exc}") from exc

    target = out_dir / report_id
    write_atomically(files, target, check, force=force)
    counts = Counter({"section": len(d.sections), "observation": len(d.observations)})
    counts.update(r.kind for r in d.records)
    return DraftSummary(target, str(d.report["language"]), counts, Counter(a.kind for a in d.attention),
                        time.monotonic() - started)
