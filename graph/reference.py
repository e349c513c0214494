"""Reference data shipped with the project: UN SDG KOS, framework provisions, units."""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path

from rdflib import Graph

from .errors import SourceError, SourceErrors
from .namespaces import SDGO, RDF, code_segment
from .yaml_lines import Record, load_yaml

PROVISION_LEVELS = ("standard", "aspect", "mandatory", "comply-or-explain", "recommended",
                    "general-disclosure", "disclosure", "requirement", "part", "datapoint")
# The SKOS mapping properties a crosswalk row may state (graph/reference/crosswalk.csv).
MAPPING_RELATIONS = ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch")
CROSSWALK_COLUMNS = ["from", "relation", "to", "source", "note"]
# A source key is declared in crosswalk-sources.md by a heading such as "## `hkex-gri` ...".
_SOURCE_HEADING = re.compile(r"^#{2,3}\s+`([a-z0-9][a-z0-9-]*)`", re.MULTILINE)


def package_dir(name: str) -> Path:
    """A data folder installed with the package (works for editable and wheel installs)."""
    return Path(str(resources.files(f"esgkg.{name}")))


def reference_dir() -> Path:
    return package_dir("graph") / "reference"


def reports_dir() -> Path:
    return package_dir("graph") / "reports"


@dataclass(frozen=True)
class Conversion:
    """How a unit as printed becomes the canonical unit of its quantity."""

    printed: str       # the spelling as printed ("10,000 t")
    unit: str          # the canonical unit key of units.yaml ("t")
    factor: Decimal    # printed value × factor = value in ``unit``


def _factor(text: object) -> Decimal | None:
    """A positive decimal factor, or a fraction "1000/3.6" for factors with no finite decimal."""
    try:
        num, _, den = str(text).strip().partition("/")
        value = Decimal(num) / Decimal(den) if den else Decimal(num)
    except (InvalidOperation, ZeroDivisionError, ValueError):
        return None
    return value if value.is_finite() and value > 0 else None


@dataclass(frozen=True)
class Mapping:
    """One checked crosswalk row: ``from`` --relation--> ``to`` (SKOS mapping property)."""

    from_scheme: str
    from_code: str
    relation: str
    to_scheme: str
    to_code: str
    source: str
    note: str
    line: int


@dataclass
class Reference:
    """Checked reference data, with lookup tables used to check report sources."""

    folder: Path
    units: dict[str, Record] = field(default_factory=dict)
    spellings: dict[str, Conversion] = field(default_factory=dict)
    schemes: dict[str, Record] = field(default_factory=dict)
    provisions: dict[tuple[str, str], Record] = field(default_factory=dict)
    goal_names_zh: dict[int, tuple[str, str]] = field(default_factory=dict)
    sdg_graph: Graph = field(default_factory=Graph)
    sdg_targets: set[str] = field(default_factory=set)
    sdg_files: list[Path] = field(default_factory=list)
    crosswalk: list[Mapping] = field(default_factory=list)
    crosswalk_sources: set[str] = field(default_factory=set)

    def conversion(self, printed: str) -> Conversion | None:
        """The conversion of a unit as printed (a spelling or a unit key), None when unknown."""
        return self.spellings.get(" ".join(str(printed).split()))


