"""What a resource page shows, computed from the resource's RDF description.

The page is made from exactly the triples the RDF representations carry, so a person and
a program see the same facts. Metrics get a table and a chart of their values by year,
material topics their SDGs and stakeholders, everything its report section.
"""
from __future__ import annotations

import dataclasses

import re
from dataclasses import dataclass, field

import pyoxigraph as ox

from esgkg.graph.namespaces import Iris

from .labels import FRIENDLY, NOTATION, Labeller, Link
from .svg_chart import bar_chart

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDF_FIRST = "http://www.w3.org/1999/02/22-rdf-syntax-ns#first"
RDF_REST = "http://www.w3.org/1999/02/22-rdf-syntax-ns#rest"
RDF_NIL = "http://www.w3.org/1999/02/22-rdf-syntax-ns#nil"
DERIVED_FROM = "http://www.w3.org/ns/prov#wasDerivedFrom"
UNIT_MEASURE = "http://purl.org/linked-data/sdmx/2009/attribute#unitMeasure"
SDG = "http://metadata.un.org/sdg/"

# The UN's SDG colours, so goals are recognisable at a glance.
SDG_COLOURS = ("#E5243B", "#DDA63A", "#4C9F38", "#C5192D", "#FF3A21", "#26BDE2", "#FCC30B", "#A21942", "#FD6925",
               "#DD1367", "#FD9D24", "#BF8B2E", "#3F7E44", "#0A97D9", "#56C02B", "#00689D", "#19486A")


@dataclass
class Value:
    """One object of a property: a link, a literal, or an anonymous (blank) node's content."""

    link: Link | None = None
    text: str | None = None
    lang: str | None = None
    datatype: str | None = None
    items: list["Value"] = field(default_factory=list)  # an RDF list
    nested: list["Group"] = field(default_factory=list)  # a blank node's properties


@dataclass
class Group:
    predicate: Link
    values: list[Value]


@dataclass
class ObservationRow:
    link: Link
    year: str
    value: str
    unit: Link | None
    as_written: str
    sections: list[Link]
    review: str = ""      # a drafted value's review status and where it was read
    located: str = ""


@dataclass
class Goal:
    link: Link
    number: int
    colour: str
    targets: list[Link] = field(default_factory=list)


@dataclass
class ResourceView:
    iri: str
    path: str
    title: str
    other_title: str | None
    types: list[Link]
    sections: list[Link]
    properties: list[Group]
    incoming: list[Group]
    observations: list[ObservationRow] = field(default_factory=list)
    chart_svg: str = ""
    unit: Link | None = None
    goals: list[Goal] = field(default_factory=list)
    stakeholders: list[tuple[Link, list[Link]]] = field(default_factory=list)
    review: str = ""      # esg:reviewStatus of a drafted record (docs/drafting.md)
    located: str = ""     # where the drafter read it: "page 3, line 22"


