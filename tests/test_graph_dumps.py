"""Dumps: every format round-trips (rdflib, n3.js, jsonld.js), checksums hold, names are a whitelist."""
from __future__ import annotations

import gzip
import hashlib
import shutil
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Dataset

from esgkg.graph import dumps
from esgkg.graph.store import StoreRoot
from esgkg.service.config import Config

from esgkg.service.app import create_app
from linked_data_support import shared_dumps
from sparql_support import when_ready

REPO = Path(__file__).resolve().parents[1]
RDFLIB = {"nq": "nquads", "trig": "trig", "jsonld": "json-ld", "nt": "nt", "ttl": "turtle", "rdf": "xml"}
JS = {"nq": "nquads", "trig": "trig", "nt": "ntriples", "ttl": "turtle", "jsonld": "jsonld"}


def canonical(quads, as_triples: bool) -> set[str]:
    """RDFC-1.0 canonical form (blank nodes relabelled), as a set of N-Quads lines."""
    items = [ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph() if as_triples else q.graph_name)
             for q in quads]
    ds = ox.Dataset(items)
    ds.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {str(q) for q in ds}


@pytest.fixture(scope="module")
def published(bundled_store: StoreRoot) -> tuple[Path, list[dumps.DumpFile]]:
    return shared_dumps(bundled_store)


@pytest.fixture(scope="module")
def expected(bundled_store: StoreRoot) -> dict[str | None, set[str]]:
    """The store's content canonicalised: the dataset, the union, and each named graph."""
    store, _ = bundled_store.open_read_only()
    quads = list(store)
    out: dict[str | None, set[str]] = {"dataset": canonical(quads, False), None: canonical(quads, True)}
    for graph in store.named_graphs():
        out[graph.value] = canonical([q for q in quads if q.graph_name == graph], True)
    return out


def _expected_for(item: dumps.DumpFile, expected) -> set[str]:
    if item.graph:
        return expected[item.graph]
    return expected["dataset"] if item.fmt in ("nq", "trig", "jsonld") else expected[None]


