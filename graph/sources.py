"""Reading and checking one report's source folder (format: docs/source-format.md).

Everything is checked before anything is mapped, and every problem found is reported
at once with its file and line, so a failed check never produces half a graph.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .errors import SourceError, SourceErrors
from .reference import Reference
from .source_fields import (COMMON_TOP_KEYS, EXTRA_TOP_KEYS, FIELDS, KINDS_WITHOUT_ID, LANGUAGE_KEY, LISTS,
                            OBSERVATION_COLUMNS, REVIEW_STATUSES, SECTION_ID, SLUG, VALUE_QUALIFIERS, as_list, is_text,
                            label_languages, language_key, parse_number, text_problem, unquoted_number)
from .yaml_lines import Record, load_yaml

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
    raw_files = _read_list_files(folder, name, checker)
    _take_lists(source, raw_files, checker)
    obs_path = folder / "observations.csv"
    if obs_path.exists():
        source.observations = _read_observations(obs_path, name(obs_path), checker)
    _check_ids_and_references(source, reference, checker)
    if checker.errors:
        raise SourceErrors(checker.errors)
    return source


def _read_list_files(folder: Path, name: Callable[[Path], str], checker: _Checker) -> dict[str, Record]:
    """Every YAML file of the folder that holds record lists, by file name, its top-level keys checked."""
    raw_files: dict[str, Record] = {}
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
    return raw_files


def _take_lists(source: ReportSource, raw_files: dict[str, Record], checker: _Checker) -> None:
    """Each kind's records, every field checked, and the two single maps (assessment, engagement)."""
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
    if "assessment" in raw_files.get("topics.yaml", {}):
        source.assessment = raw_files["topics.yaml"]["assessment"]
    if "engagement" in raw_files.get("stakeholders.yaml", {}):
        source.engagement = raw_files["stakeholders.yaml"]["engagement"]


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
    if "title" in r and not is_text(r["title"], need_languages):
        checker.fail(r, f"title: {text_problem(r['title'], need_languages)}", key="title")
    org = r.get("organisation")
    if isinstance(org, Record):
        if not SLUG.match(str(org.get("id", ""))):
            checker.fail(org, f"organisation id must be a lowercase slug, got {org.get('id')!r}")
        if not is_text(org.get("label"), need_languages):
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
        quoted = unquoted_number(sec.get("id")) or unquoted_number(sec.get("parent"))
        if quoted:
            checker.fail(sec, f"section id or parent {quoted}")
        elif not SECTION_ID.match(sid):
            checker.fail(sec, f"section id {sec.get('id')!r} is not valid (quote numbers: \"1.3\")")
        elif sid in seen:
            checker.fail(sec, f"duplicate section id {sid!r}")
        seen.add(sid)
        if not is_text(sec.get("title")):
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
        problem = check(rec[name], label_languages(rec, checker.languages))
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


class _References:
    """What one report's records may point to: ids by kind, the declared sections, the
    shared reference data; each check files its problem with the checker."""

    def __init__(self, source: ReportSource, ref: Reference, checker: _Checker) -> None:
        self.source, self.ref, self.checker = source, ref, checker
        self.sections = {str(s.get("id")) for s in source.report.get("sections") or [] if isinstance(s, Record)}
        self.ids = {kind: self._unique_ids(kind, records) for kind, records in source.lists.items()
                    if kind not in KINDS_WITHOUT_ID}

    def _unique_ids(self, kind: str, records: list[Record]) -> set[str]:
        seen: dict[str, Record] = {}
        for rec in records:
            rid = str(rec.get("id", ""))
            if not SLUG.match(rid):
                self.checker.fail(rec, f"{kind} id {rec.get('id')!r} must be a lowercase ASCII slug (a-z, 0-9, -)")
            elif rid in seen:
                self.checker.fail(rec, f"duplicate {kind} id {rid!r} (first at line {seen[rid].line})")
            seen[rid] = rec
        return set(seen)

    def ref_ok(self, rec: Record, kind: str, value: Any, field_name: str) -> None:
        for v in as_list(value):
            if str(v) not in self.ids.get(kind, set()):
                self.checker.fail(rec, f"unknown {kind} reference {v!r} in {field_name!r}")

    def section_ok(self, rec: Record, value: Any, field_name: str = "section") -> None:
        for s in as_list(value):
            if str(s) not in self.sections:
                self.checker.fail(rec, f"unknown section {s!r} in {field_name!r} (declare it in report.yaml)")

    def unit_ok(self, rec: Record, unit: Any, key: str = "unit") -> None:
        if _is_unknown_unit(self.ref, unit):
            self.checker.fail(rec, unknown_unit(unit), key=key)


def _is_unknown_unit(ref: Reference, unit: Any) -> bool:
    """True when the unit as printed is in neither the unit table nor its spellings."""
    return ref.conversion(str(unit)) is None


def _check_ids_and_references(source: ReportSource, ref: Reference, checker: _Checker) -> None:
    refs = _References(source, ref, checker)
    for kind, records in source.lists.items():
        for rec in records:
            refs.section_ok(rec, rec.get("section"))
            if "topics" in rec:
                refs.ref_ok(rec, "topic", rec["topics"], "topics")
            if kind in ("concern", "sdg-link") and rec.get("topic"):
                refs.ref_ok(rec, "topic", rec["topic"], "topic")
            _check_prose_references(kind, rec, refs.ref_ok)
            kind_check = _KIND_CHECKS.get(kind)
            if kind_check:
                kind_check(rec, refs)
    _check_observation_references(refs)
    _check_report_references(refs)


