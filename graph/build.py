"""Build the dataset (ontology + reference + one graph per report) into the on-disk store."""
from __future__ import annotations

import hashlib
import heapq
import itertools
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Protocol

import pyoxigraph
from rdflib import Graph, URIRef

from . import __version__ as esgkg_version
from .errors import SourceError, SourceErrors
from .mapping import graph_nquads, map_reference, map_report
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
        """The same digest `build` computes: of the canonical N-Quads, one line each."""
        digest = hashlib.sha256()
        for line in self.nquads:
            digest.update(f"{line}\n".encode("utf-8"))
        return _version(digest)

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
    common: list[tuple[URIRef, Graph]] = [
        (iris.graph("ontology"), load_turtle_with_base(ontology_file("esg.ttl"), iris)),
        (iris.graph("reference"), map_reference(ref, iris)),
    ]
    shapes = ontology_file("shapes.ttl")
    if shapes.exists():
        common.append((iris.graph("shapes"), load_turtle_with_base(shapes, iris)))
    return Prepared(iris=iris, ref=ref, sources=sources, common=common)


def report_graphs(prepared: Prepared, progress: Progress | None = None) -> Iterator[tuple[URIRef, Graph]]:
    """Map the reports one at a time, so a build never holds more than one in memory."""
    progress = progress or _Silent()
    for source in prepared.sources:
        progress.step(f"mapping report {source.id}")
        yield prepared.iris.report_graph(source.id), map_report(source, prepared.ref, prepared.iris)


def assemble(reports_root: Path | None = None, reference_root: Path | None = None,
             iris: Iris | None = None, progress: Progress | None = None) -> Dataset:
    """Everything in memory as named graphs (for tests and small tools; `build` streams)."""
    prepared = prepare(reports_root, reference_root, iris, progress)
    graphs = [*prepared.common, *report_graphs(prepared, progress)]
    dataset = Dataset(iris=prepared.iris, graphs=graphs, reports=prepared.sources)
    dataset.nquads = sorted(line for i, (name, graph) in enumerate(graphs)
                            for line in graph_nquads(name, graph, i))
    return dataset


class ReportValidator(Protocol):
    """What a build calls to validate each report as it is mapped, then to decide."""

    def check(self, report_id: str, graph: Graph, common: list[tuple[URIRef, Graph]]) -> None: ...

    def finish(self) -> Graph | None:
        """Raise (e.g. ValidationFailed) to stop the build; else the validation report to store."""


def build(store_root: StoreRoot, reports_root: Path | None = None, reference_root: Path | None = None,
          iris: Iris | None = None, progress: Progress | None = None,
          validate: ReportValidator | None = None) -> StoreInfo:
    """Check, map, optionally validate, and publish a new store version atomically.

    Reports are mapped, validated and serialised one at a time into sorted chunk files that
    are merged into the canonical N-Quads, so memory stays bounded by the largest report.
    Nothing is published unless every step succeeds: a failure at any point leaves the
    previously published version in place and serving.
    """
    progress = progress or _Silent()
    started = time.monotonic()
    prepared = prepare(reports_root, reference_root, iris, progress)
    store_root.versions.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".chunks-", dir=store_root.versions) as tmp:
        chunks: list[Path] = []
        graph_names: list[str] = []
        graphs = itertools.chain(prepared.common, report_graphs(prepared, progress))
        for index, (name, graph) in enumerate(graphs):
            if validate is not None and index >= len(prepared.common):
                progress.step(f"validating {name.rsplit('/', 1)[-1]} with SHACL shapes")
                validate.check(str(name).rsplit("/", 1)[-1], graph, prepared.common)
            chunk = Path(tmp) / f"{index:06d}.nq"
            chunk.write_text("".join(f"{line}\n" for line in sorted(graph_nquads(name, graph, index))),
                             encoding="utf-8")
            chunks.append(chunk)
            graph_names.append(str(name))
            del graph
        findings = validate.finish() if validate is not None else None
        if findings is not None:
            # Stored with the data so that SPARQL users see the report's disagreements.
            name = prepared.iris.graph("validation")
            chunk = Path(tmp) / f"{len(chunks):06d}.nq"
            chunk.write_text("".join(f"{line}\n" for line in sorted(graph_nquads(name, findings, len(chunks)))),
                             encoding="utf-8")
            chunks.append(chunk)
            graph_names.append(str(name))
        progress.step("merging canonical N-Quads")
        merged = Path(tmp) / "dataset.nq"
        digest = hashlib.sha256()
        count = 0
        with merged.open("w", encoding="utf-8") as out:
            files = [c.open(encoding="utf-8") for c in chunks]
            try:
                for line in heapq.merge(*files):
                    out.write(line)
                    digest.update(line.encode("utf-8"))
                    count += 1
            finally:
                for f in files:
                    f.close()
        version = _version(digest)
        staging = store_root.staging_dir(version)
        progress.step(f"loading {count} quads into the store")
        try:
            store = pyoxigraph.Store(str(staging))
            store.bulk_load(path=str(merged), format=pyoxigraph.RdfFormat.N_QUADS)
            store.flush()
            store.optimize()
            del store
            meta = {
                "version": version,
                "quads": count,
                "graphs": graph_names,
                "reports": [s.id for s in prepared.sources],
                "base": prepared.iris.base,
                "esgkg": esgkg_version,
                "build_seconds": round(time.monotonic() - started, 3),
            }
            progress.step("publishing")
            return store_root.publish(staging, version, meta)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise


def _version(digest: "hashlib._Hash") -> str:
    return digest.hexdigest()[:16]
