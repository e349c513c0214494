"""The one per-app state object, made in the factory and shared by every blueprint.

Answers derived from the store (descriptions, labels, the topic–SDG projection, pictures)
are cached per store version: a published version never changes, so a cached answer is right
until ``esgkg build`` publishes a new one, and then the key changes. In remote mode there is
no version to read: descriptions are not cached (ETags come from the content), and the
projection and pictures are refreshed every few minutes.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Hashable, Iterable, Mapping

from cachetools import LRUCache
from flask import current_app

from esgkg.graph import kpi_values, named_queries, plots
from esgkg.graph.disjoint_graphs import scopes_reports
from esgkg.graph.derived import KEPT_ANSWERS, KPI_VALUES, kept, read_answer, read_kpi_choices
from esgkg.graph.dumps import DumpCache, DumpFile, Limits, Preparing
from esgkg.graph.errors import QueryError, StoreError
from esgkg.graph.namespaces import Iris
from esgkg.graph.search_index import SEARCH_INDEX
from esgkg.graph.projection import Projection, build_projection, report_names, report_query
from esgkg.graph.store import StoreRoot
from esgkg.graph.traversal import restrict

from .backends import Backend
from .backends.sparql import BackendSparql
from .config import Config

REMOTE_VERSION_SECONDS = 300  # a remote engine has no version we can read: refresh this often
# A question stopped by a limit of the service (a whole-store projection, count or answer) is
# not asked again for this long: each try costs the whole limit, on every visit of the page.
BEYOND_LIMITS_SECONDS = 600


@dataclass(frozen=True)
class Version:
    """The published store version: its id (ETag stem) and when it was published."""

    id: str
    published: datetime


class VersionedCache:
    """Values by (store version, key), least recently used dropped first. Thread-safe; the
    value is computed outside the lock, so a slow computation does not block readers."""

    def __init__(self, size: int) -> None:
        self._items: LRUCache = LRUCache(maxsize=size)
        self._lock = threading.Lock()
        self.computed = 0  # how many values were computed (tests check the cache with it)

    def get(self, version: str | None, key: Hashable, compute: Callable[[], Any]) -> Any:
        """``compute()`` once per (version, key); always computed anew without a version."""
        if version is None:
            return compute()
        with self._lock:
            try:
                return self._items[(version, key)]
            except KeyError:
                pass
        value = compute()
        with self._lock:
            self.computed += 1
            self._items[(version, key)] = value
        return value

    def drop(self, version: str, key: Hashable) -> None:
        """Forget one value (the next ``get`` computes it again)."""
        with self._lock:
            self._items.pop((version, key), None)

    def get_within_limits(self, version: str | None, key: Hashable, compute: Callable[[], Any]) -> Any:
        """As :meth:`get`, and a QueryError of a service limit (time, rows) is kept too, for
        BEYOND_LIMITS_SECONDS: every try costs the whole limit, and a page that asks the whole
        store the same question on every visit would spend it on each one."""
        def kept() -> Any:
            try:
                return compute()
            except QueryError as exc:
                if not exc.limited:
                    raise
                return _Beyond(exc, time.monotonic())

        found = self.get(version, key, kept)
        if isinstance(found, _Beyond):
            if time.monotonic() - found.when > BEYOND_LIMITS_SECONDS:
                self.drop(version, key)  # type: ignore[arg-type]
            raise QueryError(found.error.message, found.error.status, limited=True)
        return found


@dataclass(frozen=True)
class _Beyond:
    """What a cache keeps for a question a limit stopped: the refusal and when it came."""

    error: QueryError
    when: float


class State:
    """What the blueprints share: configuration, backend, IRIs, caches and dumps."""

    def __init__(self, config: Config, backend: Backend) -> None:
        self.config = config
        self.backend = backend
        self.sparql = BackendSparql(backend)
        self.iris = Iris(config.base_iri)
        self.root = None if config.remote else StoreRoot(config.store)
        self.descriptions = VersionedCache(4096)
        self.projections = VersionedCache(64)  # the whole store's, and one per report asked
        self.pictures = VersionedCache(64)
        self.answers = VersionedCache(256)
        self.dumps = (DumpCache(self._dumps_dir(self.root), limits=Limits(config.dumps_memory, config.dumps_cpu))
                      if self.root is not None else None)

    def _dumps_dir(self, root: StoreRoot) -> Path:
        # Configured; else next to the store when we may write there; else a per-store
        # folder in the temp dir.
        if self.config.dumps_dir:
            return Path(self.config.dumps_dir)
        beside = root.root / "dumps"
        try:
            beside.mkdir(parents=True, exist_ok=True)
            if os.access(beside, os.W_OK):
                return beside
        except OSError:
            pass
        digest = hashlib.sha256(str(root.root.resolve()).encode()).hexdigest()[:12]
        return Path(tempfile.gettempdir()) / f"esgkg-dumps-{digest}"

    def version(self) -> Version | None:
        """The currently published version (None in remote mode or without a store)."""
        if self.root is None:
            return None
        try:
            info = self.root.current()
        except StoreError:
            return None
        meta_file = info.path.parent / f"{info.version}.json"
        published = datetime.fromtimestamp(meta_file.stat().st_mtime, tz=timezone.utc)
        return Version(info.version, published)

    def scopes_reports(self) -> bool:
        """Whether named queries asked about one report may read its graphs only (the
        published version's layout; remote engines are loaded from current builds)."""
        if self.root is None:
            return True
        try:
            return scopes_reports(self.root.current().meta)
        except StoreError:
            return True  # nothing to read: the query fails on its own terms

    def data_version(self) -> str:
        """A key that changes whenever the data may have: the store version, or (remote) a
        time bucket of REMOTE_VERSION_SECONDS."""
        if self.root is None:
            return f"remote:{self.config.store}:{int(time.time() // REMOTE_VERSION_SECONDS)}"
        return self.root.current().version

    def projection(self, report: str | None = None) -> Projection:
        """The topic–SDG projection of the current data, built once per version: of the whole
        store, or of one report's graphs (``report``, where the layout keeps them disjoint;
        it costs what that report costs, however many the store holds).

        A whole store beyond the service's limits raises QueryError (``limited``), and that
        outcome is kept for BEYOND_LIMITS_SECONDS rather than spending the limit on every request.
        """
        version = self.data_version()
        esg = str(self.iris.esg)
        query = self.sparql.select
        if report and self.scopes_reports():
            query = report_query(query, report, self.iris.base)
        else:
            report = None
        return self.projections.get_within_limits(version, (esg, report),
                                                  lambda: build_projection(query, version, esg))

    def report_names(self) -> dict[str, str]:
        """Every report of the current data: id -> "Company year" (once per version)."""
        return self.answers.get(self.data_version(), "report-names",
                                lambda: report_names(self.sparql.select, str(self.iris.esg)))

    def rows(self, name: str, params: Mapping[str, str] | None = None) -> list[dict[str, str]]:
        """A named query's answer as rows of plain values (a column left out where unbound),
        computed once per data version and parameters: pages that summarise the store ask the
        same questions on every request (a refusal by a limit is kept too, for a while)."""
        given = dict(params or {})
        query = named_queries.get(name, base=self.iris.base)

        def compute() -> list[dict[str, str]]:
            table = named_queries.run(query, self.sparql.select, given, self.scopes_reports())
            return [{k: v["value"] for k, v in r.items()} for r in table.rows]

        kept = self._kept(("answer", name), lambda root, v: read_answer(root, v, name)) \
            if not given and name in KEPT_ANSWERS else None
        if kept is not None:  # the same query's answer, run by the writer without the limits
            return kept
        return self._within_limits((name, tuple(sorted(given.items()))), compute,
                                   keepable=not given and name in KEPT_ANSWERS)

    def kpi_choices(self, report: str | None = None) -> list[plots.KpiChoice]:
        """The HKEX KPIs that have values (the chooser of /compare), once per version: over
        every report from the writer's kept file where it has one (counting them inline reads
        every stated value of the store), else as :meth:`rows` asks."""
        kept = self._kept(("kpi-choices",), read_kpi_choices) if report is None else None
        if kept is not None:
            return kept
        return self._within_limits(("kpi-choices", report), lambda: plots.kpi_choices(
            self.sparql.select, report, base=self.iris.base), keepable=report is None)

    def kpi_comparison(self, kpi: str, report: str | None = None) -> plots.Comparison:
        """One KPI across companies (graph/plots_compare.py), an HKEX KPI over every report read
        from the writer's kept values where it has them."""
        return plots.kpi_comparison(self.sparql.select, kpi, report, base=self.iris.base, kept=self.kept_kpi_rows)

    def kept_kpi_rows(self, provision: str) -> list[dict[str, str]] | None:
        """The kept kpi-across-companies rows of an HKEX provision over every report, or None
        while the writer has not kept them (graph/kpi_values.py). Read from the file on each
        call (tens of ms for 10^4 rows), not cached: forty KPIs of 1,000 reports would hold
        hundreds of MB in each serving process."""
        version = self.version() if self.dumps is not None else None
        if version is None or self.dumps is None or not kept(self.dumps.root, version.id, KPI_VALUES):
            return None
        return kpi_values.rows(self.dumps.root / f"{version.id}.{KPI_VALUES}", provision)

    def _within_limits(self, key: Hashable, compute: Callable[[], Any], keepable: bool) -> Any:
        """``compute()`` once per data version within the service's limits; past a limit, a
        ``keepable`` answer (one the downloads' writer keeps, graph/derived.py) has its writer
        started, so that a later visit finds it kept."""
        try:
            return self.answers.get_within_limits(self.data_version(), key, compute)
        except QueryError as exc:
            if exc.limited and keepable and self.version() is not None and self.dumps:
                self.dump_files(self.version(), wait=0)
            raise

    def _kept(self, key: tuple, read: Callable[[Path, str], Any]) -> Any:
        """What the downloads' writer kept for this version (``read(cache root, version id)``),
        or None while it has not."""
        version = self.version() if self.dumps is not None else None
        if version is None or self.dumps is None:
            return None
        found = self.answers.get(version.id, ("\0kept", *key), lambda: read(self.dumps.root, version.id))
        if found is None:
            self.answers.drop(version.id, ("\0kept", *key))  # not written yet: look again next time
        return found

    def picture(self, kind: str, fmt: str, report: str | None = None, metric: str | None = None,
                part: tuple[Hashable, Callable[[], Iterable[str]]] | None = None) -> bytes:
        """A rendered picture of the current data (once per version and parameters).

        ``part`` draws only some topics and goals: (a key naming the part, e.g. a named
        query's parameters, and a function giving their IRIs, called only on a cache miss).
        """
        # A comparison reads its own rows: it needs no projection (of a whole store, that may
        # be beyond the limits where the comparison is not).
        projection = None if kind == "compare" else self.projection(report)
        key = (kind, fmt, report or "", metric or "", plots.cjk_font() or "", part[0] if part else None)

        def draw() -> bytes:
            shown = restrict(projection, part[1]()) if part and projection else projection
            return plots.render(kind, fmt, shown, self.sparql.select, report, metric, kept=self.kept_kpi_rows)

        return self.pictures.get(projection.version if projection else self.data_version(), key, draw)

    def dump_files(self, version: Version, wait: float | None = None) -> list[DumpFile] | Preparing:
        """The dumps of ``version``, written by a process of their own on first use; after
        ``wait`` seconds (default: the query time limit, the longest a request holds a thread
        here) without them, how far that process is, or why it failed."""
        if self.dumps is None or self.root is None:
            raise StoreError("dumps are made from the embedded store; this service answers from a remote engine")
        wait = self.config.query_timeout if wait is None else wait
        return self.dumps.ensure(version.id, self.root.root.resolve(), self.iris, wait)

    def search_index(self) -> Path | None:
        """The current version's search index, once its writer has made it (graph/search_index.py)."""
        version = self.version() if self.dumps is not None else None
        if version is None or self.dumps is None:
            return None
        return self.dumps.root / f"{version.id}.{SEARCH_INDEX}" if kept(self.dumps.root, version.id, SEARCH_INDEX) else None

    def close(self) -> None:
        """Stop the backend's workers and the downloads' writers this process started (the
        factory registers this at exit)."""
        self.backend.close()
        if self.dumps is not None:
            self.dumps.close()


def current_state() -> State:
    """The state of the app handling the current request."""
    return current_app.extensions["esgkg"]
