"""The SPARQL 1.1 Service Description answered at GET /sparql without a query."""
from __future__ import annotations

import pyoxigraph as ox
from flask import Response, request
from rdflib import BNode, Graph, Literal, URIRef

from esgkg.graph.namespaces import RDF, SD, XSD, prefixes

from .. import http
from ..http import GRAPH_FORMATS
from ..state import current_state

_RDFLIB_FORMATS = {
    "text/turtle": "turtle", "application/ld+json": "json-ld", "application/n-triples": "nt",
    "application/rdf+xml": "xml", "application/trig": "trig", "application/n-quads": "nquads",
}
# The W3C format IRIs (http://www.w3.org/ns/formats/...), taken from oxigraph's tables,
# except JSON-LD, for which oxigraph 0.5 returns a non-registered IRI.
def _format_iri(fmt: object) -> str:
    return "http://www.w3.org/ns/formats/JSON-LD" if fmt == ox.RdfFormat.JSON_LD else fmt.iri


RESULT_FORMAT_IRIS = [f.iri for f in (ox.QueryResultsFormat.JSON, ox.QueryResultsFormat.XML,
                                      ox.QueryResultsFormat.CSV, ox.QueryResultsFormat.TSV)]
GRAPH_FORMAT_IRIS = [_format_iri(f) for f in (ox.RdfFormat.TURTLE, ox.RdfFormat.JSON_LD, ox.RdfFormat.N_TRIPLES,
                                     ox.RdfFormat.RDF_XML, ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS)]


def build(endpoint: str, config) -> Graph:
    """The description as an rdflib graph: languages, formats, features and our limits.

    The limits use our own terms (``esg:queryTimeLimit``, ``esg:resultRowLimit``,
    ``esg:requestBodyLimit``) because the Service Description vocabulary has none.
    """
    iris = current_state().iris
    graph = Graph()
    for prefix, ns in prefixes(iris).items():
        graph.bind(prefix, ns)
    graph.bind("sd", SD)
    service = URIRef(endpoint)
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, service))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    if config.allow_update:
        graph.add((service, SD.supportedLanguage, SD.SPARQL11Update))
    for iri in RESULT_FORMAT_IRIS + GRAPH_FORMAT_IRIS:
        graph.add((service, SD.resultFormat, URIRef(iri)))
    for iri in GRAPH_FORMAT_IRIS[:4]:
        graph.add((service, SD.inputFormat, URIRef(iri)))
    if config.union_default_graph:
        graph.add((service, SD.feature, SD.UnionDefaultGraph))
    dataset = BNode()
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    default = BNode()
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    graph.add((service, iris.esg.queryTimeLimit, Literal(config.query_timeout, datatype=XSD.decimal)))
    graph.add((service, iris.esg.resultRowLimit, Literal(config.max_rows, datatype=XSD.integer)))
    graph.add((service, iris.esg.requestBodyLimit, Literal(config.max_body, datatype=XSD.integer)))
    return graph


def response(endpoint: str, config) -> Response:
    """The description in the negotiated RDF format (Turtle by default), or 406."""
    chosen = http.negotiate(request.headers.get("Accept"), request.args.get("format"), GRAPH_FORMATS)
    if chosen is None:
        return Response("Service description available as: "
                        + ", ".join(f.media_type for f in GRAPH_FORMATS) + "\n",
                        status=406, content_type="text/plain; charset=utf-8")
    body = build(endpoint, config).serialize(format=_RDFLIB_FORMATS[chosen.media_type], encoding="utf-8")
    response = Response(body, content_type=chosen.content_type)
    response.headers["Vary"] = "Accept"
    return response
