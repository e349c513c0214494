"""Why the embedded store is Oxigraph: the same queries on the same data, rdflib vs pyoxigraph.

Run: python bench/store_choice.py  (builds the bundled dataset in memory; prints a table)
"""
from __future__ import annotations

import statistics
import time

import pyoxigraph
from rdflib import Dataset

from esgkg.graph.build import assemble

QUERIES = {
    "count by class": "SELECT ?c (COUNT(?s) AS ?n) WHERE { GRAPH ?g { ?s a ?c } } GROUP BY ?c",
    "metric values by year": """PREFIX esg: <https://w3id.org/esgkg/ontology#>
        SELECT ?m ?y ?v WHERE { GRAPH ?g { ?o esg:metric ?m ; esg:year ?y ; esg:value ?v } } ORDER BY ?m ?y""",
    "topic -> action -> SDG": """PREFIX esg: <https://w3id.org/esgkg/ontology#>
        SELECT ?t ?a ?goal WHERE { GRAPH ?g { ?a esg:concernsTopic ?t ; esg:contributesTo ?goal } }""",
    "label search": """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?s ?l WHERE { GRAPH ?g { ?s rdfs:label ?l FILTER(CONTAINS(STR(?l), "員工")) } }""",
    "year-on-year join": """PREFIX esg: <https://w3id.org/esgkg/ontology#>
        SELECT ?m ?y ?v ?prev WHERE { GRAPH ?g { ?o esg:metric ?m ; esg:year ?y ; esg:value ?v .
          ?p esg:metric ?m ; esg:year ?py ; esg:value ?prev FILTER(YEAR(?py) = YEAR(?y) - 1) } }""",
}


def timed(fn, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> None:
    data = assemble().nquads_bytes()
    ox = pyoxigraph.Store()
    ox.bulk_load(data, format=pyoxigraph.RdfFormat.N_QUADS)
    rd = Dataset()
    rd.parse(data=data, format="nquads")
    print(f"{len(data.splitlines())} quads\n")
    print("| query | rdflib ms | pyoxigraph ms | ratio |\n| --- | ---: | ---: | ---: |")
    ratios = []
    for name, q in QUERIES.items():
        t_rd = timed(lambda q=q: list(rd.query(q)), 3)
        t_ox = timed(lambda q=q: list(ox.query(q)), 10)
        ratios.append(t_rd / t_ox)
        print(f"| {name} | {t_rd * 1000:.1f} | {t_ox * 1000:.2f} | {t_rd / t_ox:.0f}× |")
    print(f"\ngeometric mean speed-up: {statistics.geometric_mean(ratios):.0f}×")


if __name__ == "__main__":
    main()
