"""Writing the published dataset in every common RDF format, byte-for-byte reproducibly."""
from __future__ import annotations

import json

import pyoxigraph
from rdflib import Dataset as RdfDataset

from .formats import RDF_BY_KEY, RDF_FORMATS, RDFXML, TRIG, TURTLE
from .namespaces import DEFAULT_BASE, Iris, prefixes
from .reference import package_dir

# format key -> (media type, is a dataset format, description), in export order: a view of
# the one format table (graph/formats.py).
FORMATS: dict[str, tuple[str, bool, str]] = {f.key: (f.media_type, f.dataset, f.description) for f in RDF_FORMATS}


def _canonical_items(store: pyoxigraph.Store, triples: bool) -> list:
    # The store gives blank nodes fresh labels on every load; RDFC-1.0 relabels them from
    # the graph's structure, so identical data always serialises to identical bytes.
    if triples:
        ds = pyoxigraph.Dataset(pyoxigraph.Quad(q.subject, q.predicate, q.object) for q in store)
    else:
        ds = pyoxigraph.Dataset(store)
    ds.canonicalize(pyoxigraph.CanonicalizationAlgorithm.RDFC_1_0)
    if triples:
        return sorted({pyoxigraph.Triple(q.subject, q.predicate, q.object) for q in ds}, key=str)
    return sorted(ds, key=str)


def _sorted_lines(raw: bytes) -> bytes:
    lines = sorted({line for line in raw.decode("utf-8").splitlines() if line.strip()})
    return ("\n".join(lines) + "\n").encode("utf-8")


def canonical_nquads(store: pyoxigraph.Store) -> bytes:
    """All quads as sorted, unique N-Quads lines: identical input gives identical bytes."""
    return _sorted_lines(pyoxigraph.serialize(_canonical_items(store, False), format=pyoxigraph.RdfFormat.N_QUADS))


def canonical_ntriples(store: pyoxigraph.Store) -> bytes:
    """The union of all graphs as sorted, unique N-Triples lines."""
    return _sorted_lines(pyoxigraph.serialize(_canonical_items(store, True), format=pyoxigraph.RdfFormat.N_TRIPLES))


def jsonld_context(iris: Iris | None = None) -> dict:
    """The project's JSON-LD @context (ontology/context.jsonld), moved to this deployment's base."""
    iris = iris or Iris()
    path = package_dir("ontology") / "context.jsonld"
    if not path.exists():
        return dict(sorted(prefixes(iris).items()))
    text = path.read_text(encoding="utf-8")
    if iris.base != DEFAULT_BASE:
        text = text.replace(DEFAULT_BASE, iris.base)
    return json.loads(text)["@context"]


# Oxigraph writes Turtle, TriG and RDF/XML without rewriting literals (rdflib's Turtle writer
# turns "667"^^xsd:decimal into 667.0, a different lexical form); rdflib compacts JSON-LD
# against the project's @context, which Oxigraph cannot.
_OXIGRAPH_WRITES = {f.key for f in (TURTLE, TRIG, RDFXML)}


def export(store: pyoxigraph.Store, fmt: str, iris: Iris | None = None) -> bytes:
    """Serialise the whole store in ``fmt`` (a key of :data:`FORMATS`)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if fmt == "nq":
        return canonical_nquads(store)
    if fmt == "nt":
        return canonical_ntriples(store)
    ns = prefixes(iris)
    if fmt in _OXIGRAPH_WRITES:
        items = _canonical_items(store, triples=not RDF_BY_KEY[fmt].dataset)
        return pyoxigraph.serialize(items, format=RDF_BY_KEY[fmt].oxigraph, prefixes=dict(sorted(ns.items())))
    ds = RdfDataset()
    ds.parse(data=canonical_nquads(store), format="nquads")
    for p, uri in sorted(ns.items()):
        ds.bind(p, uri, override=True)
    return ds.serialize(format="json-ld", context=jsonld_context(iris), encoding="utf-8")

