"""Writing the published dataset in every common RDF format, byte-for-byte reproducibly."""
from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph
from rdflib import Dataset as RdfDataset
from rdflib import Graph

from .namespaces import Iris, prefixes
from .reference import package_dir

# format key -> (media type, is a dataset format, description)
FORMATS: dict[str, tuple[str, bool, str]] = {
    "nq": ("application/n-quads", True, "N-Quads, all named graphs"),
    "trig": ("application/trig", True, "TriG, all named graphs"),
    "jsonld": ("application/ld+json", True, "JSON-LD, all named graphs, project @context"),
    "nt": ("application/n-triples", False, "N-Triples, union of all graphs"),
    "ttl": ("text/turtle", False, "Turtle, union of all graphs"),
    "rdf": ("application/rdf+xml", False, "RDF/XML, union of all graphs"),
}


def _canonical_lines(ds: pyoxigraph.Dataset, fmt: pyoxigraph.RdfFormat) -> bytes:
    # The store gives blank nodes fresh labels on every load; RDFC-1.0 relabels them from
    # the graph's structure, so identical data always serialises to identical bytes.
    ds.canonicalize(pyoxigraph.CanonicalizationAlgorithm.RDFC_1_0)
    if fmt == pyoxigraph.RdfFormat.N_TRIPLES:
        items = [pyoxigraph.Triple(q.subject, q.predicate, q.object) for q in ds]
    else:
        items = list(ds)
    raw = pyoxigraph.serialize(items, format=fmt).decode("utf-8")
    lines = sorted({line for line in raw.splitlines() if line.strip()})
    return ("\n".join(lines) + "\n").encode("utf-8")


def canonical_nquads(store: pyoxigraph.Store) -> bytes:
    """All quads as sorted, unique N-Quads lines: identical input gives identical bytes."""
    return _canonical_lines(pyoxigraph.Dataset(store), pyoxigraph.RdfFormat.N_QUADS)


def canonical_ntriples(store: pyoxigraph.Store) -> bytes:
    """The union of all graphs as sorted, unique N-Triples lines."""
    ds = pyoxigraph.Dataset(pyoxigraph.Quad(q.subject, q.predicate, q.object) for q in store)
    return _canonical_lines(ds, pyoxigraph.RdfFormat.N_TRIPLES)


def jsonld_context() -> dict:
    """The project's JSON-LD @context (ontology/context.jsonld), or one made of the prefixes."""
    path = package_dir("ontology") / "context.jsonld"
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))["@context"]
    return dict(sorted(prefixes().items()))


def export(store: pyoxigraph.Store, fmt: str, iris: Iris | None = None) -> bytes:
    """Serialise the whole store in ``fmt`` (a key of :data:`FORMATS`)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if fmt == "nq":
        return canonical_nquads(store)
    if fmt == "nt":
        return canonical_ntriples(store)
    ns = prefixes(iris)
    if FORMATS[fmt][1]:
        ds = RdfDataset()
        ds.parse(data=canonical_nquads(store), format="nquads")
        for p, uri in sorted(ns.items()):
            ds.bind(p, uri, override=True)
        if fmt == "trig":
            return ds.serialize(format="trig", encoding="utf-8")
        return ds.serialize(format="json-ld", context=jsonld_context(), encoding="utf-8")
    g = Graph()
    g.parse(data=canonical_ntriples(store), format="nt")
    for p, uri in sorted(ns.items()):
        g.bind(p, uri, override=True)
    return g.serialize(format="turtle" if fmt == "ttl" else "pretty-xml", encoding="utf-8")


def write_export(store: pyoxigraph.Store, fmt: str, out: Path | None) -> int:
    """Write an export to a file (atomically) or return the bytes' length after writing stdout."""
    data = export(store, fmt)
    if out is None:
        import sys

        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        tmp = out.with_name(out.name + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(out)
    return len(data)
