"""What a draft holds while it is being made: records with the line they were read from, and
the list of things a person must look at."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .text import Line, SourceText

REVIEW_DRAFT = "draft"


@dataclass
class Drafted:
    """One drafted record (the fields of its source-format kind) and where it was read."""

    kind: str
    fields: dict[str, Any]
    line: Line


@dataclass
class Attention:
    """Something the drafter saw but did not write, or wrote with a doubt, for a person."""

    kind: str
    line: Line | None
    what: str


@dataclass
class Draft:
    """The whole draft of one report."""

    report_id: str
    text: SourceText
    report: dict[str, Any] = field(default_factory=dict)
    report_line: Line | None = None
    sections: list[Drafted] = field(default_factory=list)
    records: list[Drafted] = field(default_factory=list)
    observations: list[Drafted] = field(default_factory=list)
    attention: list[Attention] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[Drafted]:
        return [r for r in self.records if r.kind == kind]

    def flag(self, kind: str, line: Line | None, what: str) -> None:
        self.attention.append(Attention(kind, line, what))


@lru_cache(maxsize=1)
def words() -> dict[str, Any]:
    """The structural words of ``words.yaml``."""
    with (Path(__file__).parent / "words.yaml").open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def slugify(text: str, fallback: str) -> str:
    """An ASCII kebab-case id from a label; ``fallback`` when the label has no ASCII letters."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    slug = "-".join(slug.split("-")[:8])
    return slug if re.search(r"[a-z]", slug) else fallback


def unique_id(wanted: str, taken: set[str]) -> str:
    """``wanted``, or ``wanted-2``, ``wanted-3`` ... when taken; the result is added to ``taken``."""
    candidate, n = wanted, 1
    while candidate in taken:
        n += 1
        candidate = f"{wanted}-{n}"
    taken.add(candidate)
    return candidate


def clean(text: str) -> str:
    """A cell or title as printed, without the extraction's trailing full stop and spaces."""
    text = " ".join(text.split())
    return text[:-1].rstrip() if text.endswith(".") and not text.endswith("..") else text


def has_cjk(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" for ch in text)
