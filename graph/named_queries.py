"""The named-query library: ``queries/*.rq`` files with a comment header, typed parameters.

A named query is an ordinary SPARQL SELECT (it runs as it stands in any SPARQL client)
whose first comment lines describe it::

    # title: Topics by pillar and materiality
    # title-zh: 按範疇及矩陣次序列出實質性議題
    # description: Every material topic with its pillar and its position in the matrix.
    # param: report (slug, default: all) The report id, e.g. oneconnect-2024.
    # param: pillar (string, default: all) E, S or G.

Parameters are SPARQL variables of the query (written ``$report`` by convention so a
reader sees which variables are parameters). Binding never pastes text into the query:
each value is checked against its type and written as one RDF term in a ``VALUES`` block
placed at the top of the query's outermost group, so the value can only ever be data.
A parameter whose default is ``all`` (and that is not given) stays unbound, which in a
triple pattern means "any".

The parameter rules live here, for every surface (HTTP, CLI, library): an unknown parameter
name is refused with the accepted names; a parameter declared ``one of: A|B|C`` accepts only
those values (case-insensitively, bound in the declared spelling); one declared ``ids: KIND``
(report, topic, metric, stakeholder) is checked against the ids of that kind in the store by
:func:`prepare`, and refused with the closest ids. See docs/named-queries.md.
"""
from __future__ import annotations

import difflib
import importlib.resources
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable, Mapping

import pyoxigraph as ox

from .errors import EsgkgError
from .namespaces import DEFAULT_BASE, base_iri
from .sparql import QueryFn, Table
from .sparql_text import query_form

SDG_BASE = "http://metadata.un.org/sdg/"
XSD = "http://www.w3.org/2001/XMLSchema#"

_HEADER_LINE = re.compile(r"^#\s*([A-Za-z][\w-]*)\s*:\s*(.*)$")
_PARAM = re.compile(r"^(?P<name>[A-Za-z_]\w*)\s*\((?P<options>[^)]*)\)\s*(?P<doc>.*)$")
_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_SDG_GOAL_OR_TARGET = re.compile(r"^(?:sdg\s*)?(\d{1,2})(?:\.(\w{1,2}))?$", re.IGNORECASE)
UNBOUND = "all"


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


@dataclass(frozen=True)
class NamedQuery:
    """A parsed ``.rq`` file."""

    name: str
    title: str
    title_zh: str
    description: str
    params: tuple[Param, ...]
    text: str
    source: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    base: str = DEFAULT_BASE  # the deployment base its IRIs are under (ids are looked up there)

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        known = ", ".join(p.name for p in self.params) or "none"
        raise NamedQueryError(f"query {self.name!r} has no parameter {name!r}; it accepts: {known}")


# -- parameter types -------------------------------------------------------------------------

def _escape_string(value: str) -> str:
    """A SPARQL string literal body: the escapes of the STRING_LITERAL_QUOTE production."""
    out = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return out


def _term_slug(value: str) -> str:
    if not _SLUG.match(value):
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


def sparql_term(param: Param, value: str) -> str:
    """The value written as one SPARQL term, or NamedQueryError saying what is expected."""
    if param.choices:
        if str(value).strip().lower() not in {c.lower() for c in param.choices}:
            raise NamedQueryError(f"parameter {param.name}={value!r}: not accepted; "
                                  f"{param.name} is one of {', '.join(param.choices)}")
        value = _spelled(param, str(value).strip())
    try:
        return TERM_WRITERS[param.type](str(value))
    except ValueError as exc:
        raise NamedQueryError(f"parameter {param.name}={value!r}: {exc}") from None


# Ids a parameter can be checked against ("ids: KIND"): the entities' id is the last segment
# of their IRI (<base>id/<report>/<kind>/<id>), a report's is its dcterms:identifier.
ID_KINDS = {
    "report": "?x a esg:Report ; dcterms:identifier ?value .",
    "topic": '?x a esg:MaterialTopic . BIND(STRAFTER(STR(?x), "/topic/") AS ?value)',
    "metric": '?x a esg:Metric . BIND(STRAFTER(STR(?x), "/metric/") AS ?value)',
    "stakeholder": '?x a esg:StakeholderGroup . BIND(STRAFTER(STR(?x), "/stakeholder/") AS ?value)',
}


