"""Draw the data model from ontology/esg.ttl (never by hand): docs/data-model.svg and .png.

Classes are nodes; object properties with a domain and range are edges; reused W3C classes
are shown in grey. Needs Graphviz's `dot` (Debian package graphviz) only to regenerate.
Run: python docs/model_diagram.py
"""
from __future__ import annotations

import subprocess
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib import Namespace
from rdflib.namespace import OWL, RDF, RDFS

SCHEMA = Namespace("https://schema.org/")

HERE = Path(__file__).parent
ONTOLOGY = HERE.parent / "ontology" / "esg.ttl"
PREFIXES = {
    "https://w3id.org/esgkg/ontology#": "esg:", "http://www.w3.org/2004/02/skos/core#": "skos:",
    "http://www.w3.org/ns/org#": "org:", "http://www.w3.org/ns/prov#": "prov:",
    "http://purl.org/linked-data/cube#": "qb:", "http://purl.org/dc/terms/": "dcterms:",
    "http://metadata.un.org/sdg/ontology#": "sdgo:", "http://qudt.org/schema/qudt/": "qudt:",
}


def short(iri: URIRef) -> str:
    for ns, p in PREFIXES.items():
        if str(iri).startswith(ns):
            return p + str(iri)[len(ns):]
    return str(iri)


def dot_source(g: Graph) -> str:
    lines = ['digraph esg {', '  rankdir=LR; node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10];',
             '  edge [fontname="Helvetica", fontsize=8, color="#555555"];']
    nodes: set[str] = set()
    for cls in sorted(g.subjects(RDF.type, OWL.Class)):
        nodes.add(short(cls))
        for sup in g.objects(cls, RDFS.subClassOf):
            nodes.add(short(sup))
            lines.append(f'  "{short(cls)}" -> "{short(sup)}" [arrowhead=empty, style=dashed, color="#999999"];')
    for prop in sorted(g.subjects(RDF.type, OWL.ObjectProperty)):
        domains = set(g.objects(prop, RDFS.domain)) | set(g.objects(prop, SCHEMA.domainIncludes))
        ranges = set(g.objects(prop, RDFS.range)) | set(g.objects(prop, SCHEMA.rangeIncludes))
        for dom in sorted(domains):
            for rng in sorted(ranges):
                nodes.update({short(dom), short(rng)})
                lines.append(f'  "{short(dom)}" -> "{short(rng)}" [label="{short(prop)}"];')
    for n in sorted(nodes):
        colour = "#d8ecff" if n.startswith("esg:") else "#eeeeee"
        lines.append(f'  "{n}" [fillcolor="{colour}"];')
    lines.append("}")
    return "\n".join(lines)


def main() -> None:
    g = Graph().parse(ONTOLOGY)
    src = dot_source(g)
    for fmt in ("svg", "png"):
        subprocess.run(["dot", f"-T{fmt}", "-Gdpi=110", "-o", str(HERE / f"data-model.{fmt}")],
                       input=src.encode(), check=True)


if __name__ == "__main__":
    main()
