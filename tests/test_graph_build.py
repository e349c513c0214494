"""Building: determinism, atomicity, and clear errors for bad source data."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from esgkg.graph.build import build
from esgkg.graph.errors import SourceErrors
from esgkg.graph.export import export
from esgkg.graph.namespaces import Iris
from esgkg.graph.store import StoreRoot

BASE = Iris().base


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "esgkg.service.cli", *args],
                          capture_output=True, text=True, cwd=cwd, timeout=300)


def test_build_publishes_named_graphs(example_store: StoreRoot) -> None:
    store, info = example_store.open_read_only()
    graphs = {g.value for g in store.named_graphs()}
    assert {BASE + "graph/ontology", BASE + "graph/reference", BASE + "graph/report/example-2023"} <= graphs
    assert info.meta["reports"] == ["example-2023"]
    assert info.meta["quads"] == len(list(store))


def test_builds_are_byte_identical(tmp_path: Path, fixture_reports: Path) -> None:
    outputs = []
    for name in ("a", "b"):
        root = StoreRoot(tmp_path / name)
        build(root, reports_root=fixture_reports)
        store, _ = root.open_read_only()
        outputs.append(export(store, "nq"))
    assert outputs[0] == outputs[1]
    assert outputs[0].count(b"\n") > 500


def test_cli_export_is_deterministic_across_processes(tmp_path: Path, fixture_reports: Path) -> None:
    dumps = []
    for name in ("one", "two"):
        store = tmp_path / name
        r = run_cli("build", "--store", str(store), "--reports", str(fixture_reports))
        assert r.returncode == 0, r.stderr
        out = tmp_path / f"{name}.nq"
        r = run_cli("export", "--store", str(store), "--format", "nq", "-o", str(out))
        assert r.returncode == 0, r.stderr
        dumps.append(out.read_bytes())
    assert dumps[0] == dumps[1]


def _good_then(tmp_path: Path, reports: Path) -> tuple[StoreRoot, str]:
    root = StoreRoot(tmp_path / "store")
    info = build(root, reports_root=reports)
    return root, info.version


def test_failed_build_leaves_previous_store_serving(tmp_path: Path, reports_copy: Path) -> None:
    root, version = _good_then(tmp_path, reports_copy)
    (reports_copy / "example-2023" / "observations.csv").write_text(
        "metric,year,value,unit,section,as_written,note\nghg-total,2023,lots,,3.1,,\n", encoding="utf-8")
    with pytest.raises(SourceErrors):
        build(root, reports_root=reports_copy)
    assert root.current().version == version
    store, _ = root.open_read_only()
    assert store.query("ASK { GRAPH ?g { ?s ?p ?o } }")
    assert not [p for p in root.versions.iterdir() if p.name.startswith(".staging")]


def test_build_interrupted_while_loading_keeps_old_version(tmp_path: Path, reports_copy: Path) -> None:
    root, version = _good_then(tmp_path, reports_copy)
    with (reports_copy / "example-2023" / "observations.csv").open("a", encoding="utf-8") as csv_file:
        csv_file.write("employees,2022,45,,3.1,45,\n")

    class Interrupt:
        def step(self, description: str) -> None:
            if description.startswith("publishing"):
                raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        build(root, reports_root=reports_copy, progress=Interrupt())
    assert root.current().version == version
    assert not [p for p in root.versions.iterdir() if p.name.startswith(".staging")]


BAD_INPUTS = [
    # (file, old text, new text, expected message fragment, expected line)
    ("sdg.yaml", "topics: [climate]", "topics: [climat]", "unknown topic reference 'climat'", 2),
    ("observations.csv", "ghg-scope-1,2023,40,", "ghg-scope-1,2023,4O,", "value is not a number: '4O'", 5),
    ("metrics.yaml", "unit: person", 'unit: "10,000 persons"', "unknown unit '10,000 persons': write the unit as printed", 5),
    ("topics.yaml", "id: people", "id: climate", "duplicate topic id 'climate'", 3),
    ("policies.yaml", ', section: "2.1"}', "}", "missing section", 2),
    ("risks.yaml", 'section: "2.1"', 'section: "9.9"', "unknown section '9.9'", 2),
    ("governance.yaml", "kind: board,", "kind: boards,", "kind must be one of", 2),
    ("stakeholders.yaml", "concerns: [climate, pay]", "concerns: [climate, pay", "YAML syntax", None),
    # Unquoted, YAML reads 1.10 as the number 1.1: a silently different section, so an error.
    ("topics.yaml", 'matrix_order: 1, section: "1.1"', "matrix_order: 1, section: 1.10",
     "section must be quoted: YAML read it as the number 1.1", 2),
    ("report.yaml", '{id: "1.1", title:', "{id: 1.10, title:", "YAML read it as the number 1.1", 18),
    ("topics.yaml", "id: people", "id: 007", "id must be quoted: YAML read it as the number 7", 3),
    # A label needs the report's own language (zh-Hant here) and en.
    ("topics.yaml", "label: {zh: 應對氣候變化, en: Climate change}", "label: {en: Climate change}",
     "label needs zh and en; zh missing (has en)", 2),
    ("topics.yaml", "label: {zh: 應對氣候變化, en: Climate change}", "label: {zh: 應對氣候變化, EN!: Climate}",
     "label 'EN!' is not a language key", 2),
    # An unquoted comma in a flow map splits the text: the message says what YAML did.
    ("topics.yaml", "label: {zh: 應對氣候變化, en: Climate change}", "label: {zh: 應對氣候變化, en: Climate, change}",
     "label YAML read 'change' as a key of its own (an unquoted comma", 2),
    ("topics.yaml", "label: {zh: 應對氣候變化, en: Climate change}", "label: {zh: 應對氣候變化, en: 2.10}",
     "label en is the float 2.1 in YAML (quote it)", 2),
    ("report.yaml", "language: zh-Hant", "language: 'Chinese (Traditional)'", "report.yaml needs language", 9),
    # A block mapping: the error names the line of the field, not of the record's first key.
    ("metrics.yaml", '{id: employees, label: {zh: 員工總數, en: Employees}, unit: person, section: "3.1"}',
     '\n    id: employees\n    label: {zh: 員工總數, en: Employees}\n    unit: [person]\n    section: "3.1"',
     "unit must be a non-empty string", 8),
]


@pytest.mark.parametrize("file,old,new,message,line", BAD_INPUTS, ids=[b[3][:30] for b in BAD_INPUTS])
def test_bad_source_is_named_with_file_and_line(tmp_path: Path, reports_copy: Path, file: str, old: str,
                                                new: str, message: str, line: int | None) -> None:
    path = reports_copy / "example-2023" / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    store = tmp_path / "store"
    r = run_cli("build", "--store", str(store), "--reports", str(reports_copy))
    assert r.returncode == 1
    assert message in r.stderr
    where = f"example-2023/{file}" + (f":{line}:" if line else "")
    assert where in r.stderr, r.stderr
    assert "Traceback" not in r.stderr
    assert not (store / "current").exists()


def test_an_english_report_needs_english_labels_only(tmp_path: Path, reports_copy: Path) -> None:
    """A report in English declares language en; its labels are English only, tagged @en."""
    folder = reports_copy / "example-2023"

    def drop_chinese(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: drop_chinese(v) for k, v in node.items() if k != "zh"}
        return [drop_chinese(v) for v in node] if isinstance(node, list) else node

    for path in folder.glob("*.yaml"):
        data = drop_chinese(yaml.safe_load(path.read_text(encoding="utf-8")))
        if path.name == "report.yaml":
            data["language"] = "en"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    root = StoreRoot(tmp_path / "s")
    build(root, reports_root=reports_copy)
    store, _ = root.open_read_only()
    # Labels curated from the report are English only; the tool's own composed labels
    # (an index entry's status, an SDG contribution) may add its other interface language.
    rows = store.query("""PREFIX esg: <https://w3id.org/esgkg/ontology#>
        SELECT DISTINCT (LANG(?label) AS ?l) WHERE { GRAPH ?g {
          VALUES ?class { esg:Report esg:MaterialTopic esg:StakeholderGroup esg:Metric esg:GovernanceBody esg:Risk }
          ?x a ?class ; <http://www.w3.org/2000/01/rdf-schema#label> ?label } }""")
    assert {row[0].value for row in rows} == {"en"}


def test_values_are_kept_as_printed_and_in_the_canonical_unit(tmp_path: Path, reports_copy: Path) -> None:
    """A unit as printed ("10,000 t") is looked up in the spelling table; the value is stored
    in tonnes, with the printed number, the printed unit and the factor beside it."""
    folder = reports_copy / "example-2023"
    obs = folder / "observations.csv"
    obs.write_text(obs.read_text(encoding="utf-8") + 'ghg-total,2021,1.25,"10,000 t",3.1,1.25,\n', encoding="utf-8")
    root = StoreRoot(tmp_path / "s")
    build(root, reports_root=reports_copy)
    store, _ = root.open_read_only()
    rows = list(store.query("""PREFIX esg: <https://w3id.org/esgkg/ontology#>
        PREFIX sdmx: <http://purl.org/linked-data/sdmx/2009/attribute#>
        SELECT ?value ?printed ?unit ?factor ?measure WHERE { GRAPH ?g {
          ?o esg:year "2021"^^<http://www.w3.org/2001/XMLSchema#gYear> ; esg:value ?value ; esg:valueAsPrinted ?printed ;
             esg:unitAsPrinted ?unit ; esg:conversionFactor ?factor ; sdmx:unitMeasure ?measure } }"""))
    assert [[t.value for t in row] for row in rows] == [
        ["12500", "1.25", "10,000 t", "10000", "http://qudt.org/vocab/unit/TONNE"]]


def test_an_unknown_unit_spelling_names_the_file_and_line(tmp_path: Path, reports_copy: Path) -> None:
    obs = reports_copy / "example-2023" / "observations.csv"
    lines = obs.read_text(encoding="utf-8").splitlines()
    obs.write_text("\n".join(lines + ['ghg-total,2021,1.25,"10,000 tons",3.1,1.25,']) + "\n", encoding="utf-8")
    r = run_cli("build", "--store", str(tmp_path / "s"), "--reports", str(reports_copy))
    assert r.returncode == 1
    assert f"example-2023/observations.csv:{len(lines) + 1}: unknown unit '10,000 tons'" in r.stderr, r.stderr


def test_all_problems_are_reported_at_once(tmp_path: Path, reports_copy: Path) -> None:
    obs = reports_copy / "example-2023" / "observations.csv"
    obs.write_text(obs.read_text(encoding="utf-8") + "nope,2023,1,,3.1,,\nemployees,20x3,1,,3.1,,\n", encoding="utf-8")
    with pytest.raises(SourceErrors) as err:
        build(StoreRoot(tmp_path / "s"), reports_root=reports_copy)
    messages = [str(e) for e in err.value.errors]
    assert any("unknown metric 'nope'" in m for m in messages)
    assert any("year must be a four-digit year" in m for m in messages)


def test_rebased_iris_for_own_domain(tmp_path: Path, fixture_reports: Path) -> None:
    iris = Iris("https://esg.example.org/")
    root = StoreRoot(tmp_path / "s")
    build(root, reports_root=fixture_reports, iris=iris)
    store, _ = root.open_read_only()
    assert store.query("ASK { GRAPH <https://esg.example.org/graph/ontology> "
                       "{ <https://esg.example.org/ontology#MaterialTopic> a ?c } }")
    assert not store.query(f"ASK {{ GRAPH ?g {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), \"{BASE}\")) }} }}")


def test_bundled_report_builds_byte_identical_with_validation(tmp_path: Path) -> None:
    from esgkg.graph.validation import build_validator

    dumps = []
    for name in ("a", "b"):
        root = StoreRoot(tmp_path / name)
        build(root, validate=build_validator())
        store, _ = root.open_read_only()
        dumps.append(export(store, "nq"))
    assert dumps[0] == dumps[1]
    assert b"<http://www.w3.org/ns/shacl#ValidationResult>" in dumps[0]  # findings are stored