def _load_units(folder: Path, ref: Reference, errors: list[SourceError]) -> None:
    """units.yaml (unit keys, each canonical or converted to its quantity's canonical key) and
    unit-spellings.csv (units as reports print them, each a key times a multiplier)."""
    units_file = folder / "units.yaml"
    try:
        units = load_yaml(units_file).get("units", {})
    except SourceError as exc:
        errors.append(exc)
        return
    for key, spec in units.items():
        if not isinstance(spec, dict) or "qudt" not in spec or "label" not in spec:
            errors.append(SourceError(str(units_file), getattr(spec, "line", None), f"unit {key!r} needs qudt and label"))
        else:
            ref.units[str(key)] = spec
    for key, spec in ref.units.items():
        target, factor = spec.get("canonical"), _factor(spec.get("factor", 1))
        if target is None:
            ref.spellings[key] = Conversion(key, key, Decimal(1))
        elif str(target) not in ref.units or ref.units[str(target)].get("canonical") is not None:
            errors.append(SourceError(str(units_file), spec.line, f"unit {key!r}: canonical must be a canonical unit key, got {target!r}"))
        elif factor is None:
            errors.append(SourceError(str(units_file), spec.line, f"unit {key!r}: factor must be a positive number or a/b, got {spec.get('factor')!r}"))
        else:
            ref.spellings[key] = Conversion(key, str(target), factor)
    spellings_file = folder / "unit-spellings.csv"
    if not spellings_file.exists():
        return
    with spellings_file.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames != ["spelling", "unit", "multiplier", "note"]:
            errors.append(SourceError(str(spellings_file), 1, "columns must be spelling,unit,multiplier,note"))
            return
        for row in reader:
            line, spelling = reader.line_num, " ".join((row["spelling"] or "").split())
            base, multiplier = ref.spellings.get((row["unit"] or "").strip()), _factor(row["multiplier"])
            if not spelling or spelling in ref.spellings:
                errors.append(SourceError(str(spellings_file), line, f"spelling {spelling!r} is empty or given twice (or is a unit key)"))
            elif base is None:
                errors.append(SourceError(str(spellings_file), line, f"unknown unit key {row['unit']!r} (a key of units.yaml)"))
            elif multiplier is None:
                errors.append(SourceError(str(spellings_file), line, f"multiplier must be a positive number or a/b, got {row['multiplier']!r}"))
            else:
                ref.spellings[spelling] = Conversion(spelling, base.unit, multiplier * base.factor)


def load_reference(folder: Path | None = None) -> Reference:
    """Read and check all reference data; raises :class:`SourceErrors` on any problem."""
    folder = folder or reference_dir()
    ref = Reference(folder=folder)
    errors: list[SourceError] = []

    _load_units(folder, ref, errors)

    for path in sorted((folder / "frameworks").glob("*.yaml")):
        try:
            data = load_yaml(path)
        except SourceError as exc:
            errors.append(exc)
            continue
        scheme = data.get("scheme") if isinstance(data, dict) else None
        if not isinstance(scheme, dict) or "id" not in scheme:
            errors.append(SourceError(str(path), 1, "needs a `scheme:` mapping with an id"))
            continue
        sid = str(scheme["id"])
        ref.schemes[sid] = scheme
        codes: set[str] = set()
        segments: dict[str, str] = {}
        for prov in data.get("provisions") or []:
            code = str(prov.get("code", "")).strip()
            if not code:
                errors.append(SourceError(str(path), prov.line, "provision without code"))
                continue
            if code in codes:
                errors.append(SourceError(str(path), prov.line, f"duplicate provision code {code!r}"))
            codes.add(code)
            segment = code_segment(code)
            if segments.setdefault(segment, code) != code:
                errors.append(SourceError(str(path), prov.line, f"provision {code}: its IRI would be the same as {segments[segment]!r}'s ({segment!r})"))
            if prov.get("level") not in PROVISION_LEVELS:
                errors.append(SourceError(str(path), prov.line, f"provision {code}: level must be one of {', '.join(PROVISION_LEVELS)}, got {prov.get('level')!r}"))
            label = prov.get("label")
            if not isinstance(label, dict) or not label.get("en"):
                errors.append(SourceError(str(path), prov.line, f"provision {code}: needs label with at least en"))
            ref.provisions[(sid, code)] = prov
        for (s, code), prov in ref.provisions.items():
            if s == sid and prov.get("parent") is not None and (sid, str(prov["parent"])) not in ref.provisions:
                errors.append(SourceError(str(path), prov.line, f"provision {code}: unknown parent {prov['parent']!r}"))
            if s == sid and prov.get("replaced_by") is not None and (sid, str(prov["replaced_by"])) not in ref.provisions:
                errors.append(SourceError(str(path), prov.line_of("replaced_by"), f"provision {code}: unknown replaced_by {prov['replaced_by']!r}"))

    errors.extend(load_crosswalk(folder, ref))

    sdg_dir = folder / "sdg"
    ref.sdg_files = sorted(sdg_dir.glob("*.ttl"))
    for ttl in ref.sdg_files:
        try:
            ref.sdg_graph.parse(ttl, format="turtle")
        except Exception as exc:  # rdflib raises many kinds; all mean the file is unusable
            errors.append(SourceError(str(ttl), None, f"cannot parse Turtle: {exc}"))
    ref.sdg_targets = {
        str(s).rsplit("/", 1)[-1] for s in ref.sdg_graph.subjects(RDF.type, SDGO.Target)
    }
    names = sdg_dir / "goals-zh-hant.csv"
    if names.exists():
        with names.open(encoding="utf-8") as fh:
            for line_no, row in enumerate(csv.DictReader(fh), start=2):
                try:
                    ref.goal_names_zh[int(row["goal"])] = (row["label_zh_hant"].strip(), row.get("source", "").strip())
                except (KeyError, ValueError):
                    errors.append(SourceError(str(names), line_no, f"bad row {row!r}"))
    if errors:
        raise SourceErrors(errors)
    return ref


