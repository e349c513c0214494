"""The reference graph: the UN SDG KOS with zh-Hant goal names, the frameworks and their
provisions, the KPI crosswalk, the units, the code lists and the Data Cube structure. Shared
by every report; built once per build from graph/reference/."""
from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

from .mapping import HORIZONS, PILLARS, STATUSES, ZH, label, texts
from .mapping_bounds import QUALIFIERS
from .namespaces import QB, SDG, SDMX_ATTR, UNIT, Iris
from .reference import Reference


def map_reference(ref: Reference, iris: Iris) -> Graph:
    """The reference graph: UN SDG KOS + zh-Hant goal names, frameworks, units, code lists."""
    g = Graph()
    for triple in ref.sdg_graph:
        g.add(triple)
    for goal, (name, _source) in sorted(ref.goal_names_zh.items()):
        g.add((SDG[str(goal)], SKOS.prefLabel, Literal(name, lang=ZH)))
    _map_schemes(g, ref, iris)
    _map_provisions(g, ref, iris)
    # The KPI crosswalk (graph/reference/crosswalk.csv): one SKOS mapping triple per row, so a
    # metric's esg:disclosure provision joins to its GRI / ESRS / IFRS S2 counterparts in one hop.
    for m in ref.crosswalk:
        g.add((iris.provision(m.from_scheme, m.from_code), SKOS[m.relation], iris.provision(m.to_scheme, m.to_code)))
    _map_units(g, ref, iris)
    _map_code_lists(g, iris)
    _map_cube_structure(g, iris)
    return g


def _map_schemes(g: Graph, ref: Reference, iris: Iris) -> None:
    for sid, scheme in sorted(ref.schemes.items()):
        s = iris.scheme(sid)
        g.add((s, RDF.type, SKOS.ConceptScheme))
        label(g, s, scheme.get("label"))
        texts(g, s, SKOS.prefLabel, scheme.get("label"))
        if scheme.get("version"):
            g.add((s, OWL.versionInfo, Literal(str(scheme["version"]))))
        if scheme.get("publisher"):
            texts(g, s, DCTERMS.publisher, scheme["publisher"])
        if scheme.get("url"):
            g.add((s, RDFS.seeAlso, URIRef(str(scheme["url"]))))
        if scheme.get("source"):
            g.add((s, DCTERMS.source, Literal(str(scheme["source"]))))
        texts(g, s, SKOS.editorialNote, {"en": scheme["note"]} if isinstance(scheme.get("note"), str) else scheme.get("note"))


def _map_provisions(g: Graph, ref: Reference, iris: Iris) -> None:
    esg = iris.esg
    for (sid, code), prov in sorted(ref.provisions.items()):
        p = iris.provision(sid, code)
        g.add((p, RDF.type, esg.FrameworkProvision))
        g.add((p, RDF.type, SKOS.Concept))
        g.add((p, SKOS.inScheme, iris.scheme(sid)))
        g.add((p, SKOS.notation, Literal(code)))
        label(g, p, prov.get("label"), concept=True)
        for alt in prov.get("alt_labels") or []:
            texts(g, p, SKOS.altLabel, alt)
        texts(g, p, SKOS.definition, prov.get("definition"))
        g.add((p, esg.provisionLevel, Literal(str(prov["level"]))))
        if prov.get("paragraph"):
            g.add((p, DCTERMS.bibliographicCitation, Literal(f"{_top_code(ref, sid, code)} {prov['paragraph']}")))
        if prov.get("repealed"):
            g.add((p, OWL.deprecated, Literal(True)))
            g.add((p, esg.repealedOn, Literal(str(prov["repealed"]), datatype=XSD.date)))
        if prov.get("replaced_by") is not None:
            g.add((p, DCTERMS.isReplacedBy, iris.provision(sid, str(prov["replaced_by"]))))
        if prov.get("parent") is not None:
            g.add((p, SKOS.broader, iris.provision(sid, str(prov["parent"]))))
        else:
            g.add((iris.scheme(sid), SKOS.hasTopConcept, p))


def _top_code(ref: Reference, sid: str, code: str) -> str:
    """The code of a provision's top ancestor (the standard a datapoint's paragraph belongs to)."""
    seen = {code}
    while (parent := ref.provisions[(sid, code)].get("parent")) is not None and str(parent) not in seen:
        code = str(parent)
        seen.add(code)
    return code


def _map_units(g: Graph, ref: Reference, iris: Iris) -> None:
    esg = iris.esg
    labelled: set[URIRef] = set()
    for key, spec in ref.units.items():  # file order: the first key of a QUDT unit names it
        u = UNIT[str(spec["qudt"])]
        g.add((u, RDF.type, esg.Unit))
        g.add((u, SKOS.notation, Literal(key)))
        if u not in labelled:
            # Several keys may share one QUDT unit (t and tCO2e are both unit:TONNE, told
            # apart by quantity kind); only one may name it. Metrics, observations and
            # targets carry their own esg:unitLabel for display.
            label(g, u, spec.get("label"))
            labelled.add(u)


def _map_code_lists(g: Graph, iris: Iris) -> None:
    esg = iris.esg
    code_lists = [
        ("pillar", esg.Pillar, {k: v for k, v in PILLARS.items()}, iris.pillar, ("ESG範疇", "ESG pillars")),
        ("horizon", esg.TimeHorizon, HORIZONS, iris.horizon, ("時間範圍", "Time horizons")),
        ("disclosure-status", esg.DisclosureStatus, STATUSES,
         lambda k: iris.dimension_value("disclosure-status", k), ("披露狀態", "Disclosure statuses")),
        ("value-qualifier", esg.ValueQualifier, {k: v[:2] for k, v in QUALIFIERS.items()},
         lambda k: iris.dimension_value("value-qualifier", k), ("數值限定", "Value qualifiers")),
    ]
    for name, cls, values, mint, title in code_lists:
        scheme = iris.scheme(name)
        g.add((scheme, RDF.type, SKOS.ConceptScheme))
        label(g, scheme, {"zh": title[0], "en": title[1]})
        for key, (zh, en) in values.items():
            c = mint(key)
            g.add((c, RDF.type, cls))
            g.add((c, SKOS.inScheme, scheme))
            g.add((c, SKOS.notation, Literal(key)))
            label(g, c, {"zh": zh, "en": en}, concept=True)


def _map_cube_structure(g: Graph, iris: Iris) -> None:
    esg = iris.esg
    structure = URIRef(str(esg) + "MetricStructure")
    g.add((structure, RDF.type, QB.DataStructureDefinition))
    label(g, structure, {"zh": "指標數據結構", "en": "Structure of metric values"})
    for i, (prop, kind) in enumerate(((esg.metric, QB.dimension), (esg.year, QB.dimension),
                                      (esg.value, QB.measure), (SDMX_ATTR.unitMeasure, QB.attribute)), start=1):
        comp = URIRef(f"{esg}MetricStructure-component-{i}")
        g.add((structure, QB.component, comp))
        g.add((comp, kind, prop))
