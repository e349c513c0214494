"""One report's share of a build: read, map, validate, write its cache entry.

Reports are independent until the merge, so a build runs this for each report whose entry
is not cached, in a pool of processes (one per core) or in the build's own process when
only one report needs work. A worker holds one report's graphs at a time and hands back
only the small entry (digests, counts, validation records), so memory does not grow with
the number of reports.
"""
from __future__ import annotations

import ctypes
import hashlib
import multiprocessing
import os
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from .build_cache import BuildCache
from .errors import SourceErrors
from .disjoint_graphs import drop_shared, shared_triples
from .mapping import graph_nquads, map_report
from .namespaces import SH, Iris
from .reference import Reference
from .sources import load_report

if TYPE_CHECKING:  # pragma: no cover
    from .validation import ReportValidation

#: Stands for the one sh:ValidationReport node while a report's findings are written; the
#: written lines name it ``_:validation`` instead, in every report's chunk alike.
_HEAD = URIRef("urn:esgkg:build:validation-report")
HEAD_LABEL = "_:validation"


def label_scope(graph: str) -> str:
    """A blank-node label prefix owned by one graph, independent of its position."""
    return "s" + hashlib.sha256(graph.encode("utf-8")).hexdigest()[:12]


def findings_lines(findings: Graph, validation_graph: URIRef, scope: str) -> list[str]:
    """A report's sh:ValidationReport as lines of the dataset's one validation report.

    The report node's own type and sh:conforms are left out (the build writes them once
    for all reports); its sh:result links hang on the shared ``_:validation`` node.
    """
    heads = set(findings.subjects(RDF.type, SH.ValidationReport))
    body = Graph()
    for s, p, o in findings:
        if s in heads:
            if p == SH.result:
                body.add((_HEAD, p, o))
        else:
            body.add((s, p, o))
    return [line.replace(f"<{_HEAD}>", HEAD_LABEL, 1) for line in graph_nquads(validation_graph, body, scope)]


@dataclass
class ReportJob:
    """What a worker needs to turn a report folder into a cache entry."""

    ref: Reference
    common: list[tuple[URIRef, Graph]]
    iris: Iris
    validate: bool
    cache: BuildCache
    display_root: Path
    #: The shared graphs made ready for validation once, on the first report that needs them.
    _validation: "ReportValidation | None" = field(default=None, init=False, repr=False)
    _shared: frozenset | None = field(default=None, init=False, repr=False)

    def shared_triples(self) -> frozenset:
        """The shared graphs' triples, gathered once per job (per worker process)."""
        if self._shared is None:
            self._shared = shared_triples([g for _, g in self.common])
        return self._shared

    def shapes(self) -> Graph | None:
        name = self.iris.graph("shapes")
        return next((g for n, g in self.common if n == name), None)

    def validation(self, shapes: Graph) -> "ReportValidation":
        """The shared graphs read for validation once per job (per worker process)."""
        if self._validation is None:
            from .validation import ReportValidation

            self._validation = ReportValidation((g for _, g in self.common), shapes, self.iris)
        return self._validation

    def run(self, folder: Path, key: str, say: Callable[[str], None]) -> dict:
        """The entry for ``folder`` (written to the cache), or ``{"errors": [...]}``."""
        started = time.monotonic()
        say(f"reading report {folder.name}")
        try:
            source = load_report(folder, self.ref, display_root=self.display_root)
        except SourceErrors as exc:
            return {"report": folder.name, "errors": [(e.file, e.line, e.problem) for e in exc.errors]}
        say(f"mapping report {source.id}")
        name = self.iris.report_graph(source.id)
        graph = map_report(source, self.ref, self.iris)
        drop_shared(graph, self.shared_triples())  # the shared graphs hold those (graph/disjoint_graphs.py)
        chunks = [self.cache.write_chunk(key, "data", str(name), graph_nquads(name, graph, label_scope(str(name))))]
        meta: dict = {"report": source.id, "graph": str(name), "records": None, "timings": {}}
        shapes = self.shapes() if self.validate else None
        if shapes is not None:
            say(f"validating {source.id} with SHACL shapes")
            outcome = self.validation(shapes).validate(graph)
            # One findings graph per report, so that a query about one report reads its own
            # findings only (docs/decisions.md §32); they hang on the one `_:validation` node.
            findings = self.iris.validation_graph(source.id)
            lines = findings_lines(outcome.report, findings, label_scope(str(name) + "#findings"))
            chunks.append(self.cache.write_chunk(key, "findings", str(findings), lines, shared=True))
            meta["records"] = [r.to_json() for r in outcome.records]
            meta["timings"] = outcome.timings
        meta["chunks"] = [c.to_json() for c in chunks]
        meta["seconds"] = round(time.monotonic() - started, 3)
        return self.cache.write_entry(key, meta)


# ---------------------------------------------------------------- the pool's side

_JOB: ReportJob | None = None
_QUEUE = None


def die_with_parent() -> None:
    """Linux: a worker whose build was killed is killed too, instead of working for no one.

    The kernel only signals a death after this call: a build killed while its workers were
    still starting would leave them waiting forever on the pool's queue (each holds both ends
    of its pipe, so no end-of-file comes), so a parent that is gone already ends the worker here.
    """
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    parent = multiprocessing.parent_process()
    if parent is not None and os.getppid() != parent.pid:
        os._exit(1)


def init_worker(reference_root: Path, base: str, validate: bool, cache_root: Path,
                display_root: Path, queue) -> None:
    """Pool initializer: load the reference data and shared graphs once per worker."""
    global _JOB, _QUEUE
    die_with_parent()
    from .build import common_graphs
    from .reference import load_reference

    iris = Iris(base)
    ref = load_reference(reference_root)
    _JOB = ReportJob(ref, common_graphs(ref, iris), iris, validate, BuildCache(cache_root), display_root)
    _QUEUE = queue


def run_in_worker(folder: Path, key: str) -> dict:
    """Pool task: one report; progress lines go back to the build through the queue."""
    assert _JOB is not None, "init_worker did not run"
    return _JOB.run(folder, key, _QUEUE.put if _QUEUE is not None else (lambda _: None))
