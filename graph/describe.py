"""What the dataset says about one IRI: the RDF a dereferenced IRI answers with.

A description is the IRI's concise bounded description (its outgoing triples, following
blank nodes), its incoming triples, and the labels of every neighbour so a reader (person or
program) never meets a bare IRI. Some kinds need a little more to be useful on their own:

* a metric brings its observations (year, value, unit, as written, report section);
* a material topic brings the stakeholder groups whose concerns point to it.

Hash IRIs live in documents: ``<base>ontology#Term`` is described by the whole ontology
graph, ``<base>shapes#Shape`` by the whole shapes graph.
"""
from __future__ import annotations

import pyoxigraph as ox

from .namespaces import Iris
from .sparql import Sparql

LABEL_PREDICATES = (
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2004/02/skos/core#notation",
    "http://purl.org/dc/terms/title",
)


def document_of(iri: str) -> str:
    """The document that describes ``iri``: itself, or the part before ``#``."""
    return iri.split("#", 1)[0]


def graph_documents(iris: Iris) -> dict[str, str]:
    """Documents whose content is one whole named graph: document IRI -> graph IRI."""
    return {str(iris.ontology): str(iris.graph("ontology")),
            str(iris.shapes_graph): str(iris.graph("shapes"))}


def _neighbour_query(iri: str, esg: str) -> str:
    i = f"<{iri}>"
    labels = " ".join(f"<{p}>" for p in LABEL_PREDICATES)
    # One query: incoming triples, observations of a metric, stakeholders of a topic, and
    # the labels of every node and predicate these (and the outgoing triples) mention.
    return f"""
CONSTRUCT {{ ?s ?p ?o }} WHERE {{
  {{ ?s ?p {i} . BIND({i} AS ?o) }}
  UNION {{ ?s <{esg}metric> {i} . ?s ?p ?o }}
  UNION {{ ?c <{esg}concernTopic> {i} . ?s <{esg}hasConcern> ?c .
          BIND(<{esg}hasConcern> AS ?p) BIND(?c AS ?o) }}
  UNION {{
    # Neighbours first (a sub-select is evaluated on its own), then their labels: joining
    # the label pattern into the union directly makes the engine scan every label.
    {{ SELECT DISTINCT ?s WHERE {{
      {{ {i} ?x ?s }} UNION {{ ?s ?x {i} }} UNION {{ {i} ?s ?x }} UNION {{ ?x ?s {i} }}
      UNION {{ ?obs <{esg}metric> {i} . ?obs ?x ?s }} UNION {{ ?obs <{esg}metric> {i} . ?obs ?s ?x }}
      UNION {{ ?c <{esg}concernTopic> {i} . ?s <{esg}hasConcern> ?c }}
      UNION {{ {i} ?x ?b . FILTER(isBlank(?b)) ?b ?y ?s }}
      FILTER(isIRI(?s)) }} }}
    VALUES ?p {{ {labels} }}
    ?s ?p ?o .
  }}
}}"""


def describe(source: Sparql, iri: str, iris: Iris) -> list[ox.Triple]:
    """The description of one IRI, sorted and without duplicates (empty: unknown IRI)."""
    graphs = graph_documents(iris)
    doc = document_of(iri)
    if doc in graphs:
        # The graph, plus whatever other graphs say about the document's hash IRIs (the
        # mapping mints a few, like the Data Cube structure esg:MetricStructure).
        found = source.construct(f"""CONSTRUCT {{ ?s ?p ?o }} WHERE {{
            {{ GRAPH <{graphs[doc]}> {{ ?s ?p ?o }} }}
            UNION {{ ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{doc}#")) }} }}""")
    else:
        found = source.construct(f"DESCRIBE <{iri}>")
        found += source.construct(_neighbour_query(iri, str(iris.esg)))
    return sorted(set(found), key=str)


def mentions(triples: list[ox.Triple], iri: str) -> bool:
    """True when ``iri`` is the subject or object of one of ``triples``."""
    node = ox.NamedNode(iri)
    return any(t.subject == node or t.object == node for t in triples)