def known_ids(kind: str, query_fn: QueryFn, base: str = DEFAULT_BASE) -> list[str]:
    """Every id of ``kind`` (see :data:`ID_KINDS`) in the store under ``base``, sorted."""
    esg = base + "ontology#"
    table = query_fn(f"PREFIX esg: <{esg}> PREFIX dcterms: <http://purl.org/dc/terms/> "
                     f"SELECT DISTINCT ?value WHERE {{ {ID_KINDS[kind]} }}")
    return sorted(v for v in table.values("value") if v)


def check_ids(query: NamedQuery, given: Mapping[str, str], query_fn: QueryFn) -> None:
    """NamedQueryError when a value of an ``ids:`` parameter is no id of its kind in the store,
    naming the closest ids (an id that exists elsewhere but gives no rows is not an error)."""
    for name, value in given.items():
        param = query.param(name)
        value = str(value).strip()
        if not param.ids or not value or value.lower() == UNBOUND:
            continue
        ids = known_ids(param.ids, query_fn, query.base)
        if value in ids:
            continue
        close = difflib.get_close_matches(value, ids, n=5, cutoff=0.5)
        shown = close or ids[:10]
        more = "" if len(shown) == len(ids) else f" (of {len(ids)})"
        raise NamedQueryError(f"parameter {name}={value!r}: no {param.ids} with that id in the store; "
                              f"{'closest' if close else 'ids'}{more}: {', '.join(shown) or 'none'}")


# -- parsing ---------------------------------------------------------------------------------

def _parse_param(line: str, where: str) -> Param:
    """``NAME (TYPE[, default: VALUE | , required][, one of: A|B][, ids: KIND]) description``."""
    match = _PARAM.match(line)
    if not match:
        raise NamedQueryError(f"{where}: cannot read parameter line {line!r}; "
                              "expected 'NAME (TYPE, default: VALUE) description'")
    name = match.group("name")
    ptype, *options = [o.strip() for o in match.group("options").split(",")]
    if ptype not in TERM_WRITERS:
        raise NamedQueryError(f"{where}: parameter {name}: unknown type {ptype!r} (one of {', '.join(TERM_WRITERS)})")
    fields: dict[str, object] = {"default": None, "required": False, "choices": (), "ids": None}
    for option in options:
        key, _, value = (part.strip() for part in option.partition(":"))
        if key == "required" and not value:
            fields["required"] = True
        elif key == "default" and value:
            fields["default"] = None if value.lower() == UNBOUND else value
        elif key == "one of" and value:
            fields["choices"] = tuple(v.strip() for v in value.split("|") if v.strip())
        elif key == "ids" and value in ID_KINDS:
            fields["ids"] = value
        else:
            raise NamedQueryError(f"{where}: parameter {name}: cannot read option {option!r} (default: VALUE, "
                                  f"required, one of: A|B, ids: {'|'.join(ID_KINDS)})")
    return Param(name, ptype, description=match.group("doc").strip(), **fields)  # type: ignore[arg-type]


def parse(text: str, name: str, source: str = "") -> NamedQuery:
    """Read the header of a named query. Raises NamedQueryError when it is malformed."""
    header: dict[str, str] = {}
    params: list[Param] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break  # the header is the leading block of comments
        match = _HEADER_LINE.match(stripped)
        if not match:
            continue
        key, value = match.group(1).lower(), match.group(2).strip()
        if key == "param":
            params.append(_parse_param(value, source or name))
        else:
            header.setdefault(key, value)
    if "title" not in header:
        raise NamedQueryError(f"{source or name}: the header needs a '# title:' line")
    body = _strip_comments(text)
    for p in params:
        if not re.search(r"[?$]" + re.escape(p.name) + r"\b", body):
            raise NamedQueryError(f"{source or name}: parameter {p.name} is not used as ${p.name} in the query")
        if p.default is not None:
            sparql_term(p, p.default)  # a bad default is the file's fault: fail on load
    extra = {k: v for k, v in header.items() if k not in ("title", "title-zh", "description")}
    return NamedQuery(name, header["title"], header.get("title-zh", ""), header.get("description", ""),
                      tuple(params), text, source, extra)


def queries_folder() -> Path:
    """The installed ``queries/`` folder."""
    return Path(str(importlib.resources.files("esgkg.queries")))


