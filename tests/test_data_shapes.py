"""SHACL shapes: every shape has examples (GeoSPARQL style), and the real findings on the reports.

Examples live in ontology/examples/: ``<Shape>.valid.ttl`` must give no result at all and
``<Shape>.invalid-NN.ttl`` (first line: why it is invalid; second line: ``# expect: esgsh:…``)
must give results from exactly the expected shapes. All examples are validated in one run:
each is parsed, together with _context.ttl, against its own base IRI, and results are
attributed to examples by the focus node's IRI.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from esgkg.graph.build import assemble, ontology_file
from esgkg.graph.namespaces import SH, Iris
from esgkg.graph.validation import ValidationOutcome, validate_dataset, validate_graphs


FIXTURE_REPORTS = Path(__file__).parent / "fixtures" / "reports"
EXAMPLES = ontology_file("shapes.ttl").parent / "examples"
SHAPES_NS = "https://w3id.org/esgkg/shapes#"
EXAMPLE_BASE = "https://example.org/esgkg-examples/"


def _shapes() -> Graph:
    g = Graph()
    g.parse(ontology_file("shapes.ttl"), format="turtle")
    return g


def _targeted_node_shapes(shapes: Graph) -> list[str]:
    targets = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
    return sorted({str(s).removeprefix(SHAPES_NS) for s in shapes.subjects(RDF.type, SH.NodeShape)
                   if any(shapes.value(s, t) is not None for t in targets)})


def _example_files(kind: str) -> list[Path]:
    return sorted(p for p in EXAMPLES.glob(f"*.{kind}*.ttl"))


def _base(path: Path) -> str:
    return f"{EXAMPLE_BASE}{path.stem}/"


def _expected(path: Path) -> set[str]:
    second = path.read_text(encoding="utf-8").splitlines()[1]
    assert second.startswith("# expect:"), f"{path.name}: second line must be '# expect: esgsh:…'"
    return {SHAPES_NS + token.removeprefix("esgsh:") for token in second.removeprefix("# expect:").split()}


@pytest.fixture(scope="session")
def examples_outcome() -> ValidationOutcome:
    """Every example (with the shared context) plus ontology, reference and shapes, validated once."""
    dataset = assemble(FIXTURE_REPORTS)
    report_prefix = str(dataset.iris.graph("report")) + "/"
    context = [g for name, g in dataset.graphs if not str(name).startswith(report_prefix)]
    shapes = next(g for name, g in dataset.graphs if name == dataset.iris.graph("shapes"))
    examples = Graph()
    for path in _example_files("valid") + _example_files("invalid"):
        for source in (EXAMPLES / "_context.ttl", path):
            examples.parse(source, format="turtle", publicID=_base(path))
    return validate_graphs([*context, examples], shapes, dataset.iris)


def _results_for(outcome: ValidationOutcome, path: Path):
    return [r for r in outcome.records if r.focus_node.startswith(_base(path))]


def test_every_targeted_shape_has_valid_and_invalid_examples() -> None:
    missing = []
    for shape in _targeted_node_shapes(_shapes()):
        if not (EXAMPLES / f"{shape}.valid.ttl").exists():
            missing.append(f"{shape}.valid.ttl")
        if not list(EXAMPLES.glob(f"{shape}.invalid-*.ttl")):
            missing.append(f"{shape}.invalid-01.ttl")
    assert not missing, f"shapes without examples: {missing}"


def test_examples_name_real_shapes_and_say_why() -> None:
    shapes = _targeted_node_shapes(_shapes())
    for path in _example_files("valid") + _example_files("invalid"):
        assert path.name.split(".")[0] in shapes, f"{path.name} is not named after a shape"
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# ") and len(first) > 12, f"{path.name}: first line must say why"


@pytest.mark.parametrize("path", _example_files("valid"), ids=lambda p: p.stem)
def test_valid_example_gives_no_result(examples_outcome: ValidationOutcome, path: Path) -> None:
    results = _results_for(examples_outcome, path)
    assert not results, [(r.source_shape, r.focus_node, r.message.get("en")) for r in results]


@pytest.mark.parametrize("path", _example_files("invalid"), ids=lambda p: p.stem)
def test_invalid_example_gives_the_expected_shapes(examples_outcome: ValidationOutcome, path: Path) -> None:
    found = {r.source_shape for r in _results_for(examples_outcome, path)}
    assert found == _expected(path), path.read_text(encoding="utf-8").splitlines()[0]


def test_context_and_reference_data_are_valid(examples_outcome: ValidationOutcome) -> None:
    stray = [r for r in examples_outcome.records if not r.focus_node.startswith(EXAMPLE_BASE)]
    assert not stray, [(r.source_shape, r.focus_node) for r in stray[:5]]


def test_shapes_are_named_and_explained() -> None:
    g = _shapes()
    ontology = URIRef("https://w3id.org/esgkg/shapes")
    from rdflib.namespace import OWL

    assert (ontology, RDF.type, OWL.Ontology) in g
    assert g.value(ontology, OWL.versionIRI) is not None
    shapes = set(g.subjects(RDF.type, SH.NodeShape)) | set(g.subjects(RDF.type, SH.PropertyShape))
    shapes |= set(g.objects(None, SH.property)) | set(g.objects(None, SH.sparql))
    shapes |= set(g.objects(None, SH.node)) | set(g.objects(None, SH.qualifiedValueShape))
    anonymous = [s for s in shapes if not isinstance(s, URIRef)]
    assert not anonymous, "every shape and constraint needs an IRI"
    for constraint in set(g.objects(None, SH.property)) | set(g.objects(None, SH.sparql)):
        assert str(constraint).startswith(SHAPES_NS)
        assert g.value(constraint, SH.message) is not None, f"{constraint} has no sh:message"


# ---------------------------------------------------------------- the real findings

@pytest.fixture(scope="session")
def bundled_outcome() -> ValidationOutcome:
    return validate_dataset(assemble())


def _warnings(outcome: ValidationOutcome, shape: str) -> set[tuple[str, str | None]]:
    return {(r.label.get("en", ""), r.year) for r in outcome.records
            if r.severity == "Warning" and r.source_shape == SHAPES_NS + shape}


def test_bundled_report_has_no_violations(bundled_outcome: ValidationOutcome) -> None:
    violations = [r for r in bundled_outcome.records if r.severity == "Violation"]
    assert not violations, [(r.source_shape, r.focus_node, r.message.get("en")) for r in violations[:10]]


def test_bundled_report_contradictions_are_warnings(bundled_outcome: ValidationOutcome) -> None:
    same = _warnings(bundled_outcome, "SameQuantityShape")
    assert {("New patents granted", "2024"), ("Total number of employees", "2024"), ("Male employees", "2024"),
            ("Share of independent directors", "2024"), ("Average recruitment cost per hire", "2024")} <= same
    values = {r.label.get("en"): r.message["en"] for r in bundled_outcome.records
              if r.source_shape == SHAPES_NS + "SameQuantityShape"}
    assert "29 in 5.1" in values["New patents granted"] and "39 in" in values["New patents granted"]
    assert "1937 in" in values["Total number of employees"] and "1899 in about-company" in values["Total number of employees"]
    assert "7936.69 in 5.1" in values["Average recruitment cost per hire"] and "7963.69 in 3.2.1" in values["Average recruitment cost per hire"]
    assert "44.44 in" in values["Share of independent directors"] and "44.45 in 2.1" in values["Share of independent directors"]

    parts = [r for r in bundled_outcome.records if r.source_shape == SHAPES_NS + "PartsSumShape"
             and "/oneconnect-2024/" in r.focus_node]
    assert [(r.label["en"], r.year, r.values["sum"], r.values["value"], r.sections) for r in parts] == [
        ("Total number of employees", "2024", "1946", "1937", ["3.2.1"])]

    # the 2024 intensities in 5.1 only work with the 1,899 headcount, not the table's 1,937
    intensities = _warnings(bundled_outcome, "IntensityShape")
    for label in ("Scope 2 GHG emission intensity", "Electricity consumption intensity",
                  "Water consumption intensity", "Hazardous waste intensity"):
        assert (label, "2024") in intensities, label
    assert not any(year in ("2022", "2023") for label, year in intensities
                   if label in ("Scope 2 GHG emission intensity", "Electricity consumption intensity", "Water consumption intensity"))

    # 0.5366 tCO2/MWh reproduces 2024 only; 2022 and 2023 imply other factors
    derived = _warnings(bundled_outcome, "DerivedValueShape")
    label = "Scope 2 GHG emissions (location-based, national grid factor)"
    assert {(label, "2022"), (label, "2023")} <= derived and (label, "2024") not in derived


def test_bundled_report_gaps_are_warnings_not_violations(bundled_outcome: ValidationOutcome) -> None:
    horizon = [r for r in bundled_outcome.records if r.source_shape == SHAPES_NS + "RiskHorizonStated"]
    assert horizon and all(r.severity == "Warning" for r in horizon)
    assert {"Liquidity risk", "Geopolitical risk"} <= {r.label["en"] for r in horizon}
    assert all(r.severity == "Info" for r in bundled_outcome.records if r.source_shape == SHAPES_NS + "YearOnYearShape")


def test_fixture_report_gives_exactly_the_expected_warning() -> None:
    outcome = validate_dataset(assemble(FIXTURE_REPORTS))
    assert [(r.severity, r.source_shape, r.label.get("en"), r.year, r.sections) for r in outcome.records] == [
        ("Warning", SHAPES_NS + "SameQuantityShape", "Total GHG emissions", "2023", ["2.1", "3.1"])]
    assert "100 in 3.1" in outcome.records[0].message["en"] and "105 in 2.1" in outcome.records[0].message["en"]


def test_shapes_follow_a_deployment_base() -> None:
    """With its own base, the build re-bases shapes.ttl and the rules still find the contradiction."""
    iris = Iris("https://esg.example.org/kg/")
    outcome = validate_dataset(assemble(FIXTURE_REPORTS, iris=iris))
    assert [(r.source_shape, r.year) for r in outcome.records] == [
        ("https://esg.example.org/kg/shapes#SameQuantityShape", "2023")]


def test_bundled_exact_values_outside_a_stated_bound_are_warnings(bundled_outcome: ValidationOutcome) -> None:
    # about-company says 197 overseas institutions, 3.4.1 says more than 197 (超過197家); 3.4.1
    # says 20 countries, about-company more than 20 (20多個). A bound is a bound, not 197.
    found = {(r.label.get("en"), r.year, tuple(r.sections)) for r in bundled_outcome.records
             if r.source_shape == SHAPES_NS + "BoundShape"}
    assert ("Overseas financial institutions served", "2024", ("3.4.1", "about-company")) in found
    assert ("Countries and regions covered by the company's products and services", "2024", ("3.4.1", "about-company")) in found
    assert all(r.severity == "Warning" for r in bundled_outcome.records if r.source_shape == SHAPES_NS + "BoundShape")