def load_crosswalk(folder: Path, ref: Reference) -> list[SourceError]:
    """Read and check ``crosswalk.csv`` into ``ref.crosswalk``; returns the problems, each with file:line.

    Both ends must be provisions of the reference schemes (``scheme:code``), the relation a
    SKOS mapping property, the two ends in different schemes, the source a key declared in
    ``crosswalk-sources.md``, and a pair of concepts may be mapped once only.
    """
    path = folder / "crosswalk.csv"
    if not path.exists():
        return []
    errors: list[SourceError] = []
    sources_md = folder / "crosswalk-sources.md"
    if sources_md.exists():
        ref.crosswalk_sources = set(_SOURCE_HEADING.findall(sources_md.read_text(encoding="utf-8")))
    seen: dict[frozenset[tuple[str, str]], int] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header != CROSSWALK_COLUMNS:
            return [SourceError(str(path), 1, f"header must be {','.join(CROSSWALK_COLUMNS)}, got {','.join(header or [])!r}")]
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(CROSSWALK_COLUMNS):
                errors.append(SourceError(str(path), line, f"expected {len(CROSSWALK_COLUMNS)} columns, got {len(row)} (quote a note that has a comma)"))
                continue
            cells = dict(zip(CROSSWALK_COLUMNS, (cell.strip() for cell in row)))
            ends: list[tuple[str, str]] = []
            for column in ("from", "to"):
                scheme, sep, code = cells[column].partition(":")
                if not sep or not scheme or not code:
                    errors.append(SourceError(str(path), line, f"{column} must be scheme:code, got {cells[column]!r}"))
                elif scheme not in ref.schemes:
                    errors.append(SourceError(str(path), line, f"{column}: unknown scheme {scheme!r}; known: {', '.join(sorted(ref.schemes))}"))
                elif (scheme, code) not in ref.provisions:
                    errors.append(SourceError(str(path), line, f"{column}: unknown code {code!r} in scheme {scheme!r}"))
                else:
                    ends.append((scheme, code))
            relation = cells["relation"]
            if relation not in MAPPING_RELATIONS:
                errors.append(SourceError(str(path), line, f"relation must be one of {', '.join(MAPPING_RELATIONS)}, got {relation!r}"))
            source = cells["source"]
            if not source:
                errors.append(SourceError(str(path), line, "source is required (a key of crosswalk-sources.md)"))
            elif ref.crosswalk_sources and source not in ref.crosswalk_sources:
                errors.append(SourceError(str(path), line, f"source {source!r} is not declared in {sources_md.name}; declared: {', '.join(sorted(ref.crosswalk_sources))}"))
            if len(ends) != 2 or relation not in MAPPING_RELATIONS or not source:
                continue
            if ends[0][0] == ends[1][0]:
                errors.append(SourceError(str(path), line, f"both ends are in scheme {ends[0][0]!r}; SKOS mapping properties link different schemes"))
                continue
            pair = frozenset(ends)
            if pair in seen:
                errors.append(SourceError(str(path), line, f"{cells['from']} and {cells['to']} are already mapped on line {seen[pair]}"))
                continue
            seen[pair] = line
            ref.crosswalk.append(Mapping(ends[0][0], ends[0][1], relation, ends[1][0], ends[1][1], source, cells["note"], line))
    return errors
