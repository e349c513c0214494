"""The ontology's documentation page (pyLODE style), made from the ontology and shapes graphs.

For each class: labels, definition, super- and subclasses, the properties whose domain or
range (``rdfs:`` or ``schema:domainIncludes``/``rangeIncludes``) mentions it, and the SHACL
shapes that target it. For each property: domain, range, characteristics and the property
shapes constraining it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from esgkg.graph.namespaces import Iris

from .labels import Labeller, Link

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SCHEMA = "https://schema.org/"
SH = "http://www.w3.org/ns/shacl#"
DCT = "http://purl.org/dc/terms/"


@dataclass
class ShapeInfo:
    link: Link
    anchor: str
    kind: str  # "node" or "property"
    targets: list[Link] = field(default_factory=list)
    path: Link | None = None
    messages: list[str] = field(default_factory=list)
    properties: list[Link] = field(default_factory=list)  # a node shape's property shapes
    severity: str = ""


@dataclass
class Term:
    link: Link
    anchor: str
    kind: str
    definitions: list[str]
    supers: list[Link] = field(default_factory=list)
    subs: list[Link] = field(default_factory=list)
    domains: list[Link] = field(default_factory=list)
    ranges: list[Link] = field(default_factory=list)
    domain_includes: list[Link] = field(default_factory=list)
    range_includes: list[Link] = field(default_factory=list)
    in_domain_of: list[Link] = field(default_factory=list)
    in_range_of: list[Link] = field(default_factory=list)
    characteristics: list[str] = field(default_factory=list)
    shapes: list[ShapeInfo] = field(default_factory=list)


@dataclass
class OntologyView:
    iri: str
    title: str
    other_title: str | None
    metadata: list[tuple[str, str, str | None]]  # (name, text, href)
    classes: list[Term]
    object_properties: list[Term]
    datatype_properties: list[Term]
    other_properties: list[Term]
    shapes: list[ShapeInfo]


class _Index:
    def __init__(self, triples: list[ox.Triple]) -> None:
        self.sp: dict[tuple[str, str], list[object]] = {}
        self.po: dict[tuple[str, str], list[str]] = {}
        for t in triples:
            if isinstance(t.subject, ox.NamedNode):
                self.sp.setdefault((t.subject.value, t.predicate.value), []).append(t.object)
                if isinstance(t.object, ox.NamedNode):
                    self.po.setdefault((t.predicate.value, t.object.value), []).append(t.subject.value)

    def objects(self, s: str, p: str) -> list[object]:
        return self.sp.get((s, p), [])

    def iris(self, s: str, p: str) -> list[str]:
        return sorted(o.value for o in self.objects(s, p) if isinstance(o, ox.NamedNode))

    def subjects(self, p: str, o: str) -> list[str]:
        return sorted(set(self.po.get((p, o), [])))


def _texts(index: _Index, iri: str, predicates: tuple[str, ...], lang: str) -> list[str]:
    found: list[ox.Literal] = [o for p in predicates for o in index.objects(iri, p) if isinstance(o, ox.Literal)]
    found.sort(key=lambda lit: ((lit.language or "") != lang, (lit.language or "") != "en", lit.value))
    return [lit.value for lit in found]


def _anchor(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def build(ontology_iri: str, ontology: list[ox.Triple], shapes: list[ox.Triple], iris: Iris,
          labeller: Labeller) -> OntologyView:
    index = _Index(ontology + shapes)
    ns = str(iris.esg)
    links = lambda items: [labeller.link(i) for i in items]  # noqa: E731
    shape_infos: dict[str, ShapeInfo] = {}
    for kind, cls in (("node", SH + "NodeShape"), ("property", SH + "PropertyShape")):
        for shape in index.subjects(RDF_TYPE, cls):
            info = ShapeInfo(labeller.link(shape), "shape-" + _anchor(shape), kind,
                             targets=links(index.iris(shape, SH + "targetClass")),
                             messages=_texts(index, shape, (SH + "message", RDFS + "comment"), labeller.lang)[:2],
                             properties=links(index.iris(shape, SH + "property")),
                             severity=_anchor(index.iris(shape, SH + "severity")[0]) if index.iris(shape, SH + "severity") else "")
            paths = index.iris(shape, SH + "path")
            info.path = labeller.link(paths[0]) if paths else None
            shape_infos[shape] = info

    def term(iri: str, kind: str) -> Term:
        t = Term(labeller.link(iri), _anchor(iri), kind,
                 definitions=_texts(index, iri, (SKOS + "definition", RDFS + "comment"), labeller.lang)[:2],
                 supers=links(index.iris(iri, RDFS + ("subClassOf" if kind == "class" else "subPropertyOf"))),
                 subs=links(index.subjects(RDFS + ("subClassOf" if kind == "class" else "subPropertyOf"), iri)),
                 domains=links(index.iris(iri, RDFS + "domain")), ranges=links(index.iris(iri, RDFS + "range")),
                 domain_includes=links(index.iris(iri, SCHEMA + "domainIncludes")),
                 range_includes=links(index.iris(iri, SCHEMA + "rangeIncludes")))
        if kind == "class":
            t.in_domain_of = links(sorted(set(index.subjects(RDFS + "domain", iri) + index.subjects(SCHEMA + "domainIncludes", iri))))
            t.in_range_of = links(sorted(set(index.subjects(RDFS + "range", iri) + index.subjects(SCHEMA + "rangeIncludes", iri))))
            t.shapes = [shape_infos[s] for s in index.subjects(SH + "targetClass", iri) if s in shape_infos]
        else:
            types = index.iris(iri, RDF_TYPE)
            t.characteristics = [_anchor(x) for x in types if x.startswith(OWL) and x.endswith("Property")
                                 and x not in (OWL + "ObjectProperty", OWL + "DatatypeProperty")]
            t.shapes = [shape_infos[s] for s in index.subjects(SH + "path", iri) if s in shape_infos]
        return t

    def terms_of(cls: str, kind: str) -> list[Term]:
        return sorted((term(i, kind) for i in index.subjects(RDF_TYPE, cls) if i.startswith(ns)),
                      key=lambda t: t.anchor.lower())

    classes = terms_of(OWL + "Class", "class")
    objects = terms_of(OWL + "ObjectProperty", "object")
    datatypes = terms_of(OWL + "DatatypeProperty", "datatype")
    seen = {t.link.iri for t in objects + datatypes}
    others = [t for t in terms_of(OWL + "AnnotationProperty", "annotation") + terms_of(RDF_TYPE.replace("type", "Property"), "property")
              if t.link.iri not in seen]
    title, other = labeller.label(ontology_iri)
    metadata: list[tuple[str, str, str | None]] = [("IRI", ontology_iri, labeller.href(ontology_iri))]
    for name, pred in (("version", OWL + "versionInfo"), ("version IRI", OWL + "versionIRI"),
                       ("licence", DCT + "license"), ("creator", DCT + "creator"),
                       ("preferred prefix", "http://purl.org/vocab/vann/preferredNamespacePrefix"),
                       ("namespace", "http://purl.org/vocab/vann/preferredNamespaceUri")):
        for value in index.objects(ontology_iri, pred):
            text = getattr(value, "value", str(value))
            metadata.append((name, text, labeller.href(text) if isinstance(value, ox.NamedNode) else None))
    for description in _texts(index, ontology_iri, (DCT + "description",), labeller.lang)[:1]:
        metadata.append(("description", description, None))
    return OntologyView(ontology_iri, title, other, metadata, classes, objects, datatypes, others,
                        sorted(shape_infos.values(), key=lambda s: s.anchor.lower()))
