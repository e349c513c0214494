"""Reading and checking one report's source folder (format: docs/source-format.md).

Everything is checked before anything is mapped, and every problem found is reported
at once with its file and line, so a failed check never produces half a graph.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Callable

from .errors import SourceError, SourceErrors
from .reference import Reference
from .yaml_lines import Record, load_yaml

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
SECTION_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]*$")
HORIZONS = ("short", "medium", "long")
PILLARS = ("E", "S", "G")

# kind -> (file, list key): the record lists a report folder may hold. The kind is also
# the IRI path segment of the records it holds.
LISTS: dict[str, tuple[str, str]] = {
    "topic": ("topics.yaml", "topics"),
    "concern": ("stakeholders.yaml", "concerns"),
    "stakeholder": ("stakeholders.yaml", "stakeholders"),
    "action": ("sdg.yaml", "actions"),
    "sdg-link": ("sdg.yaml", "links"),
    "body": ("governance.yaml", "bodies"),
    "document": ("policies.yaml", "documents"),
    "risk": ("risks.yaml", "risks"),
    "metric": ("metrics.yaml", "metrics"),
    "target": ("targets.yaml", "targets"),
    "disclosure": ("disclosures.yaml", "disclosures"),
    # What reports state in prose (graph/mapping_prose.py, docs/data-model.md).
    "post": ("governance.yaml", "posts"),
    "horizon-definition": ("risks.yaml", "horizons"),
    "award": ("awards.yaml", "awards"),
    "programme": ("programmes.yaml", "programmes"),
    "system": ("systems.yaml", "systems"),
    "commitment": ("commitments.yaml", "commitments"),
    "listing": ("listings.yaml", "listings"),
}
EXTRA_TOP_KEYS = {"topics.yaml": {"assessment"}, "stakeholders.yaml": {"engagement"}}
# Every file may carry a top-level curator `note`.
COMMON_TOP_KEYS = {"note"}
KINDS_WITHOUT_ID = {"sdg-link", "disclosure", "horizon-definition"}

BODY_KINDS = ("board", "board-committee", "management-committee", "department",
              "working-group", "external", "business-unit")
DOCUMENT_KINDS = ("internal-policy", "law", "regulation", "standard", "certification",
                  "guideline", "commitment", "framework")
TARGET_KINDS = ("target", "commitment")
TARGET_STATUS = ("achieved", "not-achieved", "in-progress", "committed", "partially-achieved")
OPERATORS = (">=", "<=", "=", "<", ">")
DISCLOSURE_STATUS = ("disclosed", "not-applicable", "omitted", "partially-disclosed")


@dataclass
class ReportSource:
    """One report's checked records, ready for mapping."""

    folder: Path
    report: Record
    lists: dict[str, list[Record]] = field(default_factory=dict)
    assessment: Record | None = None
    engagement: Record | None = None
    observations: list[Record] = field(default_factory=list)

    @property
    def id(self) -> str:
        return str(self.report["id"])

    def records(self, kind: str) -> list[Record]:
        return self.lists.get(kind, [])


class _Checker:
    """Collects problems instead of stopping at the first."""

    def __init__(self) -> None:
        self.errors: list[SourceError] = []
        self.languages: tuple[str, ...] = ("en",)  # the keys a label needs; set from report.yaml

    def fail(self, rec: Record | None, problem: str, file: str = "", line: int | None = None,
             key: str = "") -> None:
        if rec is not None:
            file, line = rec.file, (rec.line_of(key) if key else rec.line)
        self.errors.append(SourceError(file, line, problem))


# A text is a map from language key to words. "zh" is the bundled sources' key for
# Traditional Chinese; any other key is a BCP 47 tag used as written ("en", "ja", "zh-Hans").
LANGUAGE_TAGS = {"zh": "zh-Hant"}
LANGUAGE_KEY = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


def language_tag(key: str) -> str:
    """The BCP 47 tag that a text map's key stands for."""
    return LANGUAGE_TAGS.get(key, key)


def language_key(tag: str) -> str:
    """The text-map key for a report language tag (inverse of :func:`language_tag`)."""
    return next((k for k, t in LANGUAGE_TAGS.items() if t.lower() == tag.lower()), tag)


def _is_text(value: Any, required: tuple[str, ...] = ()) -> bool:
    """A map of language keys to non-empty strings, with at least the ``required`` keys."""
    if not isinstance(value, dict) or not value:
        return False
    if not all(isinstance(k, str) and LANGUAGE_KEY.match(k) for k in value):
        return False
    if not set(required) <= set(value):
        return False
    return all(isinstance(v, str) and v.strip() for v in value.values())


