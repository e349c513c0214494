"""The ontology and reference data users rely on: labelled, defined, complete."""
from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from esgkg.graph.build import ontology_file
from esgkg.graph.store import StoreRoot

ESG = "https://w3id.org/esgkg/ontology#"


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ontology_file("esg.ttl"))


def test_header_has_version_iri(ontology: Graph) -> None:
    onto = URIRef("https://w3id.org/esgkg/ontology")
    assert (onto, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(onto, OWL.versionIRI) is not None


def test_every_term_has_en_and_zh_hant_label_and_definition(ontology: Graph) -> None:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
    terms = {s for k in kinds for s in ontology.subjects(RDF.type, k) if str(s).startswith(ESG)}
    assert len(terms) > 60
    problems = []
    for term in sorted(terms):
        langs = {l.language for l in ontology.objects(term, RDFS.label)}
        if not {"en", "zh-Hant"} <= langs:
            problems.append(f"{term}: labels {langs}")
        if ontology.value(term, SKOS.definition) is None:
            problems.append(f"{term}: no definition")
    assert problems == []


def test_every_term_the_graph_uses_is_declared(bundled_store: StoreRoot, ontology: Graph) -> None:
    store, _ = bundled_store.open_read_only()
    used = {r["t"].value for r in store.query(
        f'SELECT DISTINCT ?t WHERE {{ GRAPH ?g {{ {{ ?s ?t ?o }} UNION {{ ?s a ?t }} }} FILTER(STRSTARTS(STR(?t), "{ESG}")) }}')}
    declared = {str(s) for s in ontology.subjects(RDF.type, None)}
    assert sorted(used - declared) == []


def test_reference_has_all_goals_with_zh_hant_names_and_targets(bundled_store: StoreRoot) -> None:
    store, _ = bundled_store.open_read_only()
    goals = list(store.query("""PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?g ?zh WHERE { GRAPH ?x { ?g a <http://metadata.un.org/sdg/ontology#Goal> ;
        skos:prefLabel ?zh FILTER(LANGMATCHES(LANG(?zh), "zh-Hant")) } }"""))
    assert len(goals) == 17
    targets = list(store.query("SELECT DISTINCT ?t WHERE { GRAPH ?x { ?t a <http://metadata.un.org/sdg/ontology#Target> } }"))
    assert len(targets) == 169


def test_provisions_the_index_leaves_out_are_visible(bundled_store: StoreRoot) -> None:
    store, _ = bundled_store.open_read_only()
    rows = {r["code"].value for r in store.query("""PREFIX esg: <https://w3id.org/esgkg/ontology#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?code WHERE { GRAPH ?r { ?p a esg:FrameworkProvision ; skos:notation ?code ;
            skos:inScheme <https://w3id.org/esgkg/id/scheme/gri> }
          FILTER NOT EXISTS { GRAPH ?g { ?d esg:provision ?p ; esg:report ?report
                                           FILTER(STRENDS(STR(?report), "/oneconnect-2024")) } } }""")}
    # GRI 305-1 (direct Scope 1 emissions) exists in GRI 305 but the report's index skips it.
    assert "305-1" in rows
