"""Build the dataset (ontology + reference + one graph per report) into the on-disk store."""
from __future__ import annotations

import hashlib
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Protocol

import pyoxigraph
from rdflib import Graph, URIRef

from . import __version__ as esgkg_version
from .errors import SourceError, SourceErrors
from .mapping import iter_sorted_nquads, map_reference, map_report
from .namespaces import DEFAULT_BASE, Iris
from .reference import Reference, load_reference, package_dir, reports_dir
from .sources import ReportSource, load_report
from .store import StoreInfo, StoreRoot


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
    nquads: list[str] = field(default_factory=list)

    @property
    def version(self) -> str:
        return hashlib.sha256("\n".join(self.nquads).encode("utf-8")).hexdigest()[:16]

    def nquads_bytes(self) -> bytes:
        return ("\n".join(self.nquads) + "\n").encode("utf-8")


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


def assemble(reports_root: Path | None = None, reference_root: Path | None = None,
             iris: Iris | None = None, progress: Progress | None = None) -> Dataset:
    """Read, check and map everything into named graphs. Raises SourceErrors on bad input."""
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
    graphs: list[tuple[URIRef, Graph]] = [
        (iris.graph("ontology"), load_turtle_with_base(ontology_file("esg.ttl"), iris)),
        (iris.graph("reference"), map_reference(ref, iris)),
    ]
    shapes = ontology_file("shapes.ttl")
    if shapes.exists():
        graphs.append((iris.graph("shapes"), load_turtle_with_base(shapes, iris)))
    for source in sources:
        progress.step(f"mapping report {source.id}")
        graphs.append((iris.report_graph(source.id), map_report(source, ref, iris)))
    progress.step("serialising canonical N-Quads")
    dataset = Dataset(iris=iris, graphs=graphs, reports=sources)
    dataset.nquads = iter_sorted_nquads(graphs)
    return dataset


Validator = Callable[[Dataset], None]


def build(store_root: StoreRoot, reports_root: Path | None = None, reference_root: Path | None = None,
          iris: Iris | None = None, progress: Progress | None = None,
          validate: Validator | None = None) -> StoreInfo:
    """Assemble, optionally validate, and publish a new store version atomically.

    Nothing is published unless every step succeeds: a failure at any point leaves the
    previously published version in place and serving.
    """
    progress = progress or _Silent()
    started = time.monotonic()
    dataset = assemble(reports_root, reference_root, iris, progress)
    if validate is not None:
        progress.step("validating with SHACL shapes")
        validate(dataset)
    version = dataset.version
    staging = store_root.staging_dir(version)
    progress.step(f"loading {len(dataset.nquads)} quads into the store")
    try:
        store = pyoxigraph.Store(str(staging))
        store.bulk_load(dataset.nquads_bytes(), format=pyoxigraph.RdfFormat.N_QUADS)
        store.flush()
        store.optimize()
        del store
        meta = {
            "version": version,
            "quads": len(dataset.nquads),
            "graphs": [str(name) for name, _ in dataset.graphs],
            "reports": [s.id for s in dataset.reports],
            "base": dataset.iris.base,
            "esgkg": esgkg_version,
            "build_seconds": round(time.monotonic() - started, 3),
        }
        progress.step("publishing")
        return store_root.publish(staging, version, meta)
    except BaseException:
        import shutil

        shutil.rmtree(staging, ignore_errors=True)
        raise
