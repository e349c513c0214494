"""The parameter types of named queries: how a given value is checked and written as one
SPARQL term (never pasted into the text as it stands)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import EsgkgError

SDG_BASE = "http://metadata.un.org/sdg/"
XSD = "http://www.w3.org/2001/XMLSchema#"
UNBOUND = "all"
# An id or a query name: what a URL path segment and a CLI argument may hold.
SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")

_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_SDG_GOAL_OR_TARGET = re.compile(r"^(?:sdg\s*)?(\d{1,2})(?:\.(\w{1,2}))?$", re.IGNORECASE)


class NamedQueryError(EsgkgError):
    """A named query is unknown or malformed, or a parameter value is not acceptable."""


@dataclass(frozen=True)
class Param:
    """One declared parameter of a named query."""

    name: str
    type: str
    default: str | None  # None: unbound unless given ("default: all")
    required: bool
    description: str
    choices: tuple[str, ...] = ()  # "one of: A|B|C": the only values accepted
    ids: str | None = None  # "ids: KIND": a value must be an id of that kind in the store

    def accepted(self) -> str:
        """What the parameter accepts, in words (for messages and the query pages)."""
        if self.choices:
            return "one of " + ", ".join(self.choices)
        if self.ids:
            return f"a {self.ids} id of the store"
        return TYPE_HELP[self.type]


def _escape_string(value: str) -> str:
    """A SPARQL string literal body: the escapes of the STRING_LITERAL_QUOTE production."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def _term_slug(value: str) -> str:
    if not SLUG.match(value):
        raise ValueError("expected an id such as 'climate-change' (letters, digits, '.', '_', '-')")
    return f'"{value}"'


def _term_string(value: str) -> str:
    if len(value) > 500:
        raise ValueError("text longer than 500 characters")
    return f'"{_escape_string(value)}"'


def _term_integer(value: str) -> str:
    if not re.fullmatch(r"[+-]?\d{1,18}", value.strip()):
        raise ValueError("expected a whole number")
    return str(int(value))


def _term_year(value: str) -> str:
    if not re.fullmatch(r"\d{4}", value.strip()):
        raise ValueError("expected a four-digit year")
    return f'"{value.strip()}"^^<{XSD}gYear>'


def _term_iri(value: str) -> str:
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", value) or _IRI_FORBIDDEN.search(value):
        raise ValueError("expected an absolute IRI without spaces or <>\"{}|^`\\")
    return f"<{value}>"


def sdg_iri(value: str) -> str:
    """The UN SDG KOS IRI of a goal or target named as '13', 'SDG 13', '13.3' or its IRI."""
    text = value.strip()
    if text.startswith(SDG_BASE):
        text = text[len(SDG_BASE):]
    match = _SDG_GOAL_OR_TARGET.match(text.replace("SDG-", "SDG ").replace("sdg-", "sdg "))
    if not match or not 1 <= int(match.group(1)) <= 17:
        raise ValueError("expected an SDG number 1-17 ('13', 'SDG 13'), a target ('13.3') or its IRI")
    goal = str(int(match.group(1)))
    return SDG_BASE + (f"{goal}.{match.group(2).lower()}" if match.group(2) else goal)


def sdg_notation(iri: str) -> str | None:
    """How a UN goal or target is written everywhere we show one: "13", "12.5" (the UN KOS also
    has a padded "12.05", SDGCode, which reads as another number); None for other IRIs."""
    if not iri.startswith(SDG_BASE):
        return None
    code = iri[len(SDG_BASE):]
    return code if _SDG_GOAL_OR_TARGET.fullmatch(code) and not code.lower().startswith("sdg") else None


def _term_sdg(value: str) -> str:
    return f"<{sdg_iri(value)}>"


TERM_WRITERS = {
    "slug": _term_slug, "string": _term_string, "integer": _term_integer,
    "year": _term_year, "iri": _term_iri, "sdg": _term_sdg,
}
TYPE_HELP = {
    "slug": "an id (kebab-case), bound as a plain string literal",
    "string": "any text, bound as an escaped string literal",
    "integer": "a whole number, bound as xsd:integer",
    "year": "a four-digit year, bound as xsd:gYear",
    "iri": "an absolute IRI, bound as an IRI",
    "sdg": "an SDG goal or target ('13', 'SDG 13', '13.3'), bound as the UN SDG KOS IRI",
}


def spelled(param: Param, value: str) -> str:
    """A value of a ``one of`` list in its declared spelling (``e`` is ``E``); others as given."""
    return {c.lower(): c for c in param.choices}.get(value.lower(), value)


def sparql_term(param: Param, value: str) -> str:
    """The value written as one SPARQL term, or NamedQueryError saying what is expected."""
    if param.choices:
        if str(value).strip().lower() not in {c.lower() for c in param.choices}:
            raise NamedQueryError(f"parameter {param.name}={value!r}: not accepted; "
                                  f"{param.name} is one of {', '.join(param.choices)}")
        value = spelled(param, str(value).strip())
    try:
        return TERM_WRITERS[param.type](str(value))
    except ValueError as exc:
        raise NamedQueryError(f"parameter {param.name}={value!r}: {exc}") from None
