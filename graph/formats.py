"""The one table of serialisations: every RDF and SPARQL-results format esgkg reads or writes,
with its short name (also the file suffix), media type and Oxigraph format.

Other modules take what they need from here: the export and dumps (dataset formats), a
resource's description (triple formats), the query workers' writers, and the service's
content negotiation (``service/http.py``, which adds the aliases a client may use: that is
policy, not a property of the format).
"""
from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox


@dataclass(frozen=True)
class RdfFormat:
    """An RDF serialisation."""

    key: str  # short name and file suffix: ttl, jsonld, nt, rdf, trig, nq
    media_type: str
    oxigraph: ox.RdfFormat
    dataset: bool  # carries named graphs (N-Quads, TriG, JSON-LD) or only triples
    description: str  # of a whole-dataset export in this format


@dataclass(frozen=True)
class ResultsFormat:
    """A SPARQL 1.1 query results serialisation (SELECT and ASK)."""

    key: str
    media_type: str
    oxigraph: ox.QueryResultsFormat
    boolean: bool  # the standard defines an ASK answer in it (CSV and TSV: no)


NQUADS = RdfFormat("nq", "application/n-quads", ox.RdfFormat.N_QUADS, True, "N-Quads, all named graphs")
TRIG = RdfFormat("trig", "application/trig", ox.RdfFormat.TRIG, True, "TriG, all named graphs")
JSONLD = RdfFormat("jsonld", "application/ld+json", ox.RdfFormat.JSON_LD, True,
                   "JSON-LD, all named graphs, project @context")
NTRIPLES = RdfFormat("nt", "application/n-triples", ox.RdfFormat.N_TRIPLES, False, "N-Triples, union of all graphs")
TURTLE = RdfFormat("ttl", "text/turtle", ox.RdfFormat.TURTLE, False, "Turtle, union of all graphs")
RDFXML = RdfFormat("rdf", "application/rdf+xml", ox.RdfFormat.RDF_XML, False, "RDF/XML, union of all graphs")

# The order of exports and dumps.
RDF_FORMATS: tuple[RdfFormat, ...] = (NQUADS, TRIG, JSONLD, NTRIPLES, TURTLE, RDFXML)
# What one resource's description (a set of triples) is written in.
TRIPLE_FORMATS: tuple[RdfFormat, ...] = (TURTLE, JSONLD, NTRIPLES, RDFXML)
RDF_BY_KEY = {f.key: f for f in RDF_FORMATS}
RDF_BY_MEDIA_TYPE = {f.media_type: f for f in RDF_FORMATS}

RESULTS_JSON = ResultsFormat("json", "application/sparql-results+json", ox.QueryResultsFormat.JSON, True)
RESULTS_XML = ResultsFormat("xml", "application/sparql-results+xml", ox.QueryResultsFormat.XML, True)
RESULTS_CSV = ResultsFormat("csv", "text/csv", ox.QueryResultsFormat.CSV, False)
RESULTS_TSV = ResultsFormat("tsv", "text/tab-separated-values", ox.QueryResultsFormat.TSV, False)
RESULTS_FORMATS: tuple[ResultsFormat, ...] = (RESULTS_JSON, RESULTS_XML, RESULTS_CSV, RESULTS_TSV)
RESULTS_BY_MEDIA_TYPE = {f.media_type: f for f in RESULTS_FORMATS}