class _Builder:
    def __init__(self, triples: list[ox.Triple], iris: Iris, labeller: Labeller) -> None:
        self.triples = triples
        self.iris = iris
        self.lab = labeller
        self.out: dict[object, list[ox.Triple]] = {}
        self.into: dict[object, list[ox.Triple]] = {}
        for t in triples:
            self.out.setdefault(t.subject, []).append(t)
            self.into.setdefault(t.object, []).append(t)

    def value(self, term: object, depth: int = 0) -> Value:
        if isinstance(term, ox.NamedNode):
            return Value(link=self.lab.link(term.value))
        if isinstance(term, ox.Literal):
            dt = term.datatype.value
            plain = dt.endswith(("#string", "#langString"))
            return Value(text=term.value, lang=term.language, datatype=None if plain else self.lab.curie(dt))
        if isinstance(term, ox.BlankNode) and depth < 6:
            items = self._list(term, depth)
            if items is not None:
                return Value(items=items)
            return Value(nested=self.groups(self.out.get(term, []), depth + 1))
        return Value(text="…")

    def _list(self, node: object, depth: int) -> list[Value] | None:
        items: list[Value] = []
        while isinstance(node, ox.BlankNode):
            props = {t.predicate.value: t.object for t in self.out.get(node, [])}
            if RDF_FIRST not in props:
                return None if not items else items
            items.append(self.value(props[RDF_FIRST], depth + 1))
            node = props.get(RDF_REST)
        return items if items else None

    def _sort_key(self, value: Value) -> tuple:
        lang = (value.lang or "").lower()
        rank = 0 if lang == self.lab.lang else 1 if lang == self.lab.other_lang else 2
        return (rank, value.link.label.lower() if value.link else (value.text or ""))

    def groups(self, triples: list[ox.Triple], depth: int = 0, incoming: bool = False) -> list[Group]:
        by_predicate: dict[str, list[Value]] = {}
        for t in triples:
            term = t.subject if incoming else t.object
            by_predicate.setdefault(t.predicate.value, []).append(self.value(term, depth))
        groups = [Group(self.lab.link(p), sorted(vs, key=self._sort_key)) for p, vs in by_predicate.items()]
        # rdf:type first, then by the predicate's label.
        return sorted(groups, key=lambda g: (g.predicate.iri != RDF_TYPE, g.predicate.label.lower()))


def _section_key(link: Link) -> list:
    # "1.10" after "1.9"; numbers and words never compared with each other.
    return [(0, int(x), "") if x.isdigit() else (1, 0, x) for x in re.split(r"[.\-]", link.notation or link.label)]


def build(iri: str, triples: list[ox.Triple], iris: Iris, labeller: Labeller) -> ResourceView:
    """The view of ``iri`` from its description ``triples``."""
    b = _Builder(triples, iris, labeller)
    node = ox.NamedNode(iri)
    esg = str(iris.esg)
    outgoing = b.out.get(node, [])
    incoming = [t for t in b.into.get(node, []) if t.subject != node]
    title, other = labeller.label(iri)
    types = sorted((labeller.link(t.object.value) for t in outgoing
                    if t.predicate.value == RDF_TYPE and isinstance(t.object, ox.NamedNode)), key=lambda l: l.label)
    sections = sorted((labeller.link(t.object.value) for t in outgoing
                       if t.predicate.value == DERIVED_FROM and isinstance(t.object, ox.NamedNode)), key=_section_key)
    view = ResourceView(iri=iri, path=labeller.href(iri), title=title, other_title=other, types=types,
                        sections=sections, properties=b.groups(outgoing), incoming=b.groups(incoming, incoming=True))
    view.review, view.located = _review(esg, {t.predicate.value: t.object for t in outgoing})
    _add_observations(view, b, esg, outgoing, incoming)
    view.goals = _goals(esg, outgoing, labeller)
    view.stakeholders = _stakeholders(esg, b, incoming)
    return view


def _add_observations(view: ResourceView, b: _Builder, esg: str, outgoing: list[ox.Triple],
                      incoming: list[ox.Triple]) -> None:
    """A metric: its observations, as a table and a chart."""
    labeller = b.lab
    view.observations = [_observation_row(obs, b, esg) for obs in
                         (t.subject for t in incoming if t.predicate.value == esg + "metric")]
    view.observations.sort(key=lambda r: (r.year, [_section_key(s) for s in r.sections]))
    if not view.observations:
        return
    unit_iri = next((t.object.value for t in outgoing if t.predicate.value == esg + "unit"), None)
    view.unit = labeller.link(unit_iri) if unit_iri else view.observations[0].unit
    # Several report units share one QUDT unit (t and tCO2e): the metric's own
    # esg:unitLabel names it as the report does.
    text = _in_language([t.object for t in outgoing if t.predicate.value == esg + "unitLabel"], labeller.lang)
    if view.unit is not None and text:
        view.unit = dataclasses.replace(view.unit, label=text, notation=None)
    points = list(dict.fromkeys((row.year, row.value) for row in view.observations))  # one bar per (year, value)
    view.chart_svg = bar_chart(points, view.unit.label if view.unit else "", view.title)


