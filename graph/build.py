"""Build the dataset (ontology + reference + one graph per report) into the on-disk store."""
from __future__ import annotations

import multiprocessing
import os
import queue as queue_module
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Protocol

from rdflib import Graph, URIRef

from . import __version__ as esgkg_version
from .build_cache import BuildCache, Chunk, common_key, derived_key, report_key
from .build_load import LOAD_FORMAT, load_chunks
from .build_worker import HEAD_LABEL, ReportJob, init_worker, label_scope, run_in_worker
from .errors import SourceError, SourceErrors
from .disjoint_graphs import DISJOINT, LAYOUT, disjoint_in_order, drop_shared, shared_triples
from .mapping import graph_nquads, map_report
from .mapping_reference import map_reference
from .namespaces import DEFAULT_BASE, Iris
from .reference import Reference, load_reference, package_dir, reference_dir, reports_dir
from .sources import ReportSource, load_report
from .store import StoreInfo, StoreRoot

if TYPE_CHECKING:  # pragma: no cover
    from .validation import ValidationOutcome


class Progress(Protocol):
    """What the build reports progress to (the CLI passes a rich display)."""

    def step(self, description: str) -> None: ...


class _Silent:
    def step(self, description: str) -> None:
        pass


@dataclass
class Dataset:
    """The built dataset in memory: named graphs and their canonical N-Quads."""

    iris: Iris
    graphs: list[tuple[URIRef, Graph]]
    reports: list[ReportSource]


def ontology_file(name: str) -> Path:
    return package_dir("ontology") / name


def load_turtle_with_base(path: Path, iris: Iris) -> Graph:
    """Parse a project Turtle file, re-basing its IRIs when the deployment has its own base."""
    text = path.read_text(encoding="utf-8")
    if iris.base != DEFAULT_BASE:
        text = text.replace(DEFAULT_BASE, iris.base)
    g = Graph()
    try:
        g.parse(data=text, format="turtle", publicID=str(iris.ontology))
    except Exception as exc:  # rdflib's parser errors have no common base class
        raise SourceErrors([SourceError(str(path), getattr(exc, "lines", None), f"cannot parse Turtle: {exc}")]) from exc
    return g


def discover_reports(root: Path) -> list[Path]:
    """Every folder under ``root`` that is a report (has any file); sorted for determinism."""
    if not root.is_dir():
        raise SourceErrors([SourceError(str(root), None, "reports folder does not exist")])
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))


@dataclass
class Prepared:
    """Everything checked and ready to map: reference data, sources, the shared graphs."""

    iris: Iris
    ref: Reference
    sources: list[ReportSource]
    common: list[tuple[URIRef, Graph]]


def prepare(reports_root: Path | None = None, reference_root: Path | None = None,
            iris: Iris | None = None, progress: Progress | None = None) -> Prepared:
    """Read and check every source (all problems at once), and map the shared graphs."""
    iris = iris or Iris()
    progress = progress or _Silent()
    reports_root = reports_root or reports_dir()
    progress.step("reading reference data")
    ref: Reference = load_reference(reference_root)
    errors: list[SourceError] = []
    sources: list[ReportSource] = []
    for folder in discover_reports(reports_root):
        progress.step(f"reading report {folder.name}")
        try:
            sources.append(load_report(folder, ref, display_root=reports_root.parent))
        except SourceErrors as exc:
            errors.extend(exc.errors)
    if errors:
        raise SourceErrors(errors)
    progress.step("mapping ontology and reference data")
    return Prepared(iris=iris, ref=ref, sources=sources, common=common_graphs(ref, iris))


def ontology_inputs() -> list[Path]:
    """The project files the shared graphs are made from (the ontology, and the shapes if any)."""
    return [p for p in (ontology_file("esg.ttl"), ontology_file("shapes.ttl")) if p.exists()]


def common_graphs(ref: Reference, iris: Iris) -> list[tuple[URIRef, Graph]]:
    """The graphs every report is published and validated with: ontology, reference, shapes."""
    common: list[tuple[URIRef, Graph]] = [
        (iris.graph("ontology"), load_turtle_with_base(ontology_file("esg.ttl"), iris)),
        (iris.graph("reference"), map_reference(ref, iris)),
    ]
    shapes = ontology_file("shapes.ttl")
    if shapes.exists():
        common.append((iris.graph("shapes"), load_turtle_with_base(shapes, iris)))
    disjoint_in_order([g for _, g in common])  # a triple is in one of them (graph/disjoint_graphs.py)
    return common


def report_graphs(prepared: Prepared, progress: Progress | None = None) -> Iterator[tuple[URIRef, Graph]]:
    """Map the reports one at a time, so a build never holds more than one in memory."""
    progress = progress or _Silent()
    shared = shared_triples([g for _, g in prepared.common])
    for source in prepared.sources:
        progress.step(f"mapping report {source.id}")
        graph = map_report(source, prepared.ref, prepared.iris)
        drop_shared(graph, shared)  # the shared graphs hold those (graph/disjoint_graphs.py)
        yield prepared.iris.report_graph(source.id), graph


