"""Validating reports against shared graphs read once finds exactly what a fresh validation finds.

A build worker reads the ontology, reference and shapes graphs once (``ReportValidation``)
and validates report after report against them, adding each report's triples and taking
them away again. Every finding (each record, and every quad of the stored
sh:ValidationReport) must be the one a validation of that report's union built from
nothing gives: none lost, none added, nothing left over from the report before. Checked on
the bundled reports and on synthetic copies whose scaled values break rules.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pyshacl
import pytest
from rdflib import Graph, Literal
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS, SKOS

from esgkg.graph.build import common_graphs
from esgkg.graph.build_worker import findings_lines, label_scope
from esgkg.graph.mapping import map_report
from esgkg.graph.namespaces import SH, Iris
from esgkg.graph.reference import load_reference
from esgkg.graph.sources import load_report
from esgkg.graph.validation import ReportValidation, ValidationOutcome, _concatenated, validate_graphs
from esgkg.graph.validation_core import CoreValidation, TripleIndex, without_sparql

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from synthetic import template_dirs, write_report


def _findings(outcome: ValidationOutcome, iris: Iris, name: str) -> tuple[list[str], list[str]]:
    """Every record as JSON and every stored quad of the findings, both sorted."""
    records = sorted(json.dumps(r.to_json(), sort_keys=True, ensure_ascii=False) for r in outcome.records)
    quads = sorted(findings_lines(outcome.report, iris.graph("validation"), label_scope(name + "#findings")))
    return records, quads


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> list[tuple[str, Graph]]:
    """The bundled reports' graphs, then two synthetic copies (scaled values) of the last two."""
    iris = Iris()
    ref = load_reference(None)
    folders = template_dirs()
    synthetic = tmp_path_factory.mktemp("synthetic")
    count = len(folders)
    folders += [write_report(synthetic, i) for i in (2 * count - 1, 2 * count)]
    return [(folder.name, map_report(load_report(folder, ref, display_root=folder.parent.parent), ref, iris))
            for folder in folders]


def test_shared_graphs_find_what_a_fresh_validation_finds(reports) -> None:
    iris = Iris()
    common = [g for _, g in common_graphs(load_reference(None), iris)]
    shapes = common[-1]
    validation = ReportValidation(common, shapes, iris)
    # The first report again at the end: a report validated after others finds the same.
    order = [*reports, reports[0]]
    shared = [_findings(validation.validate(graph), iris, name) for name, graph in order]
    for (name, graph), got in zip(order, shared):
        fresh = _findings(validate_graphs([*common, graph], shapes, iris), iris, name)
        assert got[0] == fresh[0], f"{name}: records differ from a fresh validation"
        assert got[1] == fresh[1], f"{name}: stored findings differ from a fresh validation"
    # The comparison is not vacuous: both engines found something, in every severity.
    records = [json.loads(r) for records, _ in shared for r in records]
    assert {r["severity"] for r in records} == {"Violation", "Warning", "Info"}
    engines = {r["source_constraint"].startswith("http://www.w3.org/ns/shacl#") for r in records}
    assert engines == {True, False}, "findings of pyshacl (core) and of Oxigraph (SPARQL) both"
    # Nothing of the reports stays in the shared graphs.
    assert set(validation.data) == set(_union(common))


def _union(graphs: list[Graph]) -> Graph:
    union = Graph()
    for g in graphs:
        union += g
    return union


def test_a_list_picked_by_an_outer_aggregate_is_sorted_like_the_list() -> None:
    # The engine's GROUP_CONCAT order varies between runs; the list read through SAMPLE is
    # the same list and must be sorted as well, or the stored findings change from build to build.
    query = """SELECT $this (SAMPLE(?listed) AS ?statements) (MIN(?where) AS ?sections) ?other WHERE {
        { SELECT $this (GROUP_CONCAT(?s; separator="; ") AS ?listed) (GROUP_CONCAT(?w; separator=", ") AS ?where)
          WHERE { $this ?p ?s } GROUP BY $this } }"""
    assert _concatenated(query) == {"listed": "; ", "where": ", ", "statements": "; ", "sections": ", "}