def _observation_row(obs: ox.NamedNode, b: _Builder, esg: str) -> ObservationRow:
    labeller = b.lab
    props: dict[str, list[object]] = {}
    for t in b.out.get(obs, []):
        props.setdefault(t.predicate.value, []).append(t.object)

    def first(key: str) -> object:
        return props.get(key, [None])[0]

    unit = first(UNIT_MEASURE)
    unit_link = labeller.link(unit.value) if isinstance(unit, ox.NamedNode) else None
    unit_text = _in_language(props.get(esg + "unitLabel", []), labeller.lang)
    if unit_link is not None and unit_text:
        unit_link = dataclasses.replace(unit_link, label=unit_text, notation=None)
    review, located = _review(esg, {k: v[0] for k, v in props.items()})
    return ObservationRow(
        link=labeller.link(obs.value),
        year=getattr(first(esg + "year"), "value", ""),
        value=getattr(first(esg + "value"), "value", ""),
        unit=unit_link,
        as_written=getattr(first(esg + "asWritten"), "value", ""),
        review=review,
        located=located,
        sections=sorted((labeller.link(s.value) for s in props.get(DERIVED_FROM, []) if isinstance(s, ox.NamedNode)),
                        key=_section_key))


def _goals(esg: str, outgoing: list[ox.Triple], labeller: Labeller) -> list[Goal]:
    """A topic (or anything contributing to the SDGs): the goals with their targets."""
    def goal(number: int) -> Goal:
        return Goal(labeller.link(SDG + str(number)), number, SDG_COLOURS[(number - 1) % 17])

    goals: dict[int, Goal] = {}
    targets: list[Link] = []
    for t in outgoing:
        if t.predicate.value == esg + "contributesTo" and t.object.value.startswith(SDG):
            code = t.object.value[len(SDG):]
            if code.isdigit():
                goals[int(code)] = Goal(labeller.link(t.object.value), int(code), SDG_COLOURS[(int(code) - 1) % 17])
            else:
                targets.append(labeller.link(t.object.value))
    for target in sorted(targets, key=lambda l: l.iri):
        number = target.iri[len(SDG):].split(".")[0]
        if number.isdigit():
            goals.setdefault(int(number), goal(int(number))).targets.append(target)
    return [goals[k] for k in sorted(goals)]


def _stakeholders(esg: str, b: _Builder, incoming: list[ox.Triple]) -> list[tuple[Link, list[Link]]]:
    """A material topic: the stakeholder groups whose concerns name it."""
    concerns = {t.subject for t in incoming if t.predicate.value == esg + "concernTopic"}
    by_group: dict[str, list[Link]] = {}
    for t in b.triples:
        if t.predicate.value == esg + "hasConcern" and t.object in concerns:
            by_group.setdefault(t.subject.value, []).append(b.lab.link(t.object.value))
    return sorted(((b.lab.link(g), cs) for g, cs in by_group.items()), key=lambda x: x[0].label)


__all__ = ["ResourceView", "build", "FRIENDLY", "NOTATION"]


def _review(esg: str, props: dict[str, object]) -> tuple[str, str]:
    """(review status, "page P, line L") of a drafted record; empty strings for a curated one."""
    status = getattr(props.get(esg + "reviewStatus"), "value", "")
    page = getattr(props.get(esg + "sourcePage"), "value", "")
    line = getattr(props.get(esg + "sourceLine"), "value", "")
    where = ", ".join(part for part in (f"page {page}" if page else "", f"line {line}" if line else "") if part)
    return status, where


def _in_language(literals: list, lang: str) -> str | None:
    """The text of the literal in ``lang`` (else English) among language-tagged literals."""
    shown = {(t.language or "").lower(): t.value for t in literals if isinstance(t, ox.Literal)}
    return shown.get(lang.lower()) or shown.get("en")