def assemble(reports_root: Path | None = None, reference_root: Path | None = None,
             iris: Iris | None = None, progress: Progress | None = None) -> Dataset:
    """Everything in memory as named graphs (for tests and small tools; `build` streams)."""
    prepared = prepare(reports_root, reference_root, iris, progress)
    graphs = [*prepared.common, *report_graphs(prepared, progress)]
    return Dataset(iris=prepared.iris, graphs=graphs, reports=prepared.sources)




class ReportValidator(Protocol):
    """What a build asks for a verdict once every report is validated (validation.BuildValidator)."""

    def decide(self, outcome: "ValidationOutcome") -> None:
        """Raise (e.g. ValidationFailed) to stop the build before anything is published."""


def default_jobs() -> int:
    """One worker per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


@dataclass
class _Plan:
    """What one build works from: the shared graphs, the cache, every report folder's key."""

    iris: Iris
    ref: Reference
    common: list[tuple[URIRef, Graph]]
    cache: BuildCache
    common_key: str
    keys: dict[Path, str]
    reference_root: Path
    display_root: Path
    validate: bool

    def job(self) -> ReportJob:
        return ReportJob(self.ref, self.common, self.iris, self.validate, self.cache, self.display_root)


def build(store_root: StoreRoot, reports_root: Path | None = None, reference_root: Path | None = None,
          iris: Iris | None = None, progress: Progress | None = None,
          validate: ReportValidator | None = None, jobs: int | None = None) -> StoreInfo:
    """Check, map, optionally validate, and publish a new store version atomically.

    Each report is read, mapped and validated on its own, in a pool of ``jobs`` processes
    (default: one per core), into a cache entry keyed on the content of the report folder
    and of everything its graph depends on (``graph/build_cache.py``); an unchanged report
    reuses its entry. The new version is the previous one with the changed graphs swapped
    when few changed, else a bulk load of every chunk. Nothing is published unless every
    step succeeds: a failure at any point leaves the published version in place and serving.
    """
    progress = progress or _Silent()
    started = time.monotonic()
    plan = _plan(store_root, reports_root or reports_dir(), reference_root or reference_dir(),
                 iris or Iris(), validate is not None, progress)
    entries = _report_entries(plan, jobs or default_jobs(), progress)
    chunks = _common_chunks(plan) + [Chunk.from_json(c) for e in entries for c in e["chunks"] if not c[4]]
    if validate is not None and entries:
        outcome = _outcome(entries)
        validate.decide(outcome)
        chunks += [_head_chunk(plan, outcome.conforms)]
        chunks += [Chunk.from_json(c) for e in entries for c in e["chunks"] if c[4]]
    loaded = load_chunks(store_root, plan.cache, chunks, plan.iris.base, progress)
    if loaded.staging is None:
        return store_root.current()
    meta = {
        "version": loaded.version, "quads": sum(c.quads for c in chunks),
        "graphs": list(dict.fromkeys(c.graph for c in chunks)),
        "reports": [e["report"] for e in entries], "base": plan.iris.base, "esgkg": esgkg_version,
        "build_seconds": round(time.monotonic() - started, 3), "loaded": loaded.how,
        "load_format": LOAD_FORMAT, "reports_reused": sum(1 for e in entries if not e.get("fresh")),
        "disjoint_graphs": DISJOINT, "graph_layout": LAYOUT,
    }
    try:
        progress.step("publishing")
        info = store_root.publish(loaded.staging, loaded.version, meta,
                                  manifest=[c.to_json() for c in chunks], union=loaded.union)
    finally:
        loaded.discard()  # gone already when published
    store_root.prune_cache()
    return info


def _plan(store_root: StoreRoot, reports_root: Path, reference_root: Path, iris: Iris,
          validate: bool, progress: Progress) -> _Plan:
    progress.step("reading reference data")
    ref = load_reference(reference_root)
    progress.step("mapping ontology and reference data")
    common = common_graphs(ref, iris)
    folders = discover_reports(reports_root)
    progress.step(f"hashing {len(folders)} report folder(s) and what their graphs depend on")
    ckey = common_key(reference_root, ontology_inputs(), iris, validate)
    keys = {folder: report_key(ckey, folder) for folder in folders}
    return _Plan(iris, ref, common, BuildCache(store_root.cache), ckey, keys, reference_root,
                 reports_root.parent, validate)


def _common_chunks(plan: _Plan) -> list[Chunk]:
    """The ontology, reference and shapes graphs as chunks (cached like reports)."""
    chunks = []
    for name, graph in plan.common:
        key = derived_key(plan.common_key, str(name))
        entry = plan.cache.entry(key)
        if entry is None:
            chunk = plan.cache.write_chunk(key, "data", str(name), graph_nquads(name, graph, label_scope(str(name))))
            entry = plan.cache.write_entry(key, {"graph": str(name), "chunks": [chunk.to_json()]})
        chunks.append(Chunk.from_json(entry["chunks"][0]))
    return chunks


