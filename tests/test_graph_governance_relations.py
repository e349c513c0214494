"""How each kind of governance body is placed relative to the organisation.

A body of the organisation is a unit of it (or of its parent body); an external body, such as
a group the company is an associate of or hired advisers, is only linked to it. The sources
refuse a part_of that would make one a unit of the other.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import ORG, RDF

from esgkg.graph.errors import SourceErrors
from esgkg.graph.mapping import map_report
from esgkg.graph.namespaces import Iris
from esgkg.graph.reference import load_reference
from esgkg.graph.sources import load_report

REPORT = """id: probe-2024
title: {zh: 探針報告, en: Probe report}
organisation: {id: probe-co, label: {zh: 探針公司, en: Probe Co}}
period: {start: 2024-01-01, end: 2024-12-31}
language: zh-Hant
sections:
  - {id: "1", title: {zh: 管治, en: Governance}}
"""
BODIES = """bodies:
- {id: board, kind: board, label: {zh: 董事會, en: Board}, section: "1"}
- {id: audit, kind: board-committee, label: {zh: 審核委員會, en: Audit Committee}, part_of: board, reports_to: board, section: "1"}
- {id: management, kind: management-committee, label: {zh: 管理層, en: Management}, reports_to: board, section: "1"}
- {id: team, kind: department, label: {zh: 團隊, en: Team}, section: "1"}
- {id: group, kind: external, label: {zh: 集團, en: Group}, relation: {zh: 聯營公司, en: associate}, section: "1"}
- {id: group-committee, kind: external, label: {zh: 集團委員會, en: Group committee}, part_of: group, section: "1"}
- {id: experts, kind: external, label: {zh: 外部專家, en: External experts}, section: "1"}
"""
IRIS = Iris()
ORG_IRI = IRIS.org("probe-co")


def _folder(tmp_path: Path, bodies: str) -> Path:
    folder = tmp_path / "probe-2024"
    folder.mkdir()
    (folder / "report.yaml").write_text(REPORT, encoding="utf-8")
    (folder / "governance.yaml").write_text(bodies, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> Graph:
    ref = load_reference()
    return map_report(load_report(_folder(tmp_path_factory.mktemp("gov"), BODIES), ref), ref, IRIS)


def body(local: str) -> URIRef:
    return IRIS.entity("probe-2024", "body", local)


@pytest.mark.parametrize("local, parent", [("board", None), ("management", None), ("team", None), ("audit", "board")])
def test_a_body_of_the_organisation_is_a_unit_of_it_or_of_its_parent(graph: Graph, local: str, parent: str | None) -> None:
    within = body(parent) if parent else ORG_IRI
    b = body(local)
    assert set(graph.objects(b, ORG.unitOf)) == {within}
    assert set(graph.objects(b, ORG.subOrganizationOf)) == {within}
    assert (within, ORG.hasUnit, b) in graph
    assert (b, RDF.type, ORG.OrganizationalUnit) in graph
    assert (b, ORG.linkedTo, ORG_IRI) not in graph


@pytest.mark.parametrize("local", ["group", "experts"])
def test_an_external_body_is_linked_to_the_organisation_never_a_unit(graph: Graph, local: str) -> None:
    b = body(local)
    assert set(graph.objects(b, ORG.linkedTo)) == {ORG_IRI}
    for p in (ORG.unitOf, ORG.subOrganizationOf):
        assert list(graph.objects(b, p)) == []
    assert (ORG_IRI, ORG.hasUnit, b) not in graph
    assert (b, RDF.type, ORG.OrganizationalUnit) not in graph


def test_nothing_external_is_a_unit_of_the_organisation_or_its_bodies(graph: Graph) -> None:
    external = {body(b) for b in ("group", "group-committee", "experts")}
    units = {(s, o) for s, o in graph.subject_objects(ORG.unitOf)} | {(s, o) for o, s in graph.subject_objects(ORG.hasUnit)}
    assert not [(s, o) for s, o in units if (s in external) != (o in external)]
    assert (body("group-committee"), ORG.unitOf, body("group")) in graph


def test_an_external_body_keeps_the_relation_as_written(graph: Graph) -> None:
    esg = IRIS.esg
    assert Literal("聯營公司", lang="zh-Hant") in set(graph.objects(body("group"), esg.relationAsWritten))


def test_reporting_lines_are_kept_beside_the_units(graph: Graph) -> None:
    assert (body("audit"), IRIS.esg.reportsTo, body("board")) in graph
    assert (body("management"), IRIS.esg.reportsTo, body("board")) in graph


@pytest.mark.parametrize("bad", [
    "- {id: x, kind: external, label: {zh: 顧問, en: Adviser}, part_of: board, section: '1'}\n",
    "- {id: x, kind: department, label: {zh: 部門, en: Department}, part_of: group, section: '1'}\n",
])
def test_sources_refuse_mixing_external_and_internal_parts(tmp_path: Path, bad: str) -> None:
    with pytest.raises(SourceErrors) as caught:
        load_report(_folder(tmp_path, BODIES + bad), load_reference())
    message = str(caught.value)
    assert "governance.yaml:9" in message and "mixes an external body" in message
