"""VoID and DCAT descriptions of the published dataset, computed from the store.

What it says: the dataset (``<base>dataset``), its statistics (triples, entities, classes,
properties, distinct subjects and objects, class and property partitions), each named graph
as a subset, the links to the UN SDG KOS as linksets (with counts), the downloads as DCAT
distributions (with size and SHA-256 when the dumps are known) and the SPARQL endpoint as a
DCAT data service. Every node has an IRI (hash IRIs under ``<base>dataset``), never a
blank node, so the description is deterministic and each part dereferences.

All IRIs are under the configured base: the service answers each of them (``<base>sparql``,
``<base>dumps/…``), so the description is the same whichever host serves it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox

from .dumps import DumpFile
from .namespaces import DCAT, DCTERMS, FOAF, OWL, RDF, RDFS, SD, VOID, XSD, Iris
from .sparql import Sparql

SPDX = "http://spdx.org/rdf/terms#"
IANA = "https://www.iana.org/assignments/media-types/"
SDG_KOS_DATASET = "http://metadata.un.org/sdg/void.ttl#SDG"  # as the UN's own void.ttl names it
SDG_SPACE = "http://metadata.un.org/sdg/"

TITLE = {"en": "esgkg: corporate ESG reports as linked data", "zh-Hant": "esgkg：企業ESG報告關聯數據"}
DESCRIPTION = ("Material topics, stakeholders, UN SDG contributions, policies, risks, metrics with "
               "yearly values, targets and framework disclosure indexes from corporate ESG reports, "
               "each statement traced to the report section it came from.")


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _int(value: int) -> ox.Literal:
    return ox.Literal(str(int(value)), datatype=_n(str(XSD.integer)))


def _count(source: Sparql, where: str, var: str = "n") -> int:
    rows = source.select(f"SELECT (COUNT(*) AS ?{var}) WHERE {{ {where} }}")
    return int(rows[0][var]["value"]) if rows else 0


def _slug(iri: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", iri.split("//", 1)[-1]).strip("-")


@dataclass
class Statistics:
    """The numbers VoID asks for, for the whole dataset (union of the named graphs)."""

    triples: int
    entities: int
    classes: int
    properties: int
    distinct_subjects: int
    distinct_objects: int
    class_partitions: list[tuple[str, int]]
    property_partitions: list[tuple[str, int]]
    graphs: list[tuple[str, int, int]]  # graph, triples, distinct subjects
    sdg_links: list[tuple[str, int]]  # link predicate, number of links


def statistics(source: Sparql, iris: Iris, default_graph_is_a_set: bool = False) -> Statistics:
    """Count everything with SPARQL (fast on the embedded store: tens of milliseconds).

    ``default_graph_is_a_set``: the source's default graph is a real graph (a version's union
    copy), not a union view over the named graphs, which is a bag where a triple two graphs
    hold counts twice. The triples then need no DISTINCT, whose hash of every triple of a
    store of 1,000 reports is more memory than the downloads' writer has."""
    base = iris.base
    every = "?s ?p ?o" if default_graph_is_a_set else "SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o }"
    classes = [(r["c"]["value"], int(r["n"]["value"])) for r in source.select(
        "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c FILTER(isIRI(?c)) } GROUP BY ?c ORDER BY ?c")]
    props = [(r["p"]["value"], int(r["n"]["value"])) for r in source.select(
        f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ {every} }} GROUP BY ?p ORDER BY ?p")]
    graphs = [(r["g"]["value"], int(r["n"]["value"]), int(r["s"]["value"])) for r in source.select(
        "SELECT ?g (COUNT(*) AS ?n) (COUNT(DISTINCT ?s) AS ?s) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")]
    linked = f"""?s ?p ?o FILTER(isIRI(?o) && STRSTARTS(STR(?s), "{base}id/") && STRSTARTS(STR(?o), "{SDG_SPACE}")
                    && !STRSTARTS(STR(?o), "{SDG_SPACE}ontology"))"""
    links = [(r["p"]["value"], int(r["n"]["value"])) for r in source.select(
        f"""SELECT ?p (COUNT(*) AS ?n) WHERE {{ {linked if default_graph_is_a_set else
                                                 f"SELECT DISTINCT ?s ?p ?o WHERE {{ {linked} }}"} }}
            GROUP BY ?p ORDER BY ?p""")]
    return Statistics(
        triples=_count(source, f"SELECT * WHERE {{ {every} }}"),
        entities=_count(source, f'SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{base}")) }}'),
        classes=len(classes),
        properties=len(props),
        distinct_subjects=_count(source, "SELECT DISTINCT ?s WHERE { ?s ?p ?o }"),
        distinct_objects=_count(source, "SELECT DISTINCT ?o WHERE { ?s ?p ?o }"),
        class_partitions=classes,
        property_partitions=props,
        graphs=graphs,
        sdg_links=links,
    )