def _head_chunk(plan: _Plan, conforms: bool) -> Chunk:
    """The dataset's one sh:ValidationReport node: its type and overall sh:conforms."""
    graph = str(plan.iris.graph("validation"))
    key = derived_key(plan.common_key, "validation-report", str(conforms))
    entry = plan.cache.entry(key)
    if entry is None:
        sh = "http://www.w3.org/ns/shacl#"
        lines = [f"{HEAD_LABEL} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{sh}ValidationReport> <{graph}> .",
                 f'{HEAD_LABEL} <{sh}conforms> "{str(conforms).lower()}"'
                 f"^^<http://www.w3.org/2001/XMLSchema#boolean> <{graph}> ."]
        chunk = plan.cache.write_chunk(key, "head", graph, lines, shared=True)
        entry = plan.cache.write_entry(key, {"graph": graph, "chunks": [chunk.to_json()]})
    return Chunk.from_json(entry["chunks"][0])


def _outcome(entries: list[dict]) -> "ValidationOutcome":
    """Every report's validation records as one outcome, for the verdict."""
    from .validation import ResultRecord, ValidationOutcome

    records = [ResultRecord(**r) for e in entries for r in (e.get("records") or [])]
    timings: dict[str, float] = {}
    for entry in entries:
        for step, seconds in (entry.get("timings") or {}).items():
            timings[step] = timings.get(step, 0.0) + seconds
    return ValidationOutcome(report=Graph(), records=records, timings=timings)


def _report_entries(plan: _Plan, jobs: int, progress: Progress) -> list[dict]:
    """Every report's cache entry, in folder order: reused, or made in a pool of workers."""
    entries = {folder: plan.cache.entry(key) for folder, key in plan.keys.items()}
    todo = [folder for folder, entry in entries.items() if entry is None]
    progress.step(f"reading report sources: {len(entries)} report(s), "
                  f"{len(entries) - len(todo)} unchanged since an earlier build")
    if len(todo) <= 1 or jobs <= 1:
        job = plan.job()
        made = {folder: job.run(folder, plan.keys[folder], progress.step) for folder in todo}
    else:
        made = _in_pool(plan, todo, jobs, progress)
    errors = [SourceError(*e) for folder in todo for e in made[folder].get("errors", [])]
    if errors:
        raise SourceErrors(errors)
    for folder in todo:
        entries[folder] = {**made[folder], "fresh": True}
    return [entries[folder] for folder in plan.keys]  # type: ignore[misc]


#: A worker is replaced after this many reports: its memory grows by a few MB per report
#: (allocator fragmentation, library caches), which at 1,000 reports would pass the 4 GB
#: budget; a fresh worker costs one initialisation (~2 CPU s), i.e. ~4% at this value.
WORKER_TASKS = 50


def _in_pool(plan: _Plan, todo: list[Path], jobs: int, progress: Progress) -> dict[Path, dict]:
    """Run the reports in ``todo`` in worker processes, a fresh pool for every ``WORKER_TASKS``
    reports per worker, so that no worker lives longer.

    Not ``ProcessPoolExecutor(max_tasks_per_child=...)``: on Python 3.11.7 a 1,000-report build
    hung after the workers' second replacement, the executor waiting with no worker process
    left (seen here, 2026-12-02)."""
    context = multiprocessing.get_context("spawn")  # no fork: the caller may run threads
    lines = context.Queue()
    made: dict[Path, dict] = {}
    batch = max(1, jobs * WORKER_TASKS)
    for start in range(0, len(todo), batch):
        made.update(_one_pool(plan, todo[start:start + batch], jobs, context, lines, progress,
                              done_before=len(made), total=len(todo)))
    return made


def _one_pool(plan: _Plan, todo: list[Path], jobs: int, context, lines, progress: Progress, *,
              done_before: int, total: int) -> dict[Path, dict]:
    """One pool of workers over ``todo``; their progress lines come back by queue."""
    pool = ProcessPoolExecutor(min(jobs, len(todo)), mp_context=context, initializer=init_worker,
                               initargs=(plan.reference_root, plan.iris.base, plan.validate,
                                         plan.cache.root, plan.display_root, lines))
    made: dict[Path, dict] = {}
    pending: dict[Future, Path] = {}
    try:
        pending.update({pool.submit(run_in_worker, f, plan.keys[f]): f for f in todo})
        while pending:
            finished, _ = wait(pending, timeout=0.25, return_when=FIRST_COMPLETED)
            _drain(lines, progress)
            for future in finished:
                folder = pending.pop(future)
                made[folder] = future.result()
                progress.step(f"report {folder.name} done ({done_before + len(made)}/{total})")
    finally:
        pool.shutdown(wait=not pending, cancel_futures=True)
    _drain(lines, progress)
    return made


def _drain(lines, progress: Progress) -> None:
    while True:
        try:
            progress.step(lines.get_nowait())
        except queue_module.Empty:
            return
