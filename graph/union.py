"""SPARQL's default graph as the spec defines it: the RDF merge of its graphs, a set.

Oxigraph evaluates a default graph made of several stored graphs (its union default graph,
several FROM clauses, several ``default-graph-uri`` parameters) graph by graph, so a triple
held by two of them matches twice (``COUNT(*)`` says 2; upstream oxigraph#1919). Here the
engine is only ever given a default graph that is *one* stored graph, so each triple is
there once by construction, whatever the query form:

* no dataset: the version's union copy (:meth:`StoreRoot.open_union_read_only`), whose
  stored default graph holds every triple of the dataset once;
* a dataset whose default graph names one graph: that graph, as the engine reads it;
* a default graph of graphs known to share no triple (one report's graph and the shared
  graphs, graph/disjoint_graphs.py): those graphs, as the engine reads them;
* a default graph of several graphs: a small in-memory store holding their merge as its
  default graph and the dataset's named graphs, built for this query (it costs the size
  of the graphs named; the query's time limit and memory cap apply to it).

``GRAPH ?g`` sees the named graphs as stored, so a shared triple is still found in each.
See docs/decisions.md §22.
"""
from __future__ import annotations

from typing import Callable, Sequence

import pyoxigraph as ox

from .sparql_text import dataset_clauses, has_from_clause


def run_query(store: ox.Store, text: str, *, union: bool = True, union_store: ox.Store | None = None,
              default_graphs: Sequence[str] | None = None, named_graphs: Sequence[str] | None = None,
              base_iri: str | None = None, reads_as_set: Callable[[Sequence[str]], bool] | None = None):
    """Evaluate ``text`` over ``store`` with set semantics for the default graph.

    ``default_graphs`` / ``named_graphs`` are the protocol's dataset (they replace any FROM
    in the query). Without a dataset the default graph is the union of all graphs when
    ``union`` is true (read from ``union_store``, the union copy; without one, Oxigraph's
    own union, which counts shared triples once per graph), else the store's default graph.
    ``reads_as_set(graphs)`` says when several graphs share no triple, so that the engine's
    bag over them is their merge and no copy is made (graph/disjoint_graphs.py).
    """
    from_protocol = bool(default_graphs or named_graphs)
    dataset = ((list(default_graphs or []), list(named_graphs or [])) if from_protocol
               else dataset_clauses(text, base_iri))
    if dataset is None or (not from_protocol and len(set(dataset[0])) <= 1):
        if has_from_clause(text) or not union:  # the engine reads the query's own FROM
            return store.query(text, base_iri=base_iri)
        if union_store is not None:
            return union_store.query(text, base_iri=base_iri)
        return store.query(text, base_iri=base_iri, use_default_graph_as_union=True)
    default, named = _unique(dataset[0]), _unique(dataset[1])
    named_nodes = [ox.NamedNode(g) for g in named]
    if len(default) <= 1 or (reads_as_set is not None and reads_as_set(default)):
        return store.query(text, base_iri=base_iri, default_graph=[ox.NamedNode(g) for g in default],
                           named_graphs=named_nodes)
    # Passed explicitly, the dataset replaces the query's FROM clauses (read identically).
    return merged(store, default, named).query(text, base_iri=base_iri, default_graph=ox.DefaultGraph(),
                                               named_graphs=named_nodes)


def merged(store: ox.Store, default: Sequence[str], named: Sequence[str]) -> ox.Store:
    """An in-memory store: the merge of ``default`` as its default graph, ``named`` as they are."""
    out = ox.Store()
    target = ox.DefaultGraph()
    for iri in default:
        out.extend(ox.Quad(q.subject, q.predicate, q.object, target)
                   for q in store.quads_for_pattern(None, None, None, ox.NamedNode(iri)))
    for iri in named:
        out.extend(store.quads_for_pattern(None, None, None, ox.NamedNode(iri)))
    return out


def _unique(iris: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(iris))
