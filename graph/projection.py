"""A networkx projection of the part of the graph that links topics, stakeholders and SDGs.

The projection holds one node per report entity of the kinds below and per UN goal and
target, and one edge per triple of the predicates in :data:`EDGE_PREDICATES`, pointing the
way the triple does (subject → object) and keyed by the predicate's local name. Nothing is
inferred: every edge is a triple in the store, which the tests check with ASK.

It is read with a handful of SELECT queries through a :data:`QueryFn`, so it can be built
from the embedded store or through the service's time-bounded backend, and is cached per
store version (:class:`ProjectionCache`): a store version never changes once published.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx

from .named_queries.binding import scoped
from .sparql import QueryFn

ESG = "https://w3id.org/esgkg/ontology#"  # replaced by the deployment's own base below
SDG = "http://metadata.un.org/sdg/"
SDGO = "http://metadata.un.org/sdg/ontology#"

# Class local name -> node kind.
ENTITY_KINDS = {
    "MaterialTopic": "topic", "SDGAction": "action", "SDGContribution": "contribution",
    "StakeholderGroup": "stakeholder", "StakeholderConcern": "concern", "Document": "document",
    "RiskOrOpportunity": "risk", "Metric": "metric", "Target": "company-target",
}
EDGE_PREDICATES = ("concernsTopic", "contributesTo", "topic", "sdg", "evidencedBy",
                   "hasConcern", "concernTopic")


@dataclass
class Node:
    """What the traversal needs to know about one node, in both languages."""

    iri: str
    kind: str  # a value of ENTITY_KINDS, or "goal" / "sdg-target"
    report: str | None = None
    zh: str = ""
    en: str = ""
    sections: list[str] = field(default_factory=list)
    number: str = ""  # goals and SDG targets: "13", "13.3"
    pillar: str = ""  # topics
    matrix_order: int | None = None  # topics
    statements: dict[str, list[str]] = field(default_factory=dict)  # contributions: quotes per language

    @property
    def slug(self) -> str:
        return self.iri.rstrip("/").rsplit("/", 1)[-1]

    @property
    def first(self) -> str:
        """The name to show first: the Chinese wording when the report has one, else English."""
        return self.zh or self.en or self.slug

    @property
    def second(self) -> str:
        """The English name beside :attr:`first`, empty when it would repeat it."""
        return self.en if self.zh and self.en != self.zh else ""

    def label(self, lang: str = "en") -> str:
        if self.kind == "goal":
            name = self.zh if lang == "zh" else self.en
            return (f"可持續發展目標{self.number}「{name}」" if lang == "zh"
                    else f"SDG {self.number} ({name})")
        if self.kind == "sdg-target":
            return f"目標{self.number}" if lang == "zh" else f"SDG target {self.number}"
        if lang == "zh":
            return self.zh or self.en or self.slug
        return self.en or self.zh or self.slug

    def as_json(self) -> dict:
        out = {"iri": self.iri, "kind": self.kind, "label": {"zh": self.zh, "en": self.en}}
        if self.report:
            out["report"] = self.report
        if self.sections:
            out["sections"] = self.sections
        if self.number:
            out["number"] = self.number
        if self.pillar:
            out["pillar"] = self.pillar
        if self.statements:
            out["statements"] = self.statements
        return out


@dataclass
class Projection:
    """The projected graph and its nodes, for one store version."""

    version: str
    graph: nx.MultiDiGraph
    nodes: dict[str, Node]
    section_titles: dict[tuple[str, str], dict[str, str]]  # (report, notation) -> {zh, en}
    esg: str
    report_names: dict[str, str] = field(default_factory=dict)  # report id -> "Company year"

    def report_name(self, report: str | None) -> str:
        """What people call a report: its company and year ("Baidu, Inc. 2021")."""
        return self.report_names.get(report or "", report or "")

    def of_kind(self, kind: str, report: str | None = None) -> list[Node]:
        found = [n for n in self.nodes.values() if n.kind == kind and (report is None or n.report in (None, report))]
        return sorted(found, key=_node_order)

    def goals(self) -> list[Node]:
        return sorted((n for n in self.nodes.values() if n.kind == "goal"), key=lambda n: int(n.number))

    def reports(self) -> list[str]:
        return sorted({n.report for n in self.nodes.values() if n.report})


def _node_order(node: Node) -> tuple:
    return (node.report or "", node.pillar, node.matrix_order or 0, node.en or node.zh, node.iri)


def _lit(row: dict, key: str) -> str:
    return row[key]["value"] if key in row else ""


def _queries(esg: str) -> dict[str, str]:
    classes = " ".join(f"<{esg}{c}>" for c in ENTITY_KINDS)
    preds = " ".join(f"<{esg}{p}>" for p in EDGE_PREDICATES)
    head = (f"PREFIX esg: <{esg}>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
            "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\nPREFIX dcterms: <http://purl.org/dc/terms/>\n"
            f"PREFIX prov: <http://www.w3.org/ns/prov#>\nPREFIX sdgo: <{SDGO}>\n")
    return {
        "entities": head + f"""SELECT ?n ?class ?report ?zh ?en WHERE {{
  VALUES ?class {{ {classes} }}
  ?n a ?class ; esg:report ?r . ?r dcterms:identifier ?report .
  OPTIONAL {{ ?n rdfs:label ?zh FILTER(LANGMATCHES(LANG(?zh), "zh-Hant")) }}
  OPTIONAL {{ ?n rdfs:label ?en FILTER(LANGMATCHES(LANG(?en), "en")) }}
}}""",
        "edges": head + f"""SELECT ?s ?p ?o WHERE {{
  VALUES ?p {{ {preds} }}
  ?s ?p ?o ; esg:report ?r .
}}""",
        "sections": head + f"""SELECT ?n ?notation WHERE {{
  VALUES ?class {{ {classes} }}
  ?n a ?class ; prov:wasDerivedFrom ?s . ?s skos:notation ?notation .
}}""",
        "section_titles": head + """SELECT ?report ?notation ?zh ?en WHERE {
  ?s a esg:ReportSection ; skos:notation ?notation ; esg:report ?r . ?r dcterms:identifier ?report .
  OPTIONAL { ?s rdfs:label ?zh FILTER(LANGMATCHES(LANG(?zh), "zh-Hant")) }
  OPTIONAL { ?s rdfs:label ?en FILTER(LANGMATCHES(LANG(?en), "en")) }
}""",
        "topics": head + """SELECT ?n ?pillar ?order WHERE {
  ?n a esg:MaterialTopic ; esg:pillar/skos:notation ?pillar .
  OPTIONAL { ?n esg:matrixOrder ?order }
}""",
        "statements": head + """SELECT ?n ?text ?lang WHERE {
  ?n a esg:SDGContribution ; dcterms:description ?text . BIND(LANG(?text) AS ?lang)
}""",
        "goals": head + """SELECT ?n ?kind ?code ?zh ?en WHERE {
  { ?n a sdgo:Goal BIND("goal" AS ?kind)
    OPTIONAL { ?n skos:prefLabel ?zh FILTER(LANGMATCHES(LANG(?zh), "zh-Hant")) }
    OPTIONAL { ?n skos:altLabel ?en FILTER(LANGMATCHES(LANG(?en), "en")) } }
  UNION
  { ?x esg:contributesTo|esg:sdg ?n . ?n a sdgo:Target BIND("sdg-target" AS ?kind)
    OPTIONAL { ?n skos:prefLabel ?en FILTER(LANGMATCHES(LANG(?en), "en")) } }
  ?n skos:notation ?code FILTER(DATATYPE(?code) = sdgo:SDGCodeCompact)
}""",
        "reports": head + """SELECT ?report ?organisation ?end WHERE {
  ?r a esg:Report ; dcterms:identifier ?report ; esg:periodEnd ?end .
  OPTIONAL { ?r esg:aboutOrganisation/rdfs:label ?organisation FILTER(LANGMATCHES(LANG(?organisation), "en")) }
}""",
        "goal_targets": head + """SELECT DISTINCT ?goal ?target WHERE {
  ?x esg:contributesTo|esg:sdg ?target . ?goal sdgo:hasTarget ?target .
}""",
    }


def report_names(query: QueryFn, esg: str = ESG) -> dict[str, str]:
    """Report id -> what people call it ("Baidu, Inc. 2021"), for every report ``query`` reaches."""
    return {row["report"]["value"]: f"{_lit(row, 'organisation') or row['report']['value']} {row['end']['value'][:4]}"
            for row in query(_queries(esg)["reports"])}


def report_query(query: QueryFn, report: str, base: str) -> QueryFn:
    """``query`` confined to one report's graph and the reference graph (FROM clauses, as
    a scoped named query; the store's layout must keep graphs disjoint): a projection read
    through it costs what one report costs, whatever the store holds."""
    return lambda text: query(scoped(text, report, ("reference",), base))


def build_projection(query: QueryFn, version: str, esg: str = ESG) -> Projection:
    """Read the projection through ``query`` (a few SELECTs) and build the networkx graph."""
    q = _queries(esg)
    nodes: dict[str, Node] = {}
    for row in query(q["goals"]):
        iri = row["n"]["value"]
        node = nodes.setdefault(iri, Node(iri, _lit(row, "kind"), number=_lit(row, "code")))
        node.zh = node.zh or _lit(row, "zh")
        node.en = node.en or _lit(row, "en")
    for row in query(q["entities"]):
        iri = row["n"]["value"]
        kind = ENTITY_KINDS[row["class"]["value"][len(esg):]]
        node = nodes.setdefault(iri, Node(iri, kind, report=_lit(row, "report")))
        node.zh = node.zh or _lit(row, "zh")
        node.en = node.en or _lit(row, "en")
    for row in query(q["topics"]):
        node = nodes.get(row["n"]["value"])
        if node:
            node.pillar = _lit(row, "pillar")
            node.matrix_order = int(_lit(row, "order")) if "order" in row else None
    for row in query(q["sections"]):
        node = nodes.get(row["n"]["value"])
        if node and row["notation"]["value"] not in node.sections:
            node.sections.append(row["notation"]["value"])
    for node in nodes.values():
        node.sections.sort(key=_section_key)
    by_lang: dict[str, dict[str, list[str]]] = {}
    for row in query(q["statements"]):
        lang = "zh" if _lit(row, "lang").lower().startswith("zh") else "en"
        by_lang.setdefault(row["n"]["value"], {"zh": [], "en": []})[lang].append(row["text"]["value"])
    for iri, texts in by_lang.items():
        if iri in nodes:
            # The quoted statements of one record, per language; the data does not pair a
            # zh quote with its en translation, so they are kept as two lists.
            nodes[iri].statements = {lang: sorted(v) for lang, v in texts.items()}
    titles: dict[tuple[str, str], dict[str, str]] = {}
    for row in query(q["section_titles"]):
        titles[(row["report"]["value"], row["notation"]["value"])] = {"zh": _lit(row, "zh"), "en": _lit(row, "en")}

    graph = nx.MultiDiGraph()
    for iri, node in nodes.items():
        graph.add_node(iri, kind=node.kind)
    for row in query(q["edges"]):
        s, p, o = row["s"]["value"], row["p"]["value"], row["o"]["value"]
        if s in nodes and o in nodes:
            graph.add_edge(s, o, key=p[len(esg):], predicate=p)
    has_target = SDGO + "hasTarget"
    for row in query(q["goal_targets"]):
        graph.add_edge(row["goal"]["value"], row["target"]["value"], key="hasTarget", predicate=has_target)
    return Projection(version, graph, nodes, titles, esg, report_names(query, esg))


def _section_key(notation: str) -> tuple:
    parts = notation.split(".")
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts)
