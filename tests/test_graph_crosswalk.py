"""The shared KPI vocabulary and its crosswalk to GRI, ESRS and IFRS S2 (docs/kpi-vocabulary.md)."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, SKOS

from esgkg.graph import named_queries as nq
from esgkg.graph.errors import SourceErrors
from esgkg.graph.mapping_reference import map_reference
from esgkg.graph.namespaces import Iris
from esgkg.graph.sparql import StoreSparql
from esgkg.graph.reference import MAPPING_RELATIONS, load_reference, reference_dir
from esgkg.graph.store import StoreRoot

BASE = "https://w3id.org/esgkg/"
SKOS_NS = str(SKOS)
# Every KPI of Part C of the 2025 Code (A1.2 and Aspect A4 repealed but kept), by aspect.
KPIS = {"A1": 6, "A2": 5, "A3": 1, "A4": 1, "B1": 2, "B2": 3, "B3": 2, "B4": 2, "B5": 4, "B6": 5, "B7": 3, "B8": 2}
SCOPE_2_VALUES = {("2022", "1326.3"), ("2023", "1097.47"), ("2024", "757.08")}


def provision(scheme: str, code: str) -> URIRef:
    return Iris(BASE).provision(scheme, code)


@pytest.fixture(scope="module")
def ref():
    return load_reference()


@pytest.fixture(scope="module")
def run(bundled_store: StoreRoot):
    store, _ = bundled_store.open_read_only()
    return StoreSparql(store).select


# ------------------------------------------------------------------ the vocabulary

def test_hkex_vocabulary_is_complete(ref) -> None:
    codes = {code for scheme, code in ref.provisions if scheme == "hkex-esg-code"}
    expected = {f"{aspect}.{i}" for aspect, n in KPIS.items() for i in range(1, n + 1)}
    expected |= {f"{aspect}.GD" for aspect in KPIS} | set(KPIS)
    expected |= {"Part B", "Part B.governance-structure", "Part B.reporting-principles", "Part B.reporting-boundary"}
    assert expected <= codes, sorted(expected - codes)
    part_d = {c for c in codes if c.startswith("Part D")}
    # Four pillars, with GHG scopes 1-2 and 3, the six other cross-industry categories, targets.
    assert {"Part D.governance.oversight", "Part D.strategy.climate-resilience", "Part D.risk-management",
            "Part D.metrics-targets.ghg-scope-1-2", "Part D.metrics-targets.ghg-scope-3",
            "Part D.metrics-targets.internal-carbon-price", "Part D.metrics-targets.targets"} <= part_d
    assert len(part_d) >= 22


def test_hkex_labels_are_our_own_in_both_languages(ref) -> None:
    for (scheme, code), prov in ref.provisions.items():
        if scheme != "hkex-esg-code":
            continue
        assert prov.get("label_source") == "own", code
        assert prov["label"].get("en") and prov["label"].get("zh"), code
        # Short names, not the Code's sentences (which end in a full stop, 。 or run long).
        assert len(prov["label"]["en"]) <= 80 and not prov["label"]["zh"].endswith("。"), code
        assert prov.get("definition_source") != "code", code


def test_esrs_and_ifrs_codes_keep_their_publishers_identifiers(ref) -> None:
    datapoint = re.compile(r"^(?:[EGS]\d\.)?(?:[A-Z]{2,3}-\d|[EGS]\d-\d{1,2})_\d{2}$")
    esrs = {code: p for (s, code), p in ref.provisions.items() if s == "esrs"}
    for code, prov in esrs.items():
        if prov["level"] == "datapoint":
            assert datapoint.match(code), code
            assert prov.get("paragraph"), code
            assert code.startswith(str(prov["parent"]) + "_"), code  # IG 3 IDs extend their DR
    assert esrs["E1-6_07"]["parent"] == "E1-6" and esrs["E1-6_09"]["paragraph"] == "49 a, 52 a"
    paragraph = re.compile(r"^\d+(\([a-z]+\)(\([ivx]+\)(\(\d\))?)?)?$")
    for (s, code), prov in ref.provisions.items():
        if s == "ifrs-s2" and prov["level"] == "requirement":
            assert paragraph.match(code), code


# ------------------------------------------------------------------ the crosswalk file

def test_crosswalk_loads_and_covers_every_kpi(ref) -> None:
    assert len(ref.crosswalk) >= 150
    assert {m.relation for m in ref.crosswalk} <= set(MAPPING_RELATIONS)
    assert {m.to_scheme for m in ref.crosswalk} == {"gri", "esrs", "ifrs-s2"}
    assert ref.crosswalk_sources == {m.source for m in ref.crosswalk}
    mapped = {m.from_code for m in ref.crosswalk if m.from_scheme == "hkex-esg-code"}
    kpis = {f"{a}.{i}" for a, n in KPIS.items() if a != "A4" for i in range(1, n + 1)}
    # KPIs no other framework asks for (intellectual property, quality assurance) stay unmapped, on purpose.
    assert kpis - mapped == {"B6.3"}
    # Every Part D disclosure has its IFRS S2 counterpart.
    part_d = {code for s, code in ref.provisions if s == "hkex-esg-code" and code.startswith("Part D.")
              and ref.provisions[(s, code)]["level"] != "aspect"}
    assert part_d <= {m.from_code for m in ref.crosswalk if m.to_scheme == "ifrs-s2"}


def _copy_reference(tmp_path: Path) -> Path:
    folder = tmp_path / "reference"
    shutil.copytree(reference_dir(), folder)
    return folder


@pytest.mark.parametrize(("row", "message"), [
    ("hkex-esg-code:A1.2,closeMatch,nosuch:EM-1,hkex-gri,", "to: unknown scheme 'nosuch'"),
    ("hkex-esg-code:A1.9,closeMatch,gri:305-1,hkex-gri,", "from: unknown code 'A1.9' in scheme 'hkex-esg-code'"),
    ("hkex-esg-code:A1.2,sameAs,gri:305-1,hkex-gri,", "relation must be one of exactMatch"),
    ("hkex-esg-code:A1.2,closeMatch,gri:305-1,hearsay,", "source 'hearsay' is not declared in crosswalk-sources.md"),
    ("hkex-esg-code:A1.2,closeMatch,gri:305-1,,", "source is required"),
    ("hkex-esg-code:A1.2,closeMatch,hkex-esg-code:A1.1,hkex-gri,", "both ends are in scheme 'hkex-esg-code'"),
    ("gri:2-12,relatedMatch,hkex-esg-code:Part B.governance-structure,hkex-gri,", "are already mapped on line 2"),
    ("hkex-esg-code:A1.2,closeMatch,gri:305-1,hkex-gri,one, two", "expected 5 columns, got 6"),
    ("A1.2,closeMatch,gri:305-1,hkex-gri,", "from must be scheme:code"),
])
def test_a_bad_crosswalk_row_is_an_error_naming_file_and_line(tmp_path: Path, row: str, message: str) -> None:
    folder = _copy_reference(tmp_path)
    path = folder / "crosswalk.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(3, row)  # file line 4
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(SourceErrors) as caught:
        load_reference(folder)
    texts = [str(e) for e in caught.value.errors]
    assert any(t.startswith(f"{path}:4: ") and message in t for t in texts), texts


def test_a_bad_crosswalk_header_is_an_error(tmp_path: Path) -> None:
    folder = _copy_reference(tmp_path)
    path = folder / "crosswalk.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("from,relation,to,source,note", "from,relation,to", 1), encoding="utf-8")
    with pytest.raises(SourceErrors, match=re.escape(f"{path}:1: header must be from,relation,to,source,note")):
        load_reference(folder)


def test_two_codes_with_one_iri_are_an_error(tmp_path: Path) -> None:
    folder = _copy_reference(tmp_path)
    path = folder / "frameworks" / "ifrs-s2.yaml"
    path.write_text(path.read_text(encoding="utf-8") + '\n- code: "29-a-i-1"\n  label: {en: x}\n  level: requirement\n',
                    encoding="utf-8")
    with pytest.raises(SourceErrors, match=r"provision 29-a-i-1: its IRI would be the same as '29\(a\)\(i\)\(1\)'"):
        load_reference(folder)


# ------------------------------------------------------------------ the reference graph

def test_the_crosswalk_is_skos_mapping_triples_in_the_reference_graph(ref) -> None:
    g = map_reference(ref, Iris(BASE))
    a12 = provision("hkex-esg-code", "A1.2")
    assert (a12, SKOS.narrowMatch, provision("esrs", "E1-6_09")) in g
    assert (a12, SKOS.narrowMatch, provision("ifrs-s2", "29(a)(i)(2)")) in g
    assert (a12, SKOS.narrowMatch, provision("gri", "305-2")) in g
    assert (provision("hkex-esg-code", "B3.2"), SKOS.closeMatch, provision("gri", "404-1")) in g
    ours = BASE + "id/scheme/"  # the UN SDG KOS brings its own skos:exactMatch links
    mapping = [t for t in g if str(t[0]).startswith(ours)
               and str(t[1]).startswith(SKOS_NS) and str(t[1])[len(SKOS_NS):] in MAPPING_RELATIONS]
    assert len(mapping) == len(ref.crosswalk)
    # Every end of a mapping is a concept of the reference graph, so the join never dangles.
    concepts = set(g.subjects(SKOS.inScheme, None))
    assert {s for s, _, _ in mapping} | {o for _, _, o in mapping} <= concepts
    # The repealed KPI points to its Part D successor; ESRS datapoints cite their paragraph.
    assert (a12, OWL.deprecated, Literal(True)) in g
    assert (a12, DCTERMS.isReplacedBy, provision("hkex-esg-code", "Part D.metrics-targets.ghg-scope-1-2")) in g
    assert (provision("esrs", "E1-6_07"), DCTERMS.bibliographicCitation, Literal("ESRS E1 48 a")) in g


# ------------------------------------------------------------------ the join, on the bundled report

ANY_MATCH = "skos:exactMatch|skos:closeMatch|skos:broadMatch|skos:narrowMatch|skos:relatedMatch"

JOIN = """PREFIX esg: <https://w3id.org/esgkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?report ?org ?metric ?year ?value ?via WHERE {
  %s
  ?obs esg:metric ?metric ; esg:year ?year ; esg:value ?value .
  ?metric esg:report ?r . ?r dcterms:identifier ?report ; esg:aboutOrganisation ?org .
}"""


def _values(run, pattern: str) -> dict[str, set[tuple[str, str]]]:
    table = run(JOIN % pattern)
    out: dict[str, set[tuple[str, str]]] = {}
    for row in table.rows:
        if "/oneconnect-2024/" not in row["metric"]["value"]:
            continue  # the bundled report's figures; other reports answer the same join too
        metric = row["metric"]["value"].rsplit("/", 1)[-1]
        out.setdefault(metric, set()).add((row["year"]["value"], row["value"]["value"]))
    return out


def test_scope_2_values_through_the_hkex_kpi(run) -> None:
    found = _values(run, f"?metric esg:disclosure ?via . FILTER(?via = <{provision('hkex-esg-code', 'A1.2')}>)")
    assert found["ghg-scope-2-location"] == SCOPE_2_VALUES
    assert "ghg-scope-1" in found  # A1.2 is Scope 1 and Scope 2 together


def test_scope_2_values_through_the_esrs_match(run) -> None:
    """Any mapping, either direction: the metric's provisions (A1.2, GRI 305-2) both reach E1-6_09."""
    target = provision("esrs", "E1-6_09")
    found = _values(run, f"?metric esg:disclosure ?via . {{ ?via {ANY_MATCH} <{target}> }} UNION {{ <{target}> {ANY_MATCH} ?via }}")
    assert found["ghg-scope-2-location"] == SCOPE_2_VALUES