def _check_goal_and_targets(rec: Record, refs: _References) -> None:
    goal = rec.get("sdg")
    if not (isinstance(goal, int) and 1 <= goal <= 17):
        refs.checker.fail(rec, f"sdg must be a UN goal number 1-17, got {goal!r}")
    for target in as_list(rec.get("targets")):
        if str(target) not in refs.ref.sdg_targets:
            refs.checker.fail(rec, f"unknown UN SDG target {target!r}")
        elif str(target).split(".")[0] != str(goal):
            refs.checker.fail(rec, f"target {target!r} does not belong to goal {goal}")


def _check_stakeholder(rec: Record, refs: _References) -> None:
    refs.ref_ok(rec, "concern", rec.get("concerns"), "concerns")
    languages = label_languages(rec, refs.checker.languages)  # a draft's channels: like its label
    channel_ids: set[str] = set()
    for ch in as_list(rec.get("channels")):
        if not isinstance(ch, dict) or not SLUG.match(str(ch.get("id", ""))) or not is_text(ch.get("label"), languages):
            refs.checker.fail(rec, f"channel must be {{id: slug, label: {{{', '.join(languages)}: text}}}}, got {ch!r}")
        elif ch["id"] in channel_ids:
            refs.checker.fail(rec, f"duplicate channel id {ch['id']!r}")
        else:
            channel_ids.add(ch["id"])


def _check_body(rec: Record, refs: _References) -> None:
    for f in ("part_of", "reports_to"):
        if rec.get(f):
            refs.ref_ok(rec, "body", rec[f], f)
    _check_external_parent(rec, refs.source, refs.checker)


def _check_metric(rec: Record, refs: _References) -> None:
    refs.unit_ok(rec, rec.get("unit"))
    if rec.get("part_of"):
        refs.ref_ok(rec, "metric", rec["part_of"], "part_of")
        if not rec.get("dimension"):
            refs.checker.fail(rec, "a metric with part_of needs the dimension it breaks down by")
    ratio = rec.get("ratio_of")
    if ratio is not None:
        if not isinstance(ratio, dict) or set(ratio) != {"numerator", "denominator"}:
            refs.checker.fail(rec, "ratio_of must be {numerator: metric, denominator: metric}")
        else:
            refs.ref_ok(rec, "metric", [ratio["numerator"], ratio["denominator"]], "ratio_of")
    derived = rec.get("derived_from")
    if derived is not None:
        if not isinstance(derived, dict) or set(derived) != {"metric", "factor"} or parse_number(derived.get("factor")) is None:
            refs.checker.fail(rec, "derived_from must be {metric: id, factor: number}")
        else:
            refs.ref_ok(rec, "metric", derived["metric"], "derived_from")
    for code in as_list(rec.get("disclosures")):
        scheme, _, c = str(code).partition(":")
        if (scheme, c) not in refs.ref.provisions:
            refs.checker.fail(rec, f"unknown framework provision {code!r} (scheme:code)")


def _check_target(rec: Record, refs: _References) -> None:
    if rec.get("metric"):
        refs.ref_ok(rec, "metric", rec["metric"], "metric")
    if rec.get("unit"):
        refs.unit_ok(rec, rec["unit"])


def _check_disclosure(rec: Record, refs: _References) -> None:
    key = (str(rec.get("scheme")), str(rec.get("code")))
    if key[0] not in refs.ref.schemes:
        refs.checker.fail(rec, f"unknown framework {key[0]!r}; known: {sorted(refs.ref.schemes)}")
    elif key not in refs.ref.provisions:
        refs.checker.fail(rec, f"{key[0]} has no provision {key[1]!r} (graph/reference/frameworks/)")
    refs.section_ok(rec, rec.get("sections"), "sections")
    if rec.get("status") in ("not-applicable", "omitted") and not rec.get("explanation"):
        refs.checker.fail(rec, f"a disclosure that is {rec.get('status')} needs its explanation")


# The references that only one kind of record has, checked after the common ones.
_KIND_CHECKS: dict[str, Callable[[Record, _References], None]] = {
    "action": _check_goal_and_targets, "sdg-link": _check_goal_and_targets, "stakeholder": _check_stakeholder,
    "body": _check_body, "metric": _check_metric, "target": _check_target, "disclosure": _check_disclosure,
}


def _check_observation_references(refs: _References) -> None:
    metrics = refs.ids.get("metric", set())
    seen: dict[tuple, Record] = {}
    for row in refs.source.observations:
        if row.get("metric") not in metrics:
            refs.checker.fail(row, f"unknown metric {row.get('metric')!r} (declare it in metrics.yaml)")
        if row.get("unit") and _is_unknown_unit(refs.ref, row["unit"]):
            refs.checker.fail(row, unknown_unit(row["unit"]))
        refs.section_ok(row, row.get("section"))
    for row in refs.source.observations:
        key = (row.get("metric"), row.get("year"), row.get("section"), row.get("unit") or "")
        if key in seen:
            refs.checker.fail(row, f"duplicate value for {key[0]} {key[1]} in section {key[2]} (first at line {seen[key].line})")
        seen[key] = row


def _check_report_references(refs: _References) -> None:
    approved = refs.source.report.get("approved")
    if isinstance(approved, Record):
        if approved.get("by") and approved["by"] not in refs.ids.get("body", set()):
            refs.checker.fail(approved, f"approved.by {approved['by']!r} is not a body in governance.yaml")
        if approved.get("section"):
            refs.section_ok(approved, approved["section"])
    for fw in refs.source.report.get("frameworks") or []:
        if isinstance(fw, Record):
            refs.section_ok(fw, fw.get("section"))
            if not SLUG.match(str(fw.get("scheme", ""))):
                refs.checker.fail(fw, f"framework scheme must be a slug, got {fw.get('scheme')!r}")


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
