"""`esgkg validate` (exit status, three formats) and `esgkg build` refusing a graph with violations."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.namespace import RDF

from esgkg.graph.build import build
from esgkg.graph.errors import ValidationFailed
from esgkg.graph.namespaces import SH, Iris
from esgkg.graph.store import StoreRoot
from esgkg.graph.validation import build_validator
from esgkg.service.cli import main
from esgkg.service.commands.validate import validate


def _run(*args: str):
    return CliRunner().invoke(validate, list(args))


def _break_structurally(reports: Path) -> None:
    """A head count of 50.5 people: the sources accept a decimal, the shapes do not."""
    csv = reports / "example-2023" / "observations.csv"
    text = csv.read_text(encoding="utf-8")
    assert "employees,2023,50,,3.1,50," in text
    csv.write_text(text.replace("employees,2023,50,,3.1,50,", "employees,2023,50.5,,3.1,50.5,"), encoding="utf-8")


@pytest.fixture(scope="module")
def broken_store(tmp_path_factory: pytest.TempPathFactory) -> StoreRoot:
    """A store published with --force from a report with a structural violation."""
    import shutil

    reports = tmp_path_factory.mktemp("broken") / "reports"
    shutil.copytree(Path(__file__).parent / "fixtures" / "reports", reports)
    _break_structurally(reports)
    root = StoreRoot(tmp_path_factory.mktemp("broken-store"))
    build(root, reports_root=reports, iris=Iris(), validate=build_validator(force=True))
    return root


def test_text_groups_by_severity_and_names_the_node(example_store: StoreRoot) -> None:
    result = _run("--store", str(example_store.root))
    assert result.exit_code == 0, result.output
    assert "0 violation(s), 1 warning(s)" in result.output
    assert "Warnings" in result.output and "Violations" not in result.output
    assert "溫室氣體排放總量 / Total GHG emissions — 2023" in result.output
    assert "sections: 2.1, 3.1" in result.output and "105 in 2.1" in result.output


def test_json_lists_results_for_machines(example_store: StoreRoot) -> None:
    result = _run("--store", str(example_store.root), "--format", "json", "--report", "example-2023")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["conforms"] is True and doc["counts"] == {"Violation": 0, "Warning": 1, "Info": 0}
    [r] = doc["results"]
    assert r["severity"] == "Warning" and r["focus_node"].endswith("/metric/ghg-total")
    assert r["label"] == {"zh-Hant": "溫室氣體排放總量", "en": "Total GHG emissions"}
    assert r["sections"] == ["2.1", "3.1"] and r["year"] == "2023" and r["values"]["value"] == "100"


def test_ttl_is_a_standard_validation_report(example_store: StoreRoot) -> None:
    result = _run("--store", str(example_store.root), "--format", "ttl")
    assert result.exit_code == 0, result.output
    g = Graph().parse(data=result.output, format="turtle")
    [report] = list(g.subjects(RDF.type, SH.ValidationReport))
    assert g.value(report, SH.conforms).toPython() is True
    [res] = list(g.objects(report, SH.result))
    assert g.value(res, SH.resultSeverity) == SH.Warning
    assert str(g.value(res, SH.sourceShape)).endswith("shapes#SameQuantityShape")


def test_unknown_report_is_an_error(example_store: StoreRoot) -> None:
    result = _run("--store", str(example_store.root), "--report", "nope-1999")
    assert result.exit_code != 0 and "no report 'nope-1999'" in str(result.exception or result.output)


def test_violations_exit_1(broken_store: StoreRoot) -> None:
    result = _run("--store", str(broken_store.root))
    assert result.exit_code == 1
    assert "Violations (the graph is broken): 1" in result.output
    assert "50.5 is not a possible value in NUM: counts are whole numbers" in result.output
    assert "員工總數 (2023) / Employees (2023)" in result.output


def test_build_refuses_violations_and_keeps_the_old_store(reports_copy: Path, tmp_path: Path) -> None:
    root = StoreRoot(tmp_path / "store")
    build(root, reports_root=reports_copy, iris=Iris(), validate=build_validator())  # clean: publishes
    before = root.current().version
    _break_structurally(reports_copy)
    with pytest.raises(ValidationFailed) as err:
        build(root, reports_root=reports_copy, iris=Iris(), validate=build_validator())
    assert "1 SHACL violation(s)" in str(err.value) and "counts are whole numbers" in str(err.value)
    assert "--force" in str(err.value)
    assert root.current().version == before


def test_build_force_publishes_with_a_loud_warning(reports_copy: Path, tmp_path: Path) -> None:
    _break_structurally(reports_copy)
    root = StoreRoot(tmp_path / "store")
    result = CliRunner().invoke(main, ["build", "--store", str(root.root), "--reports", str(reports_copy), "--force"])
    assert result.exit_code == 0, result.output
    assert root.exists()
    assert "SHACL validation: 1 violation(s)" in result.stderr
    assert "WARNING: publishing despite 1 SHACL violation(s) because of --force" in result.stderr


def test_build_validator_hands_the_verdict_over_and_prints_nothing(reports_copy: Path, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    _break_structurally(reports_copy)
    verdicts = []
    build(StoreRoot(tmp_path / "store"), reports_root=reports_copy, iris=Iris(),
          validate=build_validator(force=True, on_verdict=verdicts.append))
    [outcome] = verdicts
    assert outcome.count("Violation") == 1 and not outcome.conforms
    assert capsys.readouterr() == ("", "")


def test_findings_of_several_reports_are_grouped_by_report(bundled_store: StoreRoot) -> None:
    result = _run("--store", str(bundled_store.root), "--format", "json")
    reports = {r["report"].rsplit("/", 1)[-1] for r in json.loads(result.output)["results"] if r.get("report")}
    text = _run("--store", str(bundled_store.root)).output
    for report in reports:
        assert f" report {report}: " in text, report
    if len(reports) > 1:  # each group's findings are about its own report's nodes
        group = text.split(f" report {sorted(reports)[0]}: ", 1)[1].split("\n report ", 1)[0]
        assert f"/id/{sorted(reports)[1]}/" not in group


def _as_printed(written: str | None, printed: str) -> str:
    """The digits a reader sees: the leading number as written (0.0810 keeps its zero), else
    the printed value."""
    import re
    from decimal import Decimal

    match = re.match(r"^[^0-9]*([0-9][0-9,]*(\.[0-9]+)?)", written or "")
    lead = match.group(1).replace(",", "") if match else ""
    return lead if lead and Decimal(lead) == abs(Decimal(printed)) else printed


def test_messages_give_values_as_printed_in_the_printed_unit(bundled_store: StoreRoot) -> None:
    """A finding about a stated value quotes it as the report prints it (digits and unit), not
    in the canonical unit it is stored in (0.74 MWh/person, not 740; 0.0810, not 0.081), and the
    computed value comes in that same printed unit."""
    from esgkg.graph.sparql import StoreSparql

    store, _ = bundled_store.open_read_only()
    rows = StoreSparql(store).select("""
        PREFIX sh: <http://www.w3.org/ns/shacl#> PREFIX esg: <https://w3id.org/esgkg/ontology#>
        SELECT ?r ?shape ?message ?value ?written ?printed ?unit ?factor WHERE {
          ?r a sh:ValidationResult ; sh:sourceShape ?shape ; sh:focusNode ?metric ; sh:value ?value ; sh:resultMessage ?message .
          FILTER(LANGMATCHES(LANG(?message), "en") && (STRENDS(STR(?shape), "#IntensityShape") || STRENDS(STR(?shape), "#YearOnYearShape")))
          ?o esg:metric ?metric ; esg:value ?value ; esg:valueAsPrinted ?printed ; esg:unitAsPrinted ?unit ; esg:conversionFactor ?factor .
          OPTIONAL { ?o esg:asWritten ?written }
        }""").rows
    plain = [{k: v["value"] for k, v in r.items()} for r in rows]
    assert sum(1 for r in plain if r["shape"].endswith("IntensityShape")) >= 5
    assert any(float(r["factor"]) != 1 for r in plain)  # a value stored in another unit than printed
    # A value may be stated in several sections (with different wording): one of them is the one.
    by_finding: dict[str, list[dict]] = {}
    for r in plain:
        by_finding.setdefault(r["r"], []).append(r)
    for candidates in by_finding.values():
        message, intensity = candidates[0]["message"], candidates[0]["shape"].endswith("IntensityShape")
        stated = [f"{_as_printed(c.get('written'), c['printed'])} {c['unit']}" for c in candidates]
        if intensity:
            assert any(f"the value {s} stated" in message for s in stated), (stated, message)
            assert any(message.endswith(f" {c['unit']}") for c in candidates), message  # quotient in that unit
        else:
            assert any(f" {s} in " in message for s in stated), (stated, message)