class _Triples:
    """Collects the description's triples: ``add(s, p, o)`` with IRIs as strings or nodes."""

    def __init__(self) -> None:
        self.out: list[ox.Triple] = []

    def add(self, s: ox.NamedNode, p, o) -> None:
        self.out.append(ox.Triple(s, _n(str(p)), o if not isinstance(o, str) else _n(o)))


def _text(value: str, lang: str | None = None) -> ox.Literal:
    return ox.Literal(value, language=lang.lower() if lang else None)


def describe_dataset(source: Sparql, iris: Iris, dumps: list[DumpFile] | None = None,
                     version: str | None = None, stats: Statistics | None = None,
                     counted: bool = True) -> list[ox.Triple]:
    """The VoID + DCAT description as triples (sorted): with ``stats`` (counted through
    ``source`` when not given), or, with ``counted`` false, without any count (a store whose
    counts are not ready: VoID's statistics are optional, a wrong one is not)."""
    if counted:
        stats = stats or statistics(source, iris)
    ds = _n(str(iris.dataset()))
    endpoint = _n(iris.base + "sparql")
    w = _Triples()
    _about_the_dataset(w, source, iris, ds, endpoint, version)
    if stats is not None:
        _statistics(w, ds, stats)
        _named_graphs(w, ds, stats, dumps, iris.base)
        _sdg_linksets(w, ds, stats)
    _distributions(w, ds, dumps, iris.base)
    _endpoint(w, ds, endpoint)
    return sorted(set(w.out), key=str)


def _about_the_dataset(w: _Triples, source: Sparql, iris: Iris, ds: ox.NamedNode, endpoint: ox.NamedNode,
                       version: str | None) -> None:
    add = w.add
    doc = _n(iris.base + ".well-known/void")
    add(doc, RDF.type, str(VOID.DatasetDescription))
    add(doc, FOAF.primaryTopic, ds)
    add(doc, DCTERMS.title, _text("VoID and DCAT description of the esgkg dataset", "en"))
    for cls in (VOID.Dataset, DCAT.Dataset):
        add(ds, RDF.type, str(cls))
    for lang, title in TITLE.items():
        add(ds, DCTERMS.title, _text(title, lang))
        add(ds, RDFS.label, _text(title, lang))
    add(ds, DCTERMS.description, _text(DESCRIPTION, "en"))
    add(ds, DCTERMS.conformsTo, str(iris.ontology))
    add(ds, DCTERMS.rights, _text("Facts are taken from the organisations' published reports; the UN SDG KOS and "
                                  "framework texts are used under their publishers' terms (see the project README).", "en"))
    if version:
        add(ds, OWL.versionInfo, _text(version))
    for word in ("ESG", "sustainability", "SDG", "corporate reporting", "linked data"):
        add(ds, DCAT.keyword, _text(word, "en"))
    for report in source.select(f"SELECT ?r WHERE {{ ?r a <{iris.esg}Report> }} ORDER BY ?r").values("r"):
        add(ds, VOID.rootResource, report)
        add(ds, DCTERMS.source, report)
        add(ds, VOID.exampleResource, report)
    add(ds, VOID.uriSpace, _text(iris.base + "id/"))
    add(ds, VOID.vocabulary, str(iris.esg))
    add(ds, VOID.sparqlEndpoint, endpoint)
    add(ds, VOID.feature, "http://www.w3.org/ns/formats/N-Quads")
    add(ds, VOID.feature, "http://www.w3.org/ns/formats/Turtle")


def _statistics(w: _Triples, ds: ox.NamedNode, stats: Statistics) -> None:
    add = w.add
    add(ds, VOID.triples, _int(stats.triples))
    add(ds, VOID.entities, _int(stats.entities))
    add(ds, VOID.classes, _int(stats.classes))
    add(ds, VOID.properties, _int(stats.properties))
    add(ds, VOID.distinctSubjects, _int(stats.distinct_subjects))
    add(ds, VOID.distinctObjects, _int(stats.distinct_objects))
    for cls, count in stats.class_partitions:
        part = _n(f"{ds.value}#class-{_slug(cls)}")
        add(ds, VOID.classPartition, part)
        add(part, RDF.type, str(VOID.Dataset))
        add(part, VOID["class"], cls)
        add(part, VOID.entities, _int(count))
    for prop, count in stats.property_partitions:
        part = _n(f"{ds.value}#property-{_slug(prop)}")
        add(ds, VOID.propertyPartition, part)
        add(part, RDF.type, str(VOID.Dataset))
        add(part, VOID.property, prop)
        add(part, VOID.triples, _int(count))


