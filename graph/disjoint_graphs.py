"""The store's graphs share no triple, so a report's own dataset can be read without a copy.

A named query asked about one report (``report=ID``) reads that report's graph, its findings
graph and the shared graphs (ontology, reference, shapes) as its default graph
(docs/decisions.md §32). Oxigraph evaluates a default graph of several graphs as a bag
(graph/union.py), which is the RDF merge only when no triple is in two of them. The build
makes that so:

* the shared graphs: a triple already in an earlier one is dropped from a later one;
* a report graph: every triple the shared graphs hold is dropped from it (they still hold it);
* a report's findings graph (``graph/validation/ID``): its findings hang on blank nodes
  labelled for that report (``label_scope``) and on the one ``_:validation`` node, whose type
  and verdict alone are in ``graph/validation``, so they share no triple with any other graph
  (tests/test_graph_disjoint.py checks the built store).

Every version built so is marked ``DISJOINT`` in its metadata; a reader takes the engine's
own multi-graph default graph only for a version so marked and only for a default graph of
one report's graphs (data, findings) plus shared graphs (two reports may state one triple).
A version made by SPARQL Update loses the mark: an update may put a shared graph's triple into
a report graph, and checking every report graph per write would cost what the write costs.

A version also says its ``LAYOUT``: where a report's graphs are. A version of an older layout
(findings of all reports in one graph, before 2026-12) is read unscoped (:func:`scopes_reports`):
its per-report findings graphs do not exist, so a scoped query would find no findings.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence, Set

from rdflib import Graph

from .namespaces import Iris

#: The metadata value of a version whose graphs were made disjoint as above.
DISJOINT = "report graphs and shared graphs share no triple (graph/disjoint_graphs.py)"
SHARED = ("ontology", "reference", "shapes", "validation")
#: The metadata value of a version with a graph per report (graph/report/ID) and a findings
#: graph per report (graph/validation/ID); updates keep it (they may not change either kind).
LAYOUT = "graph/report/ID and graph/validation/ID for each report (graph/disjoint_graphs.py)"


def scopes_reports(meta: Mapping | None) -> bool:
    """Whether a named query asked about one report may read that report's graphs only, on
    the version of ``meta`` (None: a remote engine, loaded by ``esgkg push`` from a build)."""
    return meta is None or meta.get("graph_layout") == LAYOUT


def edited_meta(meta: Mapping) -> dict:
    """The metadata an edit of a version of ``meta`` starts from: everything but ``DISJOINT``."""
    return {k: v for k, v in meta.items() if k != "disjoint_graphs"}


def shared_triples(graphs: Sequence[Graph]) -> frozenset:
    """Every triple of ``graphs``, as a set to test a report's triples against (once per build)."""
    return frozenset(t for g in graphs for t in g)


def drop_shared(graph: Graph, shared: Set) -> int:
    """Remove from ``graph`` every triple in ``shared``; how many were removed."""
    common = [t for t in graph if t in shared]
    for t in common:
        graph.remove(t)
    return len(common)


def disjoint_in_order(graphs: Sequence[Graph]) -> None:
    """Drop from each graph the triples an earlier one of ``graphs`` holds."""
    for i, graph in enumerate(graphs[1:], start=1):
        drop_shared(graph, shared_triples(graphs[:i]))


def scope_graphs(iris: Iris, report_id: str, names: Sequence[str]) -> list[str]:
    """The default graph of a query scoped to one report: its graph, then ``names`` (of
    ``SHARED``; ``validation`` is the report's own findings graph)."""
    graphs = [iris.report_graph(report_id)]
    graphs += [iris.validation_graph(report_id) if name == "validation" else iris.graph(name) for name in names]
    return [str(g) for g in graphs]


def reads_as_set(meta: dict, default_graphs: Sequence[str]) -> bool:
    """Whether the engine's bag over ``default_graphs`` is their merge, for the version of ``meta``.

    True for a version marked ``DISJOINT`` and a default graph of distinct graphs: one
    report's data and findings graphs, and shared graphs of that version's base.
    """
    base = meta.get("base")
    if meta.get("disjoint_graphs") != DISJOINT or not isinstance(base, str):
        return False
    if len(set(default_graphs)) != len(default_graphs):
        return False
    iris = Iris(base)
    shared = {str(iris.graph(name)) for name in SHARED}
    owners = set()
    for graph in default_graphs:
        if graph in shared:
            continue
        for prefix in (f"{iris.graph('report')}/", f"{iris.graph('validation')}/"):
            if graph.startswith(prefix) and graph[len(prefix):] and "/" not in graph[len(prefix):]:
                owners.add(graph[len(prefix):])
                break
        else:
            return False
    return len(owners) <= 1