def _pyshacl_core(data: Graph, shapes: Graph) -> Graph:
    """pyshacl's own report over a plain rdflib graph: what the core engine must equal."""
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", allow_warnings=True,
                                    allow_infos=True, advanced=False)
    return report


def test_reports_that_break_rules_through_shared_nodes_find_what_a_fresh_validation_finds(reports) -> None:
    """A report whose triples break rules on shared nodes (reference data, units, SDG
    concepts) finds those results although the shared nodes are otherwise skipped."""
    iris = Iris()
    esg = iris.esg
    common = [g for _, g in common_graphs(load_reference(None), iris)]
    shapes = common[-1]
    shared = _union(common)
    name, report = reports[0]
    provisions = sorted(shared.subjects(RDF.type, esg.FrameworkProvision))
    unit = sorted(shared.subjects(RDF.type, esg.Unit))[0]
    labelled = sorted(s for s in shared.subjects(RDF.type, esg.Pillar))[0]
    risk = sorted(report.subjects(esg.response, None))[0]
    awarded = sorted(set(report.subjects(esg.receivedAward, None)))
    organisation = awarded[0] if awarded else risk
    broken = Graph()
    broken += report
    broken.add((provisions[0], SKOS.notation, Literal("second-code")))
    broken.add((labelled, RDFS.label, Literal("a second English label", lang="en")))
    broken.add((unit, RDF.type, esg.Metric))
    broken.add((risk, esg.response, provisions[1]))
    broken.add((organisation, esg.receivedAward, provisions[2]))

    validation = ReportValidation(common, shapes, iris)
    outcome = validation.validate(broken)
    assert validation.core.skipped > 0, "shared focus nodes were skipped (else this tests nothing)"
    got = _findings(outcome, iris, name)
    fresh = _findings(validate_graphs([*common, broken], shapes, iris), iris, name)
    assert got[0] == fresh[0]
    assert got[1] == fresh[1]
    foci = {json.loads(r)["focus_node"] for r in got[0]}
    assert {str(provisions[0]), str(labelled), str(unit), str(risk)} <= foci
    # The core engine's report is pyshacl's own over a plain graph of the union.
    plain = Graph()
    plain += shared
    plain += broken
    core = validation.core.validate(validation.core.extra(broken))
    assert isomorphic(core, _pyshacl_core(plain, without_sparql(shapes)))