def as_list(value: Any) -> list:
    """A source field that may hold one item or a list of them, as a list (None: empty)."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def parse_number(value: Any) -> Decimal | None:
    """A source value as a finite Decimal, or None when it is not a number (nor a bool)."""
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def text_problem(value: Any, required: tuple[str, ...] = ()) -> str:
    """Why ``value`` is not a language-to-text map with the ``required`` keys, in terms of what
    YAML did with the source: an unquoted comma inside ``{zh: 甲, 乙, en: …}`` makes ``乙`` a key
    of its own, an unquoted ``2.10`` a number."""
    need = " and ".join(required) if required else "one or more languages"
    if not isinstance(value, dict):
        return f"must be a map of language to text with {need}, got {value!r}"
    strays = [k for k in value if not (isinstance(k, str) and LANGUAGE_KEY.match(k))]
    split = next((k for k in strays if value[k] is None), None)
    if split is not None:
        return (f"YAML read {split!r} as a key of its own (an unquoted comma inside {{…}} ends the text "
                f"before it): quote the text, e.g. en: \"A, B\"")
    if strays:
        return f"{strays[0]!r} is not a language key (en, zh, zh-Hant, …)"
    missing = [k for k in required if k not in value]
    if missing:
        return f"needs {need}; {' and '.join(missing)} missing (has {', '.join(map(str, value)) or 'none'})"
    bad = next((k for k, v in value.items() if not (isinstance(v, str) and v.strip())), None)
    if bad is not None:
        got = value[bad]
        what = "empty" if got is None or (isinstance(got, str) and not got.strip()) else \
            f"the {type(got).__name__} {got!r} in YAML (quote it)"
        return f"{bad} is {what}"
    return f"must be a map of language to text with {need} (non-empty strings), got {value!r}"


# Field rules: name -> (required, check). A check returns a problem string or None.
Check = Callable[[Any], "str | None"]


class _Text:
    """The check of a text field. A label needs the report's own language and en (the same
    key for an English report); other texts need at least one language."""

    def __init__(self, label: bool) -> None:
        self.label = label

    def __call__(self, v: Any, languages: tuple[str, ...] = ()) -> str | None:
        required = languages if self.label else ()
        return None if _is_text(v, required) else text_problem(v, required)


def _text(label: bool = True) -> Check:
    return _Text(label)


def _text_list(v: Any) -> str | None:
    if isinstance(v, list) and all(_is_text(x) for x in v):
        return None
    return f"must be a list of language-to-text maps, got {v!r}"


def _enum(*allowed: str) -> Check:
    def check(v: Any) -> str | None:
        return None if v in allowed else f"must be one of {', '.join(allowed)}; got {v!r}"
    return check


def _enum_list(*allowed: str) -> Check:
    def check(v: Any) -> str | None:
        bad = [x for x in as_list(v) if x not in allowed]
        if not as_list(v):
            return "must not be empty"
        return None if not bad else f"must be among {', '.join(allowed)}; got {bad!r}"
    return check


def _num(v: Any) -> str | None:
    return None if parse_number(v) is not None else f"is not a number: {v!r}"


def _int(v: Any) -> str | None:
    return None if isinstance(v, int) and not isinstance(v, bool) else f"must be a whole number, got {v!r}"


def _bool(v: Any) -> str | None:
    return None if isinstance(v, bool) else f"must be true or false, got {v!r}"


def _str(v: Any) -> str | None:
    return None if isinstance(v, (str, int, float)) and str(v).strip() else f"must be a non-empty string, got {v!r}"


def _any(v: Any) -> str | None:
    return None


def _unquoted_number(v: Any) -> str | None:
    """YAML turns unquoted 2.10 into the number 2.1 and 007 into 7: identifiers and section
    numbers must be written as strings, or the record would silently point elsewhere."""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return (f"must be quoted: YAML read it as the number {v!r}, which may not be what is "
                f"written (2.10 becomes 2.1); write it in quotes, e.g. \"{v}\"")
    return None


def _identifier(v: Any) -> str | None:
    return _unquoted_number(v) or _str(v)


def _sections(v: Any) -> str | None:
    return next((f"section {problem}" for item in as_list(v) if (problem := _unquoted_number(item))), None)


NOTE = ("note", False, _any)
ALT_LABELS = ("alt_labels", False, _text_list)
SECTION = ("section", True, _sections)  # values checked against report.yaml separately
LABEL = ("label", True, _text())

FIELDS: dict[str, list[tuple[str, bool, Check]]] = {
    "topic": [("id", True, _identifier), LABEL, ("pillar", True, _enum(*PILLARS)),
              ("matrix_order", False, _int), ("importance_to_stakeholders", False, _num),
              ("importance_to_company", False, _num), ("description", False, _text(False)),
              SECTION, NOTE, ALT_LABELS],
    "concern": [("id", True, _identifier), LABEL, ("topic", False, _str), SECTION, NOTE, ALT_LABELS],
    "stakeholder": [("id", True, _identifier), LABEL, ("concerns", True, _any),
                    ("channels", True, _any), ("description", False, _text(False)), SECTION, NOTE, ALT_LABELS],
    "action": [("id", True, _identifier), LABEL, ("description", False, _text(False)),
               ("sdg", True, _int), ("targets", False, _any), ("topics", False, _any),
               SECTION, NOTE, ALT_LABELS],
    "sdg-link": [("topic", True, _str), ("sdg", True, _int), ("targets", False, _any),
                 ("evidence", False, _text(False)), SECTION, NOTE, ALT_LABELS],
    "body": [("id", True, _identifier), ("kind", True, _enum(*BODY_KINDS)), LABEL, ("relation", False, _text(False)),
             ("part_of", False, _any), ("reports_to", False, _any), ("led_by", False, _text(False)),
             ("members", False, _text(False)), ("responsibilities", False, _text_list),
             ("description", False, _text(False)), SECTION, NOTE, ALT_LABELS],
    "document": [("id", True, _identifier), ("kind", True, _enum(*DOCUMENT_KINDS)), LABEL,
                 ("issuer", False, _text(False)), ("topics", False, _any),
                 ("description", False, _text(False)), SECTION, NOTE, ALT_LABELS],
    "risk": [("id", True, _identifier), ("kind", True, _enum("risk", "opportunity")),
             ("climate", False, _bool), ("category", False, _text(False)), LABEL,
             ("description", False, _text(False)), ("financial_impact", False, _text(False)),
             ("horizon", False, _enum_list(*HORIZONS)), ("horizon_as_written", False, _str),
             ("likelihood", False, _text(False)), ("impact", False, _text(False)),
             ("responses", False, _text_list), ("topics", False, _any), SECTION, NOTE, ALT_LABELS],
    "metric": [("id", True, _identifier), LABEL, ("unit", True, _str), ("topics", False, _any),
               ("group", False, _text(False)), ("footnotes", False, _text_list),
               ("part_of", False, _str), ("dimension", False, _str), ("ratio_of", False, _any),
               ("derived_from", False, _any),
               ("disclosures", False, _any), ("description", False, _text(False)), SECTION, NOTE, ALT_LABELS],
    "target": [("id", True, _identifier), ("kind", True, _enum(*TARGET_KINDS)), LABEL,
               ("metric", False, _str), ("operator", False, _enum(*OPERATORS)),
               ("value", False, _num), ("unit", False, _str), ("year", True, _int),
               ("baseline_year", False, _int), ("actual", False, _num),
               ("actual_as_written", False, _str), ("status", True, _enum(*TARGET_STATUS)),
               ("status_as_written", False, _str), ("description", False, _text(False)),
               ("topics", False, _any), SECTION, NOTE, ALT_LABELS],
    "disclosure": [("scheme", True, _str), ("code", True, _str),
                   ("status", True, _enum(*DISCLOSURE_STATUS)),
                   ("explanation", False, _text(False)), ("sections", False, _sections),
                   ("location_as_written", False, _str), SECTION, NOTE, ALT_LABELS],
}

PROGRAMME_KINDS = ("training", "development-plan", "people", "culture", "community", "volunteer",
                   "charity", "campaign", "initiative", "event")
FREQUENCIES = ("annual", "semi-annual", "quarterly", "monthly", "weekly", "ad-hoc", "one-off", "ongoing")
SYSTEM_KINDS = ("channel", "hotline", "mailbox", "platform", "management-system", "tool", "facility")
CONTACT_KINDS = ("telephone", "email", "address", "url")
PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def _partial_date(v: Any) -> str | None:
    """A year, year-month or date as the report gives it (2021, 2024-05, 2024-05-18), quoted."""
    return None if isinstance(v, str) and PARTIAL_DATE.match(v) else f"must be a quoted YYYY, YYYY-MM or YYYY-MM-DD, got {v!r}"


def _contacts(v: Any) -> str | None:
    ok = isinstance(v, list) and all(isinstance(c, dict) and set(c) == {"kind", "value"} and c["kind"] in CONTACT_KINDS
                                     and isinstance(c["value"], str) and c["value"].strip() for c in v)
    return None if ok else f"must be a list of {{kind: {'|'.join(CONTACT_KINDS)}, value: text as printed}}, got {v!r}"


def _goals(v: Any) -> str | None:
    ok = all(isinstance(g, int) and not isinstance(g, bool) and 1 <= g <= 17 for g in as_list(v))
    return None if ok else f"must be UN goal numbers 1-17, got {v!r}"


PROSE_FIELDS: dict[str, list[tuple[str, bool, Check]]] = {
    "post": [("id", True, _identifier), LABEL, ("post_in", True, _str), ("reports_to", False, _any),
             ("responsibilities", False, _text_list), SECTION, NOTE, ALT_LABELS],
    "horizon-definition": [("horizon", True, _enum(*HORIZONS)), LABEL, ("from_years", False, _num),
                           ("to_years", False, _num), SECTION, NOTE],
    "award": [("id", True, _identifier), LABEL, ("issuer", False, _text()), ("date", False, _partial_date),
              ("for", False, _text(False)), ("topics", False, _any), SECTION, NOTE, ALT_LABELS],
    "programme": [("id", True, _identifier), ("kind", True, _enum(*PROGRAMME_KINDS)), LABEL,
                  ("description", False, _text(False)), ("cadence", False, _text(False)),
                  ("frequency", False, _enum(*FREQUENCIES)), ("start", False, _partial_date),
                  ("end", False, _partial_date), ("partners", False, _text_list),
                  ("beneficiaries", False, _text(False)), ("amounts", False, _text_list),
                  ("metrics", False, _any), ("part_of", False, _str), ("run_by", False, _any),
                  ("topics", False, _any), ("sdgs", False, _goals), SECTION, NOTE, ALT_LABELS],
    "system": [("id", True, _identifier), ("kind", True, _enum(*SYSTEM_KINDS)), LABEL,
               ("description", False, _text(False)), ("contacts", False, _contacts),
               ("operated_by", False, _any), ("topics", False, _any), SECTION, NOTE, ALT_LABELS],
    "commitment": [("id", True, _identifier), LABEL, ("description", False, _text(False)),
                   ("by_year", False, _int), ("made_to", False, _any), ("topics", False, _any), SECTION, NOTE, ALT_LABELS],
    "listing": [("id", True, _identifier), LABEL, ("exchange", True, _text()), ("date", True, _partial_date),
                SECTION, NOTE],
}
FIELDS.update(PROSE_FIELDS)
# Any record may say its label in the report's language is the curators' composition, not
# words the report prints (decisions §23): the completeness test then does not look for it.
for _rules in FIELDS.values():
    _rules.append(("composed", False, _bool))

OBSERVATION_COLUMNS = ("metric", "year", "value", "unit", "section", "as_written", "note", "qualifier", "upper",
                       "review", "page", "line")
# How a printed value is qualified (graph/mapping_bounds.py): the value column holds the
# printed number, `upper` the upper end of a range.
VALUE_QUALIFIERS = ("more-than", "at-least", "less-than", "at-most", "approximately", "range")

# A drafted record (`esgkg draft`, docs/drafting.md) says how far a person has reviewed it and
# where in the source text it was read; both stay when it is accepted or corrected.
REVIEW_STATUSES = ("draft", "accepted", "corrected")


def _source_location(v: Any) -> str | None:
    ok = isinstance(v, dict) and "line" in v and set(v) <= {"page", "line"} and all(
        isinstance(x, int) and not isinstance(x, bool) and x > 0 for x in v.values())
    return None if ok else f"must be {{page: N, line: N}} (positive whole numbers; page optional), got {v!r}"


REVIEW = ("review", False, _enum(*REVIEW_STATUSES))
SOURCE_LOCATION = ("source_location", False, _source_location)
for _rules in FIELDS.values():
    _rules.extend((REVIEW, SOURCE_LOCATION))


def label_languages(rec: Any, languages: tuple[str, ...]) -> tuple[str, ...]:
    """The languages a label needs: a draft has the report's own words only (the English
    translation is the reviewer's to add), every other record the report's language and en."""
    return languages[:1] if isinstance(rec, dict) and rec.get("review") == "draft" else languages


def load_report(folder: Path, reference: Reference, display_root: Path | None = None) -> ReportSource:
    """Read and check every source file of one report folder.

    Raises :class:`SourceErrors` listing every problem (file, line, what is wrong).
    """
    checker = _Checker()

    def name(path: Path) -> str:
        try:
            return str(path.relative_to(display_root)) if display_root else str(path)
        except ValueError:
            return str(path)

    report_file = folder / "report.yaml"
    if not report_file.is_file():
        raise SourceErrors([SourceError(name(report_file), None, "missing: every report folder needs report.yaml")])
    try:
        report = load_yaml(report_file, name(report_file))
    except SourceError as exc:
        raise SourceErrors([exc]) from exc
    source = ReportSource(folder=folder, report=report)
    _check_report_meta(source, checker, folder.name)

    raw_files: dict[str, Any] = {}
    for file_name in sorted({f for f, _ in LISTS.values()}):
        path = folder / file_name
        if not path.exists():
            continue
        try:
            data = load_yaml(path, name(path))
        except SourceError as exc:
            checker.errors.append(exc)
            continue
        if not isinstance(data, Record):
            checker.fail(None, "must be a mapping of lists", name(path), 1)
            continue
        allowed = {k for f, k in LISTS.values() if f == file_name} | EXTRA_TOP_KEYS.get(file_name, set()) | COMMON_TOP_KEYS
        for key in data:
            if key not in allowed:
                checker.fail(data, f"unknown top-level key {key!r}; expected {sorted(allowed)}")
        raw_files[file_name] = data

    for kind, (file_name, key) in LISTS.items():
        data = raw_files.get(file_name)
        if data is None or key not in data:
            continue
        items = data[key]
        if not isinstance(items, list):
            checker.fail(data, f"{key!r} must be a list")
            continue
        records = []
        for item in items:
            if not isinstance(item, Record):
                checker.fail(data, f"every entry of {key!r} must be a mapping, got {item!r}")
                continue
            _check_fields(kind, item, checker)
            records.append(item)
        source.lists[kind] = records
    if "topics.yaml" in raw_files and "assessment" in raw_files["topics.yaml"]:
        source.assessment = raw_files["topics.yaml"]["assessment"]
    if "stakeholders.yaml" in raw_files and "engagement" in raw_files["stakeholders.yaml"]:
        source.engagement = raw_files["stakeholders.yaml"]["engagement"]

    obs_path = folder / "observations.csv"
    if obs_path.exists():
        source.observations = _read_observations(obs_path, name(obs_path), checker)

    _check_ids_and_references(source, reference, checker)
    if checker.errors:
        raise SourceErrors(checker.errors)
    return source


def _check_report_meta(source: ReportSource, checker: _Checker, folder_name: str) -> None:
    r = source.report
    if not isinstance(r, Record):
        checker.fail(None, "report.yaml must be a mapping", "report.yaml", 1)
        return
    for key in ("id", "title", "organisation", "period", "sections"):
        if key not in r:
            checker.fail(r, f"report.yaml is missing {key!r}")
    language = r.get("language")
    if not isinstance(language, str) or not LANGUAGE_KEY.match(language):
        checker.fail(r, f"report.yaml needs language: the BCP 47 tag of the report's text (en, zh-Hant), got {language!r}",
                     key="language")
    else:
        checker.languages = tuple(dict.fromkeys((language_key(language), "en")))
    need_languages = label_languages(r, checker.languages)
    if r.get("id") != folder_name:
        checker.fail(r, f"report id {r.get('id')!r} must equal its folder name {folder_name!r}")
    if "title" in r and not _is_text(r["title"], need_languages):
        checker.fail(r, f"title: {text_problem(r['title'], need_languages)}", key="title")
    org = r.get("organisation")
    if isinstance(org, Record):
        if not SLUG.match(str(org.get("id", ""))):
            checker.fail(org, f"organisation id must be a lowercase slug, got {org.get('id')!r}")
        if not _is_text(org.get("label"), need_languages):
            checker.fail(org, f"organisation label: {text_problem(org.get('label'), need_languages)}", key="label")
    period = r.get("period")
    if isinstance(period, Record):
        for key in ("start", "end"):
            if not re.match(r"^\d{4}-\d{2}-\d{2}$", str(period.get(key, ""))):
                checker.fail(period, f"period {key} must be a date YYYY-MM-DD, got {period.get(key)!r}")
    seen: set[str] = set()
    for sec in r.get("sections") or []:
        if not isinstance(sec, Record):
            checker.fail(r, f"section entries must be mappings, got {sec!r}")
            continue
        sid = str(sec.get("id", ""))
        quoted = _unquoted_number(sec.get("id")) or _unquoted_number(sec.get("parent"))
        if quoted:
            checker.fail(sec, f"section id or parent {quoted}")
        elif not SECTION_ID.match(sid):
            checker.fail(sec, f"section id {sec.get('id')!r} is not valid (quote numbers: \"1.3\")")
        elif sid in seen:
            checker.fail(sec, f"duplicate section id {sid!r}")
        seen.add(sid)
        if not _is_text(sec.get("title")):
            checker.fail(sec, f"section {sid!r} needs a title (a map of language to text)")
    for sec in r.get("sections") or []:
        if isinstance(sec, Record) and sec.get("parent") is not None and str(sec["parent"]) not in seen:
            checker.fail(sec, f"section {sec.get('id')!r} has unknown parent {sec['parent']!r}")


def unknown_unit(printed: Any) -> str:
    return (f"unknown unit {printed!r}: write the unit as printed and add that spelling to "
            "graph/reference/unit-spellings.csv (or use a key of graph/reference/units.yaml)")


def _check_fields(kind: str, rec: Record, checker: _Checker) -> None:
    rules = FIELDS[kind]
    allowed = {name for name, _, _ in rules}
    for key in rec:
        if key not in allowed:
            checker.fail(rec, f"unknown field {key!r} in a {kind}; allowed: {', '.join(sorted(allowed))}", key=key)
    for name, required, check in rules:
        if name not in rec or rec[name] is None:
            if required:
                what = "missing section (every record needs its report section)" if name == "section" else f"missing required field {name!r}"
                checker.fail(rec, f"{kind} {rec.get('id', '')!s}: {what}".replace("  ", " "))
            continue
        problem = check(rec[name], label_languages(rec, checker.languages)) if isinstance(check, _Text) else check(rec[name])
        if problem:
            checker.fail(rec, f"{kind} {rec.get('id', '')}: {name} {problem}", key=name)
    _check_review_kept(kind, rec, checker)


def _check_review_kept(kind: str, rec: Record, checker: _Checker) -> None:
    """Reviewing a draft never loses where it was read: a reviewed record keeps its location."""
    if rec.get("review") and not rec.get("source_location"):
        checker.fail(rec, f"{kind} {rec.get('id', '')}: review {rec['review']!r} without source_location: "
                     "keep the page and line the record was drafted from (docs/drafting.md)", key="review")


def _read_observations(path: Path, display: str, checker: _Checker) -> list[Record]:
    rows: list[Record] = []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        checker.fail(None, f"not UTF-8 text ({exc.reason})", display, None)
        return rows
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in ("metric", "year", "value", "section") if c not in (reader.fieldnames or [])]
    if missing:
        checker.fail(None, f"missing column(s) {missing}; expected {', '.join(OBSERVATION_COLUMNS)}", display, 1)
        return rows
    extra = [c for c in reader.fieldnames or [] if c not in OBSERVATION_COLUMNS]
    if extra:
        checker.fail(None, f"unknown column(s) {extra}; expected {', '.join(OBSERVATION_COLUMNS)}", display, 1)
    for row in reader:
        rec = Record({k: (v.strip() if isinstance(v, str) else v) for k, v in row.items() if k})
        rec.file, rec.line = display, reader.line_num
        if None in row:
            checker.fail(rec, f"row has more cells than the header: {row[None]!r}")
        if parse_number(rec.get("value")) is None:
            checker.fail(rec, f"value is not a number: {rec.get('value')!r} (metric {rec.get('metric')!r})")
        year = rec.get("year", "")
        if not (year.isdigit() and 1900 <= int(year) <= 2200):
            checker.fail(rec, f"year must be a four-digit year, got {year!r}")
        if not rec.get("section"):
            checker.fail(rec, "missing section (every value needs the report section it came from)")
        _check_row_review(rec, checker)
        _check_qualifier(rec, checker)
        rows.append(rec)
    return rows


def _check_row_review(rec: Record, checker: _Checker) -> None:
    """The optional review columns of a drafted observation row."""
    if rec.get("review") and rec["review"] not in REVIEW_STATUSES:
        checker.fail(rec, f"review must be one of {', '.join(REVIEW_STATUSES)}; got {rec['review']!r}")
    if rec.get("review") and not rec.get("line"):
        checker.fail(rec, f"review {rec['review']!r} without line: keep where the value was drafted from")
    for col in ("page", "line"):
        if rec.get(col) and not str(rec[col]).isdigit():
            checker.fail(rec, f"{col} must be a whole number (where the value was read), got {rec[col]!r}")


def _check_ids_and_references(source: ReportSource, ref: Reference, checker: _Checker) -> None:
    sections = {str(s.get("id")) for s in source.report.get("sections") or [] if isinstance(s, Record)}
    ids: dict[str, set[str]] = {}
    for kind, records in source.lists.items():
        if kind in KINDS_WITHOUT_ID:
            continue
        seen: dict[str, Record] = {}
        for rec in records:
            rid = str(rec.get("id", ""))
            if not SLUG.match(rid):
                checker.fail(rec, f"{kind} id {rec.get('id')!r} must be a lowercase ASCII slug (a-z, 0-9, -)")
            elif rid in seen:
                checker.fail(rec, f"duplicate {kind} id {rid!r} (first at line {seen[rid].line})")
            seen[rid] = rec
        ids[kind] = set(seen)

    def ref_ok(rec: Record, kind: str, value: Any, field_name: str) -> None:
        for v in as_list(value):
            if str(v) not in ids.get(kind, set()):
                checker.fail(rec, f"unknown {kind} reference {v!r} in {field_name!r}")

    def section_ok(rec: Record, value: Any, field_name: str = "section") -> None:
        for s in as_list(value):
            if str(s) not in sections:
                checker.fail(rec, f"unknown section {s!r} in {field_name!r} (declare it in report.yaml)")

    for kind, records in source.lists.items():
        for rec in records:
            section_ok(rec, rec.get("section"))
            if "topics" in rec:
                ref_ok(rec, "topic", rec["topics"], "topics")
            if kind in ("concern", "sdg-link") and rec.get("topic"):
                ref_ok(rec, "topic", rec["topic"], "topic")
            if kind in ("action", "sdg-link"):
                goal = rec.get("sdg")
                if not (isinstance(goal, int) and 1 <= goal <= 17):
                    checker.fail(rec, f"sdg must be a UN goal number 1-17, got {goal!r}")
                for target in as_list(rec.get("targets")):
                    if str(target) not in ref.sdg_targets:
                        checker.fail(rec, f"unknown UN SDG target {target!r}")
                    elif str(target).split(".")[0] != str(goal):
                        checker.fail(rec, f"target {target!r} does not belong to goal {goal}")
            if kind == "stakeholder":
                ref_ok(rec, "concern", rec.get("concerns"), "concerns")
                channel_ids: set[str] = set()
                for ch in as_list(rec.get("channels")):
                    if not isinstance(ch, dict) or not SLUG.match(str(ch.get("id", ""))) or not _is_text(ch.get("label"), checker.languages):
                        checker.fail(rec, f"channel must be {{id: slug, label: {{{', '.join(checker.languages)}: text}}}}, got {ch!r}")
                    elif ch["id"] in channel_ids:
                        checker.fail(rec, f"duplicate channel id {ch['id']!r}")
                    else:
                        channel_ids.add(ch["id"])
            if kind == "body":
                for f in ("part_of", "reports_to"):
                    if rec.get(f):
                        ref_ok(rec, "body", rec[f], f)
                _check_external_parent(rec, source, checker)
            _check_prose_references(kind, rec, ref_ok)
            if kind == "metric":
                if ref.conversion(str(rec.get("unit"))) is None:
                    checker.fail(rec, unknown_unit(rec.get("unit")), key="unit")
                if rec.get("part_of"):
                    ref_ok(rec, "metric", rec["part_of"], "part_of")
                    if not rec.get("dimension"):
                        checker.fail(rec, "a metric with part_of needs the dimension it breaks down by")
                ratio = rec.get("ratio_of")
                if ratio is not None:
                    if not isinstance(ratio, dict) or set(ratio) != {"numerator", "denominator"}:
                        checker.fail(rec, "ratio_of must be {numerator: metric, denominator: metric}")
                    else:
                        ref_ok(rec, "metric", [ratio["numerator"], ratio["denominator"]], "ratio_of")
                derived = rec.get("derived_from")
                if derived is not None:
                    if not isinstance(derived, dict) or set(derived) != {"metric", "factor"} or parse_number(derived.get("factor")) is None:
                        checker.fail(rec, "derived_from must be {metric: id, factor: number}")
                    else:
                        ref_ok(rec, "metric", derived["metric"], "derived_from")
                for code in as_list(rec.get("disclosures")):
                    scheme, _, c = str(code).partition(":")
                    if (scheme, c) not in ref.provisions:
                        checker.fail(rec, f"unknown framework provision {code!r} (scheme:code)")
            if kind == "target":
                if rec.get("metric"):
                    ref_ok(rec, "metric", rec["metric"], "metric")
                if rec.get("unit") and ref.conversion(str(rec["unit"])) is None:
                    checker.fail(rec, unknown_unit(rec.get("unit")), key="unit")
            if kind == "disclosure":
                key = (str(rec.get("scheme")), str(rec.get("code")))
                if key[0] not in ref.schemes:
                    checker.fail(rec, f"unknown framework {key[0]!r}; known: {sorted(ref.schemes)}")
                elif key not in ref.provisions:
                    checker.fail(rec, f"{key[0]} has no provision {key[1]!r} (graph/reference/frameworks/)")
                section_ok(rec, rec.get("sections"), "sections")
                if rec.get("status") in ("not-applicable", "omitted") and not rec.get("explanation"):
                    checker.fail(rec, f"a disclosure that is {rec.get('status')} needs its explanation")
    by_metric = ids.get("metric", set())
    for row in source.observations:
        if row.get("metric") not in by_metric:
            checker.fail(row, f"unknown metric {row.get('metric')!r} (declare it in metrics.yaml)")
        if row.get("unit") and ref.conversion(row["unit"]) is None:
            checker.fail(row, unknown_unit(row["unit"]))
        section_ok(row, row.get("section"))
    seen_obs: dict[tuple, Record] = {}
    for row in source.observations:
        key = (row.get("metric"), row.get("year"), row.get("section"), row.get("unit") or "")
        if key in seen_obs:
            checker.fail(row, f"duplicate value for {key[0]} {key[1]} in section {key[2]} (first at line {seen_obs[key].line})")
        seen_obs[key] = row
    approved = source.report.get("approved")
    if isinstance(approved, Record):
        if approved.get("by") and approved["by"] not in ids.get("body", set()):
            checker.fail(approved, f"approved.by {approved['by']!r} is not a body in governance.yaml")
        if approved.get("section"):
            section_ok(approved, approved["section"])
    for fw in source.report.get("frameworks") or []:
        if isinstance(fw, Record):
            section_ok(fw, fw.get("section"))
            if not SLUG.match(str(fw.get("scheme", ""))):
                checker.fail(fw, f"framework scheme must be a slug, got {fw.get('scheme')!r}")


def _check_external_parent(rec: Record, source: ReportSource, checker: _Checker) -> None:
    """An external body is part of nothing but another external body, and no body of the
    organisation is part of an external one: the one would become a unit of the other."""
    parent = next((b for b in source.records("body") if str(b.get("id")) == str(rec.get("part_of"))), None)
    if parent is None:
        return
    if (rec.get("kind") == "external") != (parent.get("kind") == "external"):
        checker.fail(rec, f"body {rec.get('id')}: part_of {parent.get('id')!r} mixes an external body with "
                          "one of the organisation (an external body is linked to the organisation, never a unit of it)",
                     key="part_of")


def _check_qualifier(rec: Record, checker: _Checker) -> None:
    """A qualifier from the list; a range, and only a range, has an upper end above its value."""
    qualifier, upper = rec.get("qualifier") or "", rec.get("upper") or ""
    if qualifier and qualifier not in VALUE_QUALIFIERS:
        checker.fail(rec, f"qualifier must be one of {', '.join(VALUE_QUALIFIERS)}; got {qualifier!r}")
    elif (qualifier == "range") != bool(upper):
        checker.fail(rec, "a range needs its upper end in column upper, and only a range has one "
                          f"(qualifier {qualifier!r}, upper {upper!r})")
    elif upper and (parse_number(upper) is None or parse_number(upper) <= (parse_number(rec.get("value")) or 0)):
        checker.fail(rec, f"upper must be a number above value, got {upper!r}")


# kind -> (field, kind it refers to): the references of the prose records.
PROSE_REFERENCES: dict[str, tuple[tuple[str, str], ...]] = {
    "post": (("post_in", "body"), ("reports_to", "post")),
    "programme": (("metrics", "metric"), ("part_of", "programme"), ("run_by", "body")),
    "system": (("operated_by", "body"),),
    "commitment": (("made_to", "body"),),
}


def _check_prose_references(kind: str, rec: Record, ref_ok: Callable[[Record, str, Any, str], None]) -> None:
    for field_name, target in PROSE_REFERENCES.get(kind, ()):
        if rec.get(field_name):
            ref_ok(rec, target, rec[field_name], field_name)