def test_scope_2_values_through_the_ifrs_s2_match_exactly(run) -> None:
    """Only links that make a value an instance of the target (the same, or a part of it): the
    broad KPI A1.2 no longer brings in Scope 1 and intensity; GRI 305-2 closeMatch 29(a)(i)(2) does."""
    target = provision("ifrs-s2", "29(a)(i)(2)")
    found = _values(run, f"?metric esg:disclosure/(skos:exactMatch|skos:closeMatch|skos:broadMatch|^skos:exactMatch"
                         f"|^skos:closeMatch|^skos:narrowMatch) <{target}> .")
    assert set(found) == {"ghg-scope-2-location"}
    assert found["ghg-scope-2-location"] == SCOPE_2_VALUES


# ------------------------------------------------------------------ the named query

def test_named_query_lists_a_kpis_matches_per_scheme(run) -> None:
    query = nq.load_all()["kpi-crosswalk"]
    rows = nq.run(query, run, {"code": "A1.2"}).rows
    matches = {(r["match_scheme"]["value"], r["match_code"]["value"], r["relation"]["value"]) for r in rows}
    assert {("esrs", "E1-6_09", "narrowMatch"), ("gri", "305-2", "narrowMatch"),
            ("ifrs-s2", "29(a)(i)(2)", "narrowMatch")} <= matches
    esrs = nq.run(query, run, {"code": "A1.2", "scheme": "esrs"}).rows
    assert esrs and {r["match_scheme"]["value"] for r in esrs} == {"esrs"}
    # A row written from the target's side reads from the KPI's side (none yet: all rows start at HKEX).
    everything = nq.run(query, run).rows
    assert len(everything) == sum(1 for m in load_reference().crosswalk if "hkex-esg-code" in (m.from_scheme, m.to_scheme))


