"""SHACL core constraints (pyshacl) for one report over shared graphs read once.

A build worker validates report after report against the same ontology, reference and
shapes graphs. Three things make that cheaper than ``pyshacl.validate`` over the union,
with the same results (docs/decisions.md §30):

* the data graph is a read-only *view* of two indexes, the shared graphs' (made once) and
  the report's triples not already shared, instead of one rdflib graph the report's
  triples are added to and removed from;
* pyshacl's shapes graph (its shapes harvested from the core shapes) is made once;
* shared focus nodes that the report cannot reach are not validated again: validating the
  shared graphs alone (once) gave no result for them, and nothing a core check reads from
  them changes with the report.
"""
from __future__ import annotations

import logging
from typing import Iterable, Iterator

from rdflib import Graph, Literal, URIRef
from rdflib.store import Store
from rdflib.term import Node

from .namespaces import SH

_LOG = logging.getLogger("esgkg.validation.core")


def without_sparql(shapes: Graph) -> Graph:
    """A copy of the shapes graph that pyshacl can run quickly: core constraints only."""
    core = Graph()
    for s, p, o in shapes:
        if p != SH.sparql:
            core.add((s, p, o))
    return core


class TripleIndex:
    """A set of triples indexed by subject, predicate and object (read-only once made)."""

    def __init__(self, triples: Iterable[tuple[Node, Node, Node]]) -> None:
        self.spo: dict = {}
        self.pos: dict = {}
        self.osp: dict = {}
        self.size = 0
        for s, p, o in triples:
            objects = self.spo.setdefault(s, {}).setdefault(p, set())
            if o in objects:
                continue
            objects.add(o)
            self.pos.setdefault(p, {}).setdefault(o, set()).add(s)
            self.osp.setdefault(o, {}).setdefault(s, set()).add(p)
            self.size += 1

    def __contains__(self, triple: tuple[Node, Node, Node]) -> bool:
        s, p, o = triple
        return o in self.spo.get(s, {}).get(p, ())

    def match(self, s: Node | None, p: Node | None, o: Node | None) -> Iterator[tuple[Node, Node, Node]]:
        """Every triple matching the pattern (None matches anything). The index is not
        changed once made, so its sets are iterated without copies."""
        if s is not None:
            by_p = self.spo.get(s)
            if not by_p:
                return
            if p is not None:
                objects = by_p.get(p)
                if objects:
                    if o is None:
                        for obj in objects:
                            yield s, p, obj
                    elif o in objects:
                        yield s, p, o
                return
            for pred, objects in by_p.items():
                if o is None:
                    for obj in objects:
                        yield s, pred, obj
                elif o in objects:
                    yield s, pred, o
        elif o is not None:
            for subj, preds in self.osp.get(o, {}).items():
                if p is None:
                    for pred in preds:
                        yield subj, pred, o
                elif p in preds:
                    yield subj, p, o
        elif p is not None:
            for obj, subjects in self.pos.get(p, {}).items():
                for subj in subjects:
                    yield subj, p, obj
        else:
            for subj, by_p in self.spo.items():
                for pred, objects in by_p.items():
                    for obj in objects:
                        yield subj, pred, obj


class UnionStore(Store):
    """A read-only rdflib store answering from disjoint indexes, in turn.

    Prefix bindings are kept like a fresh ``Graph()``'s, so pyshacl names nodes in its
    messages as it does on an ordinary graph. pyshacl wraps the graph in an rdflib Dataset
    over the same store, which must say it is context- and graph-aware (it answers for one
    context).
    """

    context_aware = True
    graph_aware = True

    def add_graph(self, graph: Graph) -> None:
        """Nothing to record: every context of this store is the one view."""

    def __init__(self, parts: list[TripleIndex]) -> None:
        super().__init__()
        self.parts = parts
        self._prefix: dict[URIRef, str] = {}
        self._namespace: dict[str, URIRef] = {}

    def triples(self, triple_pattern, context=None):
        s, p, o = triple_pattern
        for part in self.parts:
            for triple in part.match(s, p, o):
                yield triple, ()  # rdflib's Graph ignores the contexts of a triple here

    def __len__(self, context=None) -> int:
        return sum(part.size for part in self.parts)

    def add(self, triple, context, quoted=False) -> None:
        # Adding what is there already changes nothing (pyshacl adds its system triples
        # to the shapes graph, which the index holds from the start).
        if not any(triple in part for part in self.parts):
            raise TypeError("the validation's data graph is read-only")

    def remove(self, triple, context=None) -> None:
        raise TypeError("the validation's data graph is read-only")

    def bind(self, prefix: str, namespace: URIRef, override: bool = True) -> None:
        if not override and (prefix in self._namespace or namespace in self._prefix):
            return
        self._namespace.pop(self._prefix.get(namespace), None)
        self._prefix.pop(self._namespace.get(prefix), None)
        self._namespace[prefix] = namespace
        self._prefix[namespace] = prefix

    def prefix(self, namespace: URIRef) -> str | None:
        return self._prefix.get(namespace)

    def namespace(self, prefix: str) -> URIRef | None:
        return self._namespace.get(prefix)

    def namespaces(self):
        yield from list(self._namespace.items())