def _named_graphs(w: _Triples, ds: ox.NamedNode, stats: Statistics, dumps: list[DumpFile] | None, base: str) -> None:
    """Named graphs are subsets; each also has its own Turtle download."""
    add = w.add
    per_graph = {f.graph: f for f in dumps or [] if f.graph}
    for graph, triples, subjects in stats.graphs:
        g = _n(graph)
        add(ds, VOID.subset, g)
        add(g, RDF.type, str(VOID.Dataset))
        add(g, RDF.type, str(SD.NamedGraph))
        add(g, SD.name, g)
        add(g, VOID.triples, _int(triples))
        add(g, VOID.distinctSubjects, _int(subjects))
        add(g, DCTERMS.isPartOf, ds)
        add(g, RDFS.label, _text("named graph " + graph[len(base):] if graph.startswith(base) else graph, "en"))
        if graph in per_graph:
            add(g, VOID.dataDump, base + "dumps/" + per_graph[graph].name)


def _sdg_linksets(w: _Triples, ds: ox.NamedNode, stats: Statistics) -> None:
    """Links into the UN SDG KOS, one linkset per link predicate."""
    add = w.add
    for prop, count in stats.sdg_links:
        ls = _n(f"{ds.value}#links-sdg-{_slug(prop)}")
        add(ds, VOID.subset, ls)
        add(ls, RDF.type, str(VOID.Linkset))
        add(ls, VOID.subjectsTarget, ds)
        add(ls, VOID.objectsTarget, SDG_KOS_DATASET)
        add(ls, VOID.linkPredicate, prop)
        add(ls, VOID.triples, _int(count))
        add(ls, RDFS.label, _text(f"links to the UN SDG KOS by <{prop}>", "en"))
    kos = _n(SDG_KOS_DATASET)
    add(kos, RDF.type, str(VOID.Dataset))
    add(kos, DCTERMS.title, _text("A Knowledge Organization System for the United Nations Sustainable Development Goals", "en"))
    add(kos, VOID.uriSpace, _text(SDG_SPACE))


def _distributions(w: _Triples, ds: ox.NamedNode, dumps: list[DumpFile] | None, base: str) -> None:
    """Downloads: DCAT distributions (and VoID data dumps for the whole-dataset files)."""
    add = w.add
    for item in dumps or []:
        url = _n(base + "dumps/" + item.name)
        dist = _n(f"{ds.value}#dist-{_slug(item.name)}")
        add(ds, DCAT.distribution, dist)
        if item.graph is None:
            add(ds, VOID.dataDump, url)
        add(dist, RDF.type, str(DCAT.Distribution))
        add(dist, DCTERMS.title, _text(item.title, "en"))
        add(dist, DCAT.downloadURL, url)
        add(dist, DCAT.accessURL, url)
        add(dist, DCAT.mediaType, IANA + item.media_type)
        add(dist, DCAT.compressFormat, IANA + "application/gzip")
        add(dist, DCAT.byteSize, ox.Literal(str(item.size), datatype=_n(str(XSD.nonNegativeInteger))))
        checksum = _n(dist.value + "-sha256")
        add(dist, SPDX + "checksum", checksum)
        add(checksum, RDF.type, SPDX + "Checksum")
        add(checksum, SPDX + "algorithm", SPDX + "checksumAlgorithm_sha256")
        add(checksum, SPDX + "checksumValue", ox.Literal(item.sha256, datatype=_n(str(XSD.hexBinary))))
        if item.graph:
            add(dist, DCTERMS.isPartOf, item.graph)
    if dumps:
        add(ds, DCAT.landingPage, base + "dumps/")


def _endpoint(w: _Triples, ds: ox.NamedNode, endpoint: ox.NamedNode) -> None:
    """The SPARQL endpoint, as a DCAT data service and as an access distribution."""
    add = w.add
    add(endpoint, RDF.type, str(DCAT.DataService))
    add(endpoint, RDF.type, str(SD.Service))
    add(endpoint, DCTERMS.title, _text("esgkg SPARQL 1.1 endpoint", "en"))
    add(endpoint, DCAT.endpointURL, endpoint)
    add(endpoint, DCAT.endpointDescription, endpoint)
    add(endpoint, DCAT.servesDataset, ds)
    add(endpoint, DCTERMS.conformsTo, "https://www.w3.org/TR/sparql11-protocol/")
    access = _n(f"{ds.value}#dist-sparql")
    add(ds, DCAT.distribution, access)
    add(access, RDF.type, str(DCAT.Distribution))
    add(access, DCTERMS.title, _text("SPARQL 1.1 endpoint", "en"))
    add(access, DCAT.accessURL, endpoint)
    add(access, DCAT.accessService, endpoint)


def about(triples: list[ox.Triple], iri: str) -> list[ox.Triple]:
    """The part of a description whose subject or object is ``iri`` (for a subset's IRI)."""
    node = ox.NamedNode(iri)
    return [t for t in triples if t.subject == node or t.object == node]
