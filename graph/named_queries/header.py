"""Reading a named query's comment header: its title, description and typed parameters."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..disjoint_graphs import SHARED
from ..namespaces import DEFAULT_BASE
from ..sparql_text import tokens
from .terms import TERM_WRITERS, UNBOUND, NamedQueryError, Param, sparql_term

_HEADER_LINE = re.compile(r"^#\s*([A-Za-z][\w-]*)\s*:\s*(.*)$")
_PARAM = re.compile(r"^(?P<name>[A-Za-z_]\w*)\s*\((?P<options>[^)]*)\)\s*(?P<doc>.*)$")

# Ids a parameter can be checked against ("ids: KIND"): the entities' id is the last segment
# of their IRI (<base>id/<report>/<kind>/<id>), a report's is its dcterms:identifier.
ID_KINDS = {
    "report": "?x a esg:Report ; dcterms:identifier ?value .",
    "topic": '?x a esg:MaterialTopic . BIND(STRAFTER(STR(?x), "/topic/") AS ?value)',
    "metric": '?x a esg:Metric . BIND(STRAFTER(STR(?x), "/metric/") AS ?value)',
    "stakeholder": '?x a esg:StakeholderGroup . BIND(STRAFTER(STR(?x), "/stakeholder/") AS ?value)',
}
#: The kinds whose id is a stored literal, so that one id is found by an index lookup (the
#: others are computed from IRIs, and one is found by a scan that stops at the first match).
ID_LOOKUPS = {"report": "?x dcterms:identifier ?value ; a esg:Report ."}


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
        """The declared parameter ``name``, or NamedQueryError listing the ones it accepts."""
        for p in self.params:
            if p.name == name:
                return p
        known = ", ".join(p.name for p in self.params) or "none"
        raise NamedQueryError(f"query {self.name!r} has no parameter {name!r}; it accepts: {known}")


def parse_param(line: str, where: str) -> Param:
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


def _header(text: str, where: str) -> tuple[dict[str, str], list[Param]]:
    """The ``# key: value`` lines of the leading block of comments, and its parameters."""
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
            params.append(parse_param(value, where))
        else:
            header.setdefault(key, value)
    return header, params


def parse(text: str, name: str, source: str = "") -> NamedQuery:
    """Read the header of a named query. Raises NamedQueryError when it is malformed."""
    where = source or name
    header, params = _header(text, where)
    if "title" not in header:
        raise NamedQueryError(f"{where}: the header needs a '# title:' line")
    # The variables of the query itself (the lexer skips comments, strings and IRIs).
    used = {t.text[1:] for t in tokens(text) if t.kind == "var"}
    for p in params:
        if p.name not in used:
            raise NamedQueryError(f"{where}: parameter {p.name} is not used as ${p.name} in the query")
        if p.default is not None:
            sparql_term(p, p.default)  # a bad default is the file's fault: fail on load
    extra = {k: v for k, v in header.items() if k not in ("title", "title-zh", "description")}
    _check_scope(extra.get("scope"), params, text, where)
    return NamedQuery(name, header["title"], header.get("title-zh", ""), header.get("description", ""),
                      tuple(params), text, source, extra)


#: ``# scope: report[, GRAPH...]``: asked about one report, the query reads only that report's
#: graph and the shared graphs listed (of ``disjoint_graphs.SHARED``), so it costs what it
#: costs on a store of one report (docs/decisions.md §32). The engine reads a default graph of
#: k graphs at about k times the cost of one, so a query lists only the shared graphs it reads;
#: tests/test_graph_disjoint.py checks, for every bundled report, that they are enough. A query
#: that compares a report with others must not declare a scope.
SCOPES = ("report",)


def scope_names(scope: str) -> tuple[str, ...]:
    """The shared graphs a ``# scope:`` value lists after ``report``."""
    return tuple(part.strip() for part in scope.split(",")[1:])


def _check_scope(scope: str | None, params: list[Param], text: str, where: str) -> None:
    if scope is None:
        return
    kind = scope.split(",")[0].strip()
    if kind not in SCOPES:
        raise NamedQueryError(f"{where}: '# scope: {scope}' is not one of: {', '.join(SCOPES)}")
    unknown = [g for g in scope_names(scope) if g not in SHARED]
    if unknown:
        raise NamedQueryError(f"{where}: '# scope: {scope}' names {', '.join(unknown)}; "
                              f"the shared graphs are {', '.join(SHARED)}")
    if not any(p.name == "report" for p in params):
        raise NamedQueryError(f"{where}: '# scope: report' needs a report parameter")
    # The scope is a FROM list: GRAPH would see no named graph, and the query's own FROM would
    # be a second dataset.
    words = {t.keyword for t in tokens(text)}
    for word in ("GRAPH", "FROM"):
        if word in words:
            raise NamedQueryError(f"{where}: a query with '# scope: report' may not use {word}")