def union_view(parts: list[TripleIndex]) -> Graph:
    """An rdflib Graph over the indexes (read-only; each triple in one part only)."""
    return Graph(store=UnionStore(parts))


class _Parameters(list):
    """pyshacl's list of constraint parameters, answering ``in`` from a set.

    pyshacl asks, for every shape it validates on every focus node, which of the shape's
    predicates are constraint parameters, with ``p in list`` (rdflib's Python ``__eq__``
    per item: a third of the core checks' time). Terms equal by ``__eq__`` (same type,
    same text) have the same hash, so the set gives the same answers.
    """

    def __init__(self, items: list) -> None:
        super().__init__(items)
        self._set = frozenset(items)

    def __contains__(self, item: object) -> bool:
        return item in self._set


def _fast_parameter_lookup() -> None:
    """Fill pyshacl's own cache of the constraint parameters (pyshacl/shape.py, filled on
    first use with the same two values) with the set-backed list (docs/decisions.md §30)."""
    import pyshacl.shape
    from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP

    current = getattr(pyshacl.shape, "CONSTRAINT_PARAMS", (None, None))[0]
    if not isinstance(current, _Parameters):
        pyshacl.shape.CONSTRAINT_PARAMS = (_Parameters(ALL_CONSTRAINT_PARAMETERS), CONSTRAINT_PARAMETERS_MAP)


def _path_predicates(shapes: Graph) -> tuple[set[URIRef], set[URIRef], bool]:
    """(predicates some path reads backwards, predicates of sh:targetObjectsOf, any
    backward path too complex to name its predicates)."""
    inverse: set[URIRef] = set()
    complex_inverse = False
    for path in shapes.objects(None, SH.inversePath):
        if isinstance(path, URIRef):
            inverse.add(path)
        else:  # e.g. the inverse of a sequence: treat every predicate as read backwards
            complex_inverse = True
    return inverse, set(shapes.objects(None, SH.targetObjectsOf)), complex_inverse


def _result_foci(results: list) -> set:
    """The focus nodes of pyshacl's top-level results (its (text, node, triples) tuples;
    a node read from a graph is written ``(graph, node)`` there)."""
    return {o[1] if isinstance(o, tuple) else o
            for _, node, triples in results for s, p, o in triples if s == node and p == SH.focusNode}


#: What the reach of a report (CoreValidation.reached) does not cover: constraints and
#: targets that may read any triple (SPARQL- or JS-based components, SHACL-AF). The
#: sh:select texts of the SPARQL constraints stay in the core shapes, unreachable once
#: their sh:sparql links are gone (without_sparql), so they do not count.
_BEYOND_CORE = (SH.target, SH.rule, SH.validator, SH.nodeValidator, SH.propertyValidator,
                SH.expression, SH.jsFunctionName, SH.jsLibrary)


def _only_core(shapes: Graph) -> bool:
    """True when the shapes use core constraints and targets only (docs/decisions.md §30)."""
    return not any(True for p in _BEYOND_CORE for _ in shapes.triples((None, p, None)))