_PREFIXES = """@prefix ex: <http://example.org/> . @prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

# (shapes, shared data, report data, shared focus nodes skipped at least): each a way a
# report's triples reach a shared focus node's checks, or must not.
_CASES = {
    "nested sh:node two steps from a report triple": ("""
        ex:AShape a sh:NodeShape ; sh:targetClass ex:A ; sh:property [ sh:path ex:p ; sh:node ex:BShape ] .
        ex:BShape a sh:NodeShape ; sh:property [ sh:path ex:q ; sh:node ex:CShape ] .
        ex:CShape a sh:NodeShape ; sh:property [ sh:path ex:r ; sh:maxCount 1 ] .""",
        'ex:a1 a ex:A ; ex:p ex:b1 . ex:b1 ex:q ex:c1 . ex:c1 ex:r "x" .',
        'ex:c1 ex:r "y" .', 0),
    "an entry by sh:inversePath only": ("""
        ex:DShape a sh:NodeShape ; sh:targetClass ex:D ;
            sh:property [ sh:path [ sh:inversePath ex:owns ] ; sh:maxCount 1 ] .""",
        "ex:d1 a ex:D . ex:o1 ex:owns ex:d1 .",
        "ex:o2 ex:owns ex:d1 .", 0),
    "sh:not with sh:class through rdfs:subClassOf": ("""
        ex:EShape a sh:NodeShape ; sh:targetClass ex:E ; sh:not [ sh:class ex:Forbidden ] .""",
        "ex:e1 a ex:E , ex:Kind .",
        "ex:Kind rdfs:subClassOf ex:Forbidden .", 0),
    "sh:targetSubjectsOf": ("""
        ex:FShape a sh:NodeShape ; sh:targetSubjectsOf ex:rated ;
            sh:property [ sh:path ex:rated ; sh:datatype xsd:integer ] .""",
        'ex:f1 ex:name "f" . ex:f2 ex:rated 3 .',
        'ex:f1 ex:rated "bad" .', 1),
    "sh:targetObjectsOf": ("""
        ex:IShape a sh:NodeShape ; sh:targetObjectsOf ex:points ; sh:property [ sh:path ex:name ; sh:minCount 1 ] .""",
        "ex:i1 ex:other 1 .",
        "ex:r1 ex:points ex:i1 .", 0),
    "a report's own node": ("""
        ex:GShape a sh:NodeShape ; sh:targetClass ex:G ; sh:property [ sh:path ex:name ; sh:minCount 1 ] .""",
        'ex:g0 a ex:G ; ex:name "g" .',
        "ex:g1 a ex:G ; ex:link ex:g0 .", 1),
    "an unrelated shared node": ("""
        ex:HShape a sh:NodeShape ; sh:targetClass ex:H ; sh:property [ sh:path ex:v ; sh:maxCount 1 ] .""",
        "ex:h1 a ex:H ; ex:v 1 . ex:h2 a ex:H ; ex:v 1 , 2 .",
        "ex:x1 ex:v 5 , 6 ; a ex:H .", 1),
}


@pytest.mark.parametrize("case", sorted(_CASES))
def test_skipping_shared_focus_nodes_changes_no_finding(case: str) -> None:
    shapes_ttl, shared_ttl, report_ttl, skipped = _CASES[case]
    shapes = Graph().parse(data=_PREFIXES + shapes_ttl, format="turtle")
    shared = Graph().parse(data=_PREFIXES + shared_ttl, format="turtle")
    report = Graph().parse(data=_PREFIXES + report_ttl, format="turtle")
    core = CoreValidation(shared, shapes)
    got = core.validate(core.extra(report))
    assert core.skipped >= skipped
    plain = Graph()
    plain += shared
    plain += report
    expected = _pyshacl_core(plain, shapes)
    assert len(list(expected.objects(None, SH.result))) > len(list(_pyshacl_core(shared, shapes).objects(None, SH.result))), \
        "the report's triples add a result (else the case shows nothing)"
    assert isomorphic(got, expected)


def test_shapes_beyond_the_core_validate_every_focus_node() -> None:
    # A SPARQL-based constraint component may read any triple: nothing is skipped then.
    component = """ex:Checked a sh:ConstraintComponent ; sh:parameter [ sh:path ex:checked ] ;
        sh:validator [ a sh:SPARQLAskValidator ; sh:ask "ASK { FILTER (true) }" ] .
        ex:HShape ex:checked true ."""
    shapes_ttl, shared_ttl, report_ttl, _ = _CASES["an unrelated shared node"]
    shapes = Graph().parse(data=_PREFIXES + shapes_ttl + component, format="turtle")
    core = CoreValidation(Graph().parse(data=_PREFIXES + shared_ttl, format="turtle"), shapes)
    core.validate(core.extra(Graph().parse(data=_PREFIXES + report_ttl, format="turtle")))
    assert not core.skip_shared and core.skipped == 0


def test_the_union_index_answers_every_pattern_like_a_graph() -> None:
    data = Graph().parse(data=_PREFIXES + _CASES["an unrelated shared node"][1] + _CASES["nested sh:node two steps from a report triple"][1], format="turtle")
    index = TripleIndex(data)
    for s, p, o in [*data, (None, None, None)]:
        for pattern in [(s, None, None), (None, p, None), (None, None, o), (s, p, None), (None, p, o), (s, None, o), (s, p, o), (None, None, None)]:
            assert sorted(index.match(*pattern)) == sorted(data.triples(pattern)), pattern
