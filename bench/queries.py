"""The benchmark's query mix: the named queries plus lookups, joins, aggregates, search, DESCRIBE.

Every query is written against the *union* default graph, which is what esgkg serves, what
``oxigraph serve --union-default-graph`` serves and what rdflib-endpoint (a Dataset with
``default_union=True``) serves, so all three engines answer the same text.
``{report}`` is replaced by one report id of the dataset being measured (the bundled one,
or the first synthetic one), so lookups hit real entities at every scale.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PREFIXES = """PREFIX esg: <https://w3id.org/esgkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""
BASE = "https://w3id.org/esgkg/id/"

SELECT_JSON = "application/sparql-results+json"
# N-Triples: one line per triple, so "same result count" is a line count on every engine.
TRIPLES = "application/n-triples"


@dataclass(frozen=True)
class BenchQuery:
    """One query of the mix, with the Accept header every engine is asked for."""

    name: str
    kind: str  # named | lookup | join | aggregate | search | describe
    text: str
    accept: str = SELECT_JSON


# The ad-hoc part of the mix. Joins and aggregates are the shapes users actually write
# against the model (docs/data-model.md): observation -> metric -> topic, counts by class.
_ADHOC: list[tuple[str, str, str, str]] = [
    ("lookup-metric", "lookup",
     "SELECT ?p ?o WHERE { <" + BASE + "{report}/metric/ghg-scope-2-location> ?p ?o }", SELECT_JSON),
    ("lookup-report", "lookup",
     "SELECT ?r ?org WHERE { ?r dcterms:identifier \"{report}\" ; esg:aboutOrganisation ?org }", SELECT_JSON),
    ("join-metric-values", "join",
     "SELECT ?m ?label ?y ?v WHERE { ?o esg:metric ?m ; esg:year ?y ; esg:value ?v . "
     "?m esg:report <" + BASE + "{report}> ; rdfs:label ?label FILTER(LANG(?label) = \"en\") } ORDER BY ?m ?y",
     SELECT_JSON),
    ("join-topic-metric-disclosure", "join",
     "SELECT ?topic ?m ?d WHERE { ?m a esg:Metric ; esg:report <" + BASE + "{report}> ; "
     "esg:concernsTopic ?topic ; esg:disclosure ?d }", SELECT_JSON),
    ("aggregate-count-by-class", "aggregate",
     "SELECT ?c (COUNT(?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n) ?c", SELECT_JSON),
    ("aggregate-values-per-metric", "aggregate",
     "SELECT ?m (COUNT(?o) AS ?n) (MAX(?v) AS ?max) WHERE { ?o esg:metric ?m ; esg:value ?v . "
     "?m esg:report <" + BASE + "{report}> } GROUP BY ?m ORDER BY ?m", SELECT_JSON),
    ("search-label", "search",
     "SELECT ?s ?l WHERE { ?s rdfs:label ?l ; esg:report <" + BASE + "{report}> "
     "FILTER(CONTAINS(STR(?l), \"員工\")) } ORDER BY ?s ?l", SELECT_JSON),
    ("describe-metric", "describe",
     "DESCRIBE <" + BASE + "{report}/metric/ghg-scope-2-location>", TRIPLES),
]


# The cheap mix (issue 16): requests whose engine time is small, so what a server adds per
# request shows. Each is measured alone, cold (every request a new text) and warm.
_CHEAP: list[tuple[str, str, str]] = [
    ("ASK", "ASK { ?s ?p ?o }", SELECT_JSON),
    ("DESCRIBE (Turtle)", "DESCRIBE <" + BASE + "{report}/metric/ghg-scope-2-location>", "text/turtle"),
    ("types GROUP BY", "SELECT ?c (COUNT(?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n) ?c",
     SELECT_JSON),
    ("label CONTAINS", "SELECT ?s ?l WHERE { ?s rdfs:label ?l FILTER(CONTAINS(STR(?l), \"員工\")) }",
     SELECT_JSON),
    ("2-hop join LIMIT 200", "SELECT ?o ?m ?label WHERE { ?o esg:metric ?m . ?m rdfs:label ?label } LIMIT 200",
     SELECT_JSON),
]


def cheap_mix(report_id: str) -> list[BenchQuery]:
    """The five cheap requests of the per-request cost table, for a dataset with ``report_id``."""
    return [BenchQuery(name, "cheap", PREFIXES + text.replace("{report}", report_id), accept)
            for name, text, accept in _CHEAP]


def named_queries(folder: Path) -> list[BenchQuery]:
    """Every ``queries/*.rq`` file, run as it stands (parameters unbound = all reports)."""
    return [BenchQuery(f"named:{p.stem}", "named", p.read_text(encoding="utf-8"))
            for p in sorted(folder.glob("*.rq"))]


def query_mix(queries_dir: Path, report_id: str, include_named: bool = True) -> list[BenchQuery]:
    """The full mix for a dataset whose reports include ``report_id``."""
    mix = named_queries(queries_dir) if include_named else []
    for name, kind, text, accept in _ADHOC:
        mix.append(BenchQuery(name, kind, PREFIXES + text.replace("{report}", report_id), accept))
    return mix