def test_files_checksums_and_deterministic_gzip(published) -> None:
    out, files = published
    names = {f.name for f in files}
    assert {"esgkg.nq.gz", "esgkg.trig.gz", "esgkg.ttl.gz", "esgkg.nt.gz", "esgkg.jsonld.gz", "esgkg.rdf.gz"} <= names
    assert any(f.graph and f.graph.endswith("graph/report/oneconnect-2024") for f in files)
    sums = dict(reversed(line.split("  ")) for line in (out / dumps.SUMS).read_text().splitlines())
    for f in files:
        data = (out / f.name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == f.sha256 == sums[f.name]
        assert data[4:8] == b"\0\0\0\0", "gzip mtime must be 0 so the bytes are reproducible"
    if shutil.which("sha256sum"):
        assert subprocess.run(["sha256sum", "-c", dumps.SUMS], cwd=out, capture_output=True).returncode == 0


def test_every_dump_parsed_by_rdflib_is_isomorphic_to_the_store(published, expected) -> None:
    out, files = published
    for item in files:
        ds = Dataset()
        ds.parse(data=gzip.decompress((out / item.name).read_bytes()), format=RDFLIB[item.fmt])
        nquads = ds.serialize(format="nquads", encoding="utf-8")
        parsed = list(ox.parse(nquads, format=ox.RdfFormat.N_QUADS))
        as_triples = item.graph is not None or item.fmt not in ("nq", "trig", "jsonld")
        assert canonical(parsed, as_triples) == _expected_for(item, expected), item.name


def test_every_dump_parsed_by_javascript_is_isomorphic_to_the_store(published, expected) -> None:
    node = shutil.which("node")
    if node is None or not (REPO / "node_modules" / "n3").is_dir() or not (REPO / "node_modules" / "jsonld").is_dir():
        pytest.skip("needs node and `npm install` (n3, jsonld) at the repository root")
    out, files = published
    for item in files:
        if item.fmt not in JS:
            continue  # RDF/XML: no JavaScript parser in the toolset; rdflib checks it
        run = subprocess.run([node, str(REPO / "tests" / "js" / "rdf_to_nquads.mjs"), str(out / item.name), JS[item.fmt]],
                             capture_output=True, cwd=REPO, timeout=120)
        assert run.returncode == 0, run.stderr.decode()[-2000:]
        parsed = list(ox.parse(run.stdout, format=ox.RdfFormat.N_QUADS))
        as_triples = item.graph is not None or item.fmt not in ("nq", "trig", "jsonld")
        assert canonical(parsed, as_triples) == _expected_for(item, expected), item.name


def _fetched(client, url: str, **kwargs):
    """A test-client answer read whole and closed: a file sent by the app stays open until then."""
    with client.get(url, **kwargs) as response:
        response.get_data()
        return response


def test_http_dumps_headers_revalidation_and_whitelist(example_store: StoreRoot) -> None:
    app = create_app(Config(store=str(example_store.root), workers=1))
    try:
        client = app.test_client()
        index = when_ready(lambda: _fetched(client, "/dumps/"))
        assert index.status_code == 200 and "esgkg.nq.gz" in index.get_data(as_text=True)
        response = _fetched(client, "/dumps/esgkg.nq.gz")
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "application/gzip"
        assert "Content-Encoding" not in response.headers  # saved file == checksummed file
        assert response.headers["X-Content-Media-Type"] == "application/n-quads"
        assert "attachment" in response.headers["Content-Disposition"]
        sums = _fetched(client, "/dumps/SHA256SUMS").get_data(as_text=True)
        assert hashlib.sha256(response.data).hexdigest() + "  esgkg.nq.gz" in sums
        etag = response.headers["ETag"]
        assert _fetched(client, "/dumps/esgkg.nq.gz", headers={"If-None-Match": etag}).status_code == 304
        for bad in ("manifest.json", "..%2F..%2Fcurrent", "%2e%2e", "esgkg.nq", ".tmp", "..%2Fversions"):
            assert _fetched(client, f"/dumps/{bad}").status_code == 404, bad
        assert _fetched(client, "/dumps/../current").status_code == 404
    finally:
        app.extensions["esgkg"].backend.close()


def test_publish_command_writes_a_static_folder(example_store: StoreRoot, tmp_path: Path) -> None:
    from esgkg.service.cli import main

    result = CliRunner().invoke(main, ["publish", "--store", str(example_store.root), str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    site = tmp_path / "site"
    for name in ("void.ttl", "void.jsonld", "sitemap.xml", "robots.txt", "dumps/SHA256SUMS", "dumps/esgkg.nq.gz"):
        assert (site / name).is_file(), name
    void = ox.Store()
    void.load(path=str(site / "void.ttl"), format=ox.RdfFormat.TURTLE)
    assert any(True for _ in void.quads_for_pattern(None, ox.NamedNode("http://www.w3.org/ns/dcat#downloadURL"), None))


def test_downloads_work_with_the_default_relative_store(tmp_path, monkeypatch, fixture_reports):
    """The README's set-up: `esgkg serve` from a folder, store at ./.esgkg/store (relative)."""
    from pathlib import Path

    from esgkg.graph.build import build
    from esgkg.graph.store import StoreRoot
    from esgkg.service.app import create_app
    from esgkg.service.config import Config

    monkeypatch.chdir(tmp_path)
    build(StoreRoot(Path(".esgkg") / "store"), reports_root=fixture_reports)
    app = create_app(Config(store=".esgkg/store", workers=1))
    try:
        client = app.test_client()
        for name in ("esgkg.nq.gz", "SHA256SUMS"):
            r = when_ready(lambda name=name: _fetched(client, f"/dumps/{name}"))
            assert r.status_code == 200, r.get_data(as_text=True)[:300]
            assert r.data
    finally:
        app.extensions["esgkg"].backend.close()


def test_a_version_too_large_for_the_writers_memory_gets_a_reason_not_a_dead_service(
        example_store: StoreRoot, tmp_path: Path) -> None:
    """The writer runs in a process of its own under an address-space cap: past it that process
    ends, the caller hears why (naming the cap), and the version is not tried again."""
    cache = dumps.DumpCache(tmp_path / "dumps", limits=dumps.Limits(memory=64 * 2**20, cpu_seconds=60))
    version = example_store.current().version
    found = cache.ensure(version, Path(example_store.root), wait=120)
    assert isinstance(found, dumps.Preparing) and found.failed and not found.retry, found
    assert "64 MB" in found.failed
    again = cache.ensure(version, Path(example_store.root), wait=0)
    assert again == found and not cache._writers  # kept: no second writer for this version
    assert not any((tmp_path / "dumps").glob(".tmp-*"))


def test_two_serving_processes_write_a_versions_downloads_once(example_store: StoreRoot, tmp_path: Path) -> None:
    """Two caches on one folder, as two serving processes have: the second sees the first's
    writer by its lock and starts none, and both then serve the same files."""
    import time

    first, second = dumps.DumpCache(tmp_path / "dumps"), dumps.DumpCache(tmp_path / "dumps")
    version, where = example_store.current().version, Path(example_store.root)
    started = first.ensure(version, where, wait=0)
    deadline = time.monotonic() + 60
    while first.get(version) is None and not first._writing_elsewhere(version) and time.monotonic() < deadline:
        time.sleep(0.01)  # until the writer holds its lock (or is already done)
    meanwhile = second.ensure(version, where, wait=0)
    assert not second._writers, "the second cache started a writer of its own"
    assert isinstance(started, (list, dumps.Preparing)) and isinstance(meanwhile, (list, dumps.Preparing))
    while first.get(version) is None and time.monotonic() < deadline:
        time.sleep(0.05)
    files = first.ensure(version, where, wait=0)
    assert isinstance(files, list) and files
    assert second.ensure(version, where, wait=0) == files and not second._writers


def test_a_writer_that_died_in_another_process_is_not_started_again(example_store: StoreRoot, tmp_path: Path) -> None:
    """A writer killed at work (the engine aborts past its memory cap) leaves its marker and
    frees its lock: the next serving process to be asked says why, instead of trying again."""
    import os
    import signal
    import time

    cache = dumps.DumpCache(tmp_path / "dumps")
    version, where = example_store.current().version, Path(example_store.root)
    assert isinstance(cache.ensure(version, where, wait=0), dumps.Preparing)
    writer = cache._writers[version]
    deadline = time.monotonic() + 60
    while not (tmp_path / "dumps" / f".{version}-{dumps.WRITING}").exists() and time.monotonic() < deadline:
        time.sleep(0.005)
    os.kill(writer.pid, signal.SIGKILL)
    writer.join(10)
    other = dumps.DumpCache(tmp_path / "dumps")  # another serving process
    found = other.ensure(version, where, wait=0)
    assert isinstance(found, dumps.Preparing) and "stopped before it was done" in found.failed, found
    assert not other._writers and cache.ensure(version, where, wait=0) == found
    assert not (tmp_path / "dumps" / f".tmp-{version}").exists()  # what it had written is gone


def test_a_writer_stopped_with_its_service_is_started_again(example_store: StoreRoot, tmp_path: Path) -> None:
    """A service that stops while its writer works (a restart, a deploy) stops the writer, and
    that is not the writer's failure: no note is left, and the next service writes the files."""
    import time

    cache = dumps.DumpCache(tmp_path / "dumps")
    version, where = example_store.current().version, Path(example_store.root)
    assert isinstance(cache.ensure(version, where, wait=0), dumps.Preparing)
    deadline = time.monotonic() + 60
    while not (tmp_path / "dumps" / f".{version}-{dumps.WRITING}").exists() and time.monotonic() < deadline:
        time.sleep(0.005)
    cache.close()
    assert not cache._writers and not (tmp_path / "dumps" / f".{version}-{dumps.FAILED}").exists()
    after = dumps.DumpCache(tmp_path / "dumps")  # the service started again
    files = after.ensure(version, where, wait=120)
    assert isinstance(files, list) and files, files


def test_the_writer_says_how_far_it_is_while_it_writes_the_dataset(example_store: StoreRoot, tmp_path: Path) -> None:
    """Progress moves during the one pass that writes every file (a step per graph group),
    not once per file: at 1,000 reports that pass is most of the writer's hour."""
    store, _ = example_store.open_read_only()
    seen: list[tuple[int, int]] = []
    files = dumps.write(store, tmp_path / "out", progress=lambda done, total: seen.append((done, total)))
    totals = {total for _, total in seen}
    assert len(totals) == 1 and [d for d, _ in seen] == list(range(totals.pop()))
    assert len(seen) >= sum(1 for f in files if f.graph is not None)  # one group per graph at least


def test_the_writers_caps_come_from_the_environment(example_store: StoreRoot, monkeypatch, tmp_path: Path) -> None:
    """ESGKG_DUMPS_MEMORY and ESGKG_DUMPS_CPU set the writer's caps (at 1,000 reports it needs
    most of an hour of CPU: the default is two); a cap of 0 is refused."""
    from esgkg.service.app import create_app
    from esgkg.service.config import Config

    monkeypatch.setenv("ESGKG_DUMPS_MEMORY", str(3 * 2**30))
    monkeypatch.setenv("ESGKG_DUMPS_CPU", "5400")
    config = Config.from_env(store=str(example_store.root), workers=1, dumps_dir=str(tmp_path / "d"))
    app = create_app(config)
    try:
        assert app.extensions["esgkg"].dumps.limits == dumps.Limits(memory=3 * 2**30, cpu_seconds=5400)
    finally:
        app.extensions["esgkg"].close()
    assert Config().dumps_cpu == 7200
    with pytest.raises(ValueError, match="positive"):
        Config(dumps_cpu=0).check()
