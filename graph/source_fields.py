"""The rules of a report's source records (docs/source-format.md): which record kinds a
folder holds and where, every field's check, the language keys of texts, the columns of
observations.csv. Data and small checks only; :mod:`.sources` reads a folder against them.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any, Callable

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


def is_text(value: Any, required: tuple[str, ...] = ()) -> bool:
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
# Every check is called with the value and the languages its record needs (label_languages).
Check = Callable[[Any, tuple[str, ...]], "str | None"]


def _text(label: bool = True) -> Check:
    """The check of a text field. A label needs the record's languages (the report's own and
    en, the same key for an English report); other texts need at least one language."""
    def check(v: Any, languages: tuple[str, ...] = ()) -> str | None:
        required = languages if label else ()
        return None if is_text(v, required) else text_problem(v, required)
    return check


def _text_list(v: Any, languages: tuple[str, ...] = ()) -> str | None:
    if isinstance(v, list) and all(is_text(x) for x in v):
        return None
    return f"must be a list of language-to-text maps, got {v!r}"


def _enum(*allowed: str) -> Check:
    def check(v: Any, languages: tuple[str, ...] = ()) -> str | None:
        return None if v in allowed else f"must be one of {', '.join(allowed)}; got {v!r}"
    return check


def _enum_list(*allowed: str) -> Check:
    def check(v: Any, languages: tuple[str, ...] = ()) -> str | None:
        bad = [x for x in as_list(v) if x not in allowed]
        if not as_list(v):
            return "must not be empty"
        return None if not bad else f"must be among {', '.join(allowed)}; got {bad!r}"
    return check


def _num(v: Any, languages: tuple[str, ...] = ()) -> str | None:
    return None if parse_number(v) is not None else f"is not a number: {v!r}"


def _int(v: Any, languages: tuple[str, ...] = ()) -> str | None:
    return None if isinstance(v, int) and not isinstance(v, bool) else f"must be a whole number, got {v!r}"


def _bool(v: Any, languages: tuple[str, ...] = ()) -> str | None:
    return None if isinstance(v, bool) else f"must be true or false, got {v!r}"


def _str(v: Any, languages: tuple[str, ...] = ()) -> str | None:
    return None if isinstance(v, (str, int, float)) and str(v).strip() else f"must be a non-empty string, got {v!r}"


def _any(v: Any, languages: tuple[str, ...] = ()) -> str | None:
    return None


def unquoted_number(v: Any, languages: tuple[str, ...] = ()) -> str | None:
    """YAML turns unquoted 2.10 into the number 2.1 and 007 into 7: identifiers and section
    numbers must be written as strings, or the record would silently point elsewhere."""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return (f"must be quoted: YAML read it as the number {v!r}, which may not be what is "
                f"written (2.10 becomes 2.1); write it in quotes, e.g. \"{v}\"")
    return None


def _identifier(v: Any, languages: tuple[str, ...] = ()) -> str | None:
    return unquoted_number(v) or _str(v)


def _sections(v: Any, languages: tuple[str, ...] = ()) -> str | None:
    return next((f"section {problem}" for item in as_list(v) if (problem := unquoted_number(item))), None)


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


def _partial_date(v: Any, languages: tuple[str, ...] = ()) -> str | None:
    """A year, year-month or date as the report gives it (2021, 2024-05, 2024-05-18), quoted."""
    return None if isinstance(v, str) and PARTIAL_DATE.match(v) else f"must be a quoted YYYY, YYYY-MM or YYYY-MM-DD, got {v!r}"


def _contacts(v: Any, languages: tuple[str, ...] = ()) -> str | None:
    ok = isinstance(v, list) and all(isinstance(c, dict) and set(c) == {"kind", "value"} and c["kind"] in CONTACT_KINDS
                                     and isinstance(c["value"], str) and c["value"].strip() for c in v)
    return None if ok else f"must be a list of {{kind: {'|'.join(CONTACT_KINDS)}, value: text as printed}}, got {v!r}"


def _goals(v: Any, languages: tuple[str, ...] = ()) -> str | None:
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


def _source_location(v: Any, languages: tuple[str, ...] = ()) -> str | None:
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