# ------------------------------------------------------------------ the shapes guard the graph too

def test_shapes_find_bad_crosswalk_links_in_the_graph(fixture_reports: Path) -> None:
    """What the CSV checks refuse, SHACL refuses in the graph (e.g. after a SPARQL Update)."""
    from rdflib import Graph

    from esgkg.graph.build import assemble
    from esgkg.graph.validation import validate_graphs

    dataset = assemble(fixture_reports)
    report_prefix = str(dataset.iris.graph("report")) + "/"
    context = [g for name, g in dataset.graphs if not str(name).startswith(report_prefix)]
    shapes = next(g for name, g in dataset.graphs if name == dataset.iris.graph("shapes"))
    bad = Graph()
    same_scheme = provision("hkex-esg-code", "A1.5")
    bad.add((same_scheme, SKOS.closeMatch, provision("hkex-esg-code", "A1.6")))
    dangling = provision("hkex-esg-code", "A2.3")
    bad.add((dangling, SKOS.closeMatch, URIRef("https://example.org/not-a-provision")))
    twice = provision("hkex-esg-code", "A1.1")  # already relatedMatch gri:305-7
    bad.add((twice, SKOS.broadMatch, provision("gri", "305-7")))
    records = [r for r in validate_graphs([*context, bad], shapes, dataset.iris).records if r.severity == "Violation"]
    found = {(r.focus_node, r.message.get("en", "").split(" (")[0].split(";")[0]) for r in records}
    assert found == {(str(same_scheme), "a crosswalk link joins provisions of two different frameworks"),
                     (str(dangling), "a crosswalk link"),
                     (str(twice), "two provisions are linked by one crosswalk relation only")}, found
