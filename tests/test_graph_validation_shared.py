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

import pytest
from rdflib import Graph

from esgkg.graph.build import common_graphs
from esgkg.graph.build_worker import findings_lines, label_scope
from esgkg.graph.mapping import map_report
from esgkg.graph.namespaces import Iris
from esgkg.graph.reference import load_reference
from esgkg.graph.sources import load_report
from esgkg.graph.validation import ReportValidation, ValidationOutcome, _concatenated, validate_graphs

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