def load_all(folder: Path | None = None, base: str | None = None) -> dict[str, NamedQuery]:
    """Every ``*.rq`` file of ``folder`` (default: the bundled library), by name, sorted,
    with IRIs under ``base`` (default: the configured base IRI)."""
    folder = folder or queries_folder()
    found: dict[str, NamedQuery] = {}
    base = base or base_iri()
    for path in sorted(folder.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        if base != DEFAULT_BASE:
            # Same rule as the build's Turtle files: a deployment's own base replaces ours.
            text = text.replace(DEFAULT_BASE, base)
        found[path.stem] = replace(parse(text, path.stem, str(path)), base=base)
    return found


def find(name: str, folder: Path | None = None, base: str | None = None) -> NamedQuery | None:
    """One named query by name, or None (for lookups where "no such query" is not an error)."""
    return load_all(folder, base).get(name)


def get(name: str, folder: Path | None = None, base: str | None = None) -> NamedQuery:
    """One named query by name, or NamedQueryError listing what exists."""
    if not _SLUG.match(name):
        raise NamedQueryError(f"not a query name: {name!r}")
    queries = load_all(folder, base)
    if name not in queries:
        raise NamedQueryError(f"no named query {name!r}; known: {', '.join(queries)}")
    return queries[name]


# -- binding ---------------------------------------------------------------------------------

def resolve_values(query: NamedQuery, given: Mapping[str, str]) -> dict[str, str]:
    """Given values plus defaults, each written as a SPARQL term (unbound ones left out)."""
    for key in given:
        query.param(key)  # unknown parameter: error listing the known ones
    terms: dict[str, str] = {}
    for p in query.params:
        value = given.get(p.name)
        if value is not None and str(value).strip().lower() == UNBOUND and not p.required:
            continue
        if value is None or value == "":
            value = p.default
        if value is None:
            if p.required:
                raise NamedQueryError(f"query {query.name!r} needs parameter {p.name} ({TYPE_HELP[p.type]})")
            continue
        terms[p.name] = sparql_term(p, str(value))
    return terms


def bind(query: NamedQuery, given: Mapping[str, str] | None = None) -> str:
    """The query text with parameter values bound by a VALUES block (see module doc)."""
    terms = resolve_values(query, given or {})
    if not terms:
        return query.text
    names = " ".join(f"${n}" for n in terms)
    row = " ".join(terms.values())
    return inject_values(query.text, f"VALUES ({names}) {{ ({row}) }}")


def prepare(query: NamedQuery, given: Mapping[str, str] | None, query_fn: QueryFn) -> str:
    """The SPARQL to run, every parameter rule checked (names, types, ``one of``, and
    ``ids`` against the store through ``query_fn``); NamedQueryError says what is wrong
    and what is accepted. The HTTP pages and the CLI both come through here."""
    sparql = bind(query, given or {})
    check_ids(query, given or {}, query_fn)
    return sparql


def run(query: NamedQuery, query_fn: QueryFn, given: Mapping[str, str] | None = None) -> Table:
    """Bind and run a named query with ``query_fn`` (embedded store or service backend).
    Names, types and ``one of`` are checked; ids are not (an id from another store gives no
    rows, which library callers comparing stores rely on): people's surfaces use :func:`prepare`."""
    return query_fn(bind(query, given))


def parse_assignments(pairs: Iterable[str]) -> dict[str, str]:
    """``["k=v", …]`` (the CLI's --param options) as a dict."""
    return given_values((key.strip(), value) for key, sep, value in (_assignment(p) for p in pairs))


def _assignment(pair: str) -> tuple[str, str, str]:
    key, sep, value = pair.partition("=")
    if not sep or not key.strip():
        raise NamedQueryError(f"--param expects NAME=VALUE, got {pair!r}")
    return key, sep, value


def given_values(items: Iterable[tuple[str, str]], query: NamedQuery | None = None) -> dict[str, str]:
    """Parameter values as given (a query string's items, the CLI's assignments), stripped; a
    name given twice is refused, and with ``query`` so is a name it does not declare (even with
    an empty value). Empty values mean "not given" and are dropped."""
    values: dict[str, str] = {}
    for key, value in items:
        if key in values:
            raise NamedQueryError(f"parameter {key} is given more than once; give one value")
        values[key] = value.strip()
        if query is not None and values[key]:
            values[key] = _spelled(query.param(key), values[key])
        elif query is not None:
            query.param(key)
    return {k: v for k, v in values.items() if v}


def _spelled(param: Param, value: str) -> str:
    """A value of a ``one of`` list in its declared spelling (``e`` is ``E``); others as given."""
    return {c.lower(): c for c in param.choices}.get(value.lower(), value)


def empty_hint(query: NamedQuery, given: Mapping[str, str]) -> str:
    """What to say when a query with these (valid) parameters has no rows."""
    if not given:
        return "No rows: the store holds nothing this question asks about."
    asked = ", ".join(f"{k}={v}" for k, v in given.items())
    accepted = "; ".join(f"{p.name}: {p.accepted()}" for p in query.params if p.name in given)
    example = query.extra.get("example")
    return (f"No rows for {asked}: each value is accepted ({accepted}), but nothing matches them together."
            + (f" An example that has rows: {example}." if example else ""))


# -- a minimal SPARQL scanner: enough to find the outermost group and skip comments ----------

def _scan(text: str) -> Iterable[tuple[int, str]]:
    """Yield (index, char) of characters that are SPARQL syntax, not in comments/strings/IRIs."""
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
            continue
        if ch in "\"'":
            long_quote = text.startswith(ch * 3, i)
            quote = ch * 3 if long_quote else ch
            j = i + len(quote)
            while j < n and not text.startswith(quote, j):
                j += 2 if text[j] == "\\" else 1
            i = j + len(quote)
            continue
        if ch == "<":
            # An IRIREF has no spaces; a less-than operator is followed by one in our files,
            # and if not, treating it as an operator is the safe reading.
            match = re.match(r"<[^<>\"{}|^`\\\x00-\x20]*>", text[i:])
            if match:
                i += match.end()
                continue
        yield i, ch
        i += 1


def _strip_comments(text: str) -> str:
    """Only the syntax characters (comments, strings and IRIs dropped), for usage checks."""
    return "".join(ch for _, ch in _scan(text))


def inject_values(text: str, values_block: str) -> str:
    """Insert ``values_block`` right after the opening brace of the outermost group."""
    for index, ch in _scan(text):
        if ch == "{":
            return text[: index + 1] + "\n  " + values_block + "\n" + text[index + 1:]
    raise NamedQueryError("the query has no WHERE group to bind parameters in")


# -- as linked data --------------------------------------------------------------------------
# A query is described with SHACL's SPARQL executable vocabulary (sh:select holds the text of
# a SELECT query, and so on), its title as rdfs:label and its description as dcterms:description,
# so that <base>queries/NAME dereferences to something a SHACL engine could run.
_SH = "http://www.w3.org/ns/shacl#"
_EXECUTABLES = {"SELECT": ("SPARQLSelectExecutable", "select"), "ASK": ("SPARQLAskExecutable", "ask"),
                "CONSTRUCT": ("SPARQLConstructExecutable", "construct"), "DESCRIBE": ("SPARQLExecutable", "select")}


def query_iri(name: str, base: str) -> str:
    """The IRI of a named query under a deployment's base IRI."""
    return f"{base}queries/{name}"


def describe_query(query: NamedQuery, base: str) -> list[ox.Triple]:
    """The RDF description of one named query (its text as loaded, so rebased)."""
    node = ox.NamedNode(query_iri(query.name, base))
    cls, prop = _EXECUTABLES.get(query_form(query.text) or "SELECT", _EXECUTABLES["SELECT"])
    n = ox.NamedNode
    triples = [
        ox.Triple(node, n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), n(_SH + cls)),
        ox.Triple(node, n("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal(query.title, language="en")),
        ox.Triple(node, n(_SH + prop), ox.Literal(query.text)),
        ox.Triple(node, n("http://purl.org/dc/terms/identifier"), ox.Literal(query.name)),
    ]
    if query.title_zh:
        triples.append(ox.Triple(node, n("http://www.w3.org/2000/01/rdf-schema#label"),
                                 ox.Literal(query.title_zh, language="zh-Hant")))
    if query.description:
        triples.append(ox.Triple(node, n("http://purl.org/dc/terms/description"),
                                 ox.Literal(query.description, language="en")))
    return triples