class CoreValidation:
    """pyshacl's core checks for the shared graphs plus one report at a time.

    Shared focus nodes are skipped only while the shapes hold core constraints and
    targets alone (``skip_shared``); otherwise every focus node is validated, as
    pyshacl.validate does.
    """

    def __init__(self, shared: Iterable[tuple[Node, Node, Node]], core_shapes: Graph) -> None:
        from pyshacl.shapes_graph import ShapesGraph

        _fast_parameter_lookup()
        self.shared = TripleIndex(shared)
        # pyshacl reads the shapes graph for every shape it validates on every focus node:
        # an index answers that without rdflib's per-triple context bookkeeping.
        shapes_view = union_view([TripleIndex([*core_shapes, *ShapesGraph.system_triples])])
        for prefix, namespace in core_shapes.namespaces():  # pyshacl names nodes with them
            shapes_view.bind(prefix, namespace, override=True, replace=True)
        self.shapes_graph = ShapesGraph(shapes_view, False, _LOG)
        self.shapes = list(self.shapes_graph.shapes)
        self.inverse, self.object_targets, self.complex_inverse = _path_predicates(core_shapes)
        self.skip_shared = _only_core(core_shapes)
        self.skipped = 0  # shared focus nodes the last validation did not validate again
        self._shared_run = self._run(union_view([self.shared]), frozenset())
        flagged = _result_foci(self._shared_run[1])
        nodes = set(self.shared.spo) | {o for o in self.shared.osp if not isinstance(o, Literal)}
        # Shared nodes with no finding of their own: the candidates for skipping.
        self.quiet = frozenset(nodes - flagged)

    def view(self, extra: TripleIndex | None = None) -> Graph:
        """The data graph: the shared triples, and the report's (``extra``) when given."""
        return union_view([self.shared] if extra is None else [self.shared, extra])

    def extra(self, report: Graph) -> TripleIndex:
        """The report's triples that are not already shared."""
        return TripleIndex(t for t in report if t not in self.shared)

    def validate(self, extra: TripleIndex | None) -> Graph:
        """pyshacl's sh:ValidationReport for the shared graphs plus ``extra``."""
        from pyshacl.validator import Validator

        if extra is None or not extra.size:
            self.skipped = 0
            conforms, results = self._shared_run
        else:
            skip = self.quiet - self.reached(extra) if self.skip_shared else frozenset()
            conforms, results = self._run(self.view(extra), skip)
        report, _ = Validator.create_validation_report(self.shapes_graph, conforms, results)
        return report

    def reached(self, extra: TripleIndex) -> set:
        """Every node whose core checks may read a triple of ``extra``.

        A check reads a focus node's triples forward along any predicate, and backward
        only along predicates in an sh:inversePath; nested shapes (sh:node, sh:property,
        sh:class's rdf:type and rdfs:subClassOf, …) read their value nodes the same way.
        So a report triple ``s p o`` is read from ``s`` (and from ``o`` when ``p`` is read
        backwards or names targets by object), and whatever reads a reached node is reached.
        """
        reached = set(extra.spo)
        backwards = self.inverse | self.object_targets
        for p, by_object in extra.pos.items():
            if self.complex_inverse or p in backwards:
                reached.update(o for o in by_object if not isinstance(o, Literal))
        frontier = list(reached)
        parts = (self.shared, extra)
        while frontier:
            node = frontier.pop()
            for part in parts:
                readers = set(part.osp.get(node, ()))  # m p node: m reads node forward
                by_p = part.spo.get(node, {})
                for p in (by_p if self.complex_inverse else self.inverse & by_p.keys()):
                    readers.update(by_p[p])  # node p m: m reads node backward along p
                for m in readers - reached:
                    if not isinstance(m, Literal):
                        reached.add(m)
                        frontier.append(m)
        return reached

    def _run(self, data: Graph, skip: frozenset) -> tuple[bool, list]:
        """Every shape on its focus nodes except ``skip``, as pyshacl's Validator.run does."""
        from pyshacl.graph_abstraction import DataGraph
        from pyshacl.pytypes import SHACLExecutor

        target = DataGraph.from_rdflib(data)
        executor = SHACLExecutor(allow_infos=True, allow_warnings=True)
        conforms, results, skipped = True, [], 0
        for shape in self.shapes:
            if shape.deactivated:
                continue
            focus = list(shape.focus_nodes(target))
            kept = [n for n in focus if n not in skip]
            skipped += len(focus) - len(kept)
            if not kept:
                continue
            ok, found = shape.validate(executor, target, focus=kept)
            conforms = conforms and ok
            results.extend(found)
        self.skipped = skipped
        return conforms, results
