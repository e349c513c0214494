"""A small version is queried from an in-memory copy in each worker, with the disk's answers.

The service's default (``memory_quads`` 0) reads from disk, as the rest of the suite does;
here the two are compared answer for answer, through the worker that
serves every query: every named query (all reports and each report), a CONSTRUCT of blank
nodes (their labels must survive the copy), and the copy must be dropped for a new version.
"""
from __future__ import annotations

import json

import pytest

from engines_support import aggregate_columns
from esgkg.graph.sparql import Table
from esgkg.graph.store import StoreRoot
from esgkg.service.backends.worker import WorkerSpec, _Worker
from test_queries_answers_unchanged import current_answers

JSON = "application/sparql-results+json"
MEMORY_QUADS = 250_000  # the size docs/decisions.md §31 suggests (the default is off)


def _worker(root: StoreRoot, memory_quads: int) -> _Worker:
    spec = WorkerSpec("read", str(root.root), max_rows=100_000, prefixes={}, memory_quads=memory_quads)
    return _Worker(spec, confirm=lambda: True)


def _ask(worker: _Worker, query: str, media_type: str = JSON) -> bytes:
    reply = worker.run({"op": "query", "query": query, "media_type": media_type})
    assert reply.status == 200, reply.body[:300]
    return reply.body


def _select(worker: _Worker):
    def select(query: str) -> Table:
        data = json.loads(_ask(worker, query))
        # SAMPLE may pick any of a group's values (SPARQL 1.1 §18.5.1.8) and picks by storage
        # order: only that it is bound is compared, as in the engines' comparison.
        samples = [v for v, (kind, _) in aggregate_columns(query).items() if kind == "SAMPLE"]
        rows = [{v: ({"type": "bound"} if v in samples else term) for v, term in row.items()}
                for row in data["results"]["bindings"]]
        return Table(data["head"]["vars"], rows)
    return select


@pytest.fixture(scope="module")
def workers(bundled_store: StoreRoot) -> tuple[_Worker, _Worker]:
    return _worker(bundled_store, 0), _worker(bundled_store, MEMORY_QUADS)


def test_a_limit_above_the_store_copies_it_into_memory_and_zero_does_not(workers, bundled_store) -> None:
    on_disk, in_memory = workers
    _ask(on_disk, "ASK { ?s ?p ?o }")
    _ask(in_memory, "ASK { ?s ?p ?o }")
    quads = bundled_store.current().meta["quads"]
    assert 0 < quads <= MEMORY_QUADS
    # A read-only RocksDB store refuses even an empty write; the in-memory copy is a store of its own.
    with pytest.raises(RuntimeError, match="read-write"):
        on_disk.union_store.update("INSERT DATA { }")
    in_memory.union_store.update("INSERT DATA { }")
    assert len(in_memory.union_store) == len(on_disk.union_store)


def test_every_named_query_answers_the_same_from_memory(workers) -> None:
    on_disk, in_memory = workers
    disk = current_answers(_select(on_disk))
    memory = current_answers(_select(in_memory))
    assert disk == memory
    assert sum(len(forms) for forms in disk.values()) > 25  # every query, with its per-report forms


def test_blank_nodes_keep_their_labels_in_the_copy(workers) -> None:
    on_disk, in_memory = workers
    query = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) }"
    disk = sorted(_ask(on_disk, query, "application/n-triples").decode().splitlines())
    memory = sorted(_ask(in_memory, query, "application/n-triples").decode().splitlines())
    assert disk and disk == memory
    assert any(line.startswith("_:") for line in disk)


def test_a_version_over_the_limit_is_queried_from_disk(bundled_store: StoreRoot) -> None:
    quads = bundled_store.current().meta["quads"]
    worker = _worker(bundled_store, quads - 1)
    _ask(worker, "ASK { ?s ?p ?o }")
    with pytest.raises(RuntimeError, match="read-write"):
        worker.union_store.update("INSERT DATA { <urn:x> <urn:y> <urn:z> }")


def test_a_new_version_drops_the_copy(bundled_store: StoreRoot, tmp_path) -> None:
    worker = _worker(bundled_store, MEMORY_QUADS)
    _ask(worker, "ASK { ?s ?p ?o }")
    first = worker.union_store
    first.update("INSERT DATA { }")  # the in-memory copy (a read-only store refuses this)
    worker.version = "an older version"  # as if `current` had moved since this worker opened
    worker.maybe_reopen()
    assert worker.union_store is not first
    worker.union_store.update("INSERT DATA { }")  # a new in-memory copy, made on reopening
    _ask(worker, "ASK { ?s ?p ?o }")


def test_the_pools_own_workers_copy_before_ready_and_burst_workers_read_from_disk(bundled_store) -> None:
    """Workers the pool keeps answer their first query from memory; the ones it adds under load
    start at once from disk (a copy there would take a core from the burst they serve)."""
    import time

    from esgkg.service.backends.pool import WorkerPool

    spec = WorkerSpec("read", str(bundled_store.root), max_rows=100_000, prefixes={}, memory_quads=MEMORY_QUADS)
    pool = WorkerPool(spec, size=1, max_size=3, spare=2, timeout=30)
    try:
        assert [(h.kept, h.in_memory) for h in pool._all] == [(True, True)]  # copied before it was ready
        assert pool.run({"op": "query", "query": "ASK { ?s ?p ?o }", "media_type": JSON}).status == 200
        deadline = time.monotonic() + 60
        while (len(pool._all) < 3 or pool._starting) and time.monotonic() < deadline:
            time.sleep(0.05)  # the job left no worker idle: the pool grows to keep 2 spare
        assert sorted(h.in_memory for h in pool._all) == [False, False, True]
        # Every worker answers alike, whichever store it reads.
        query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
        handles = list(pool._all)
        bodies = {}
        for handle in handles:
            handle.conn.send({"op": "query", "query": query, "media_type": JSON})
            bodies[handle.in_memory] = handle.conn.recv().body
        assert bodies[True] == bodies[False]
        # The kept worker dies (OOM killer, a crash) while burst workers run: its replacement
        # is a kept worker again, with the copy, and a burst worker is what retires.
        kept = next(h for h in pool._all if h.kept)
        pool._replace(kept)
        while (len(pool._all) < 3 or pool._starting) and time.monotonic() < deadline + 60:
            time.sleep(0.05)
        assert sorted((h.kept, h.in_memory) for h in pool._all) == [(False, False), (False, False), (True, True)]
    finally:
        pool.close()
