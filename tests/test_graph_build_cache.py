"""Incremental builds: reports are reused by content, a changed report is rebuilt, the new
version is swapped into a copy of the old one, and a build that fails leaves the old one."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from esgkg.graph import build_load
from esgkg.graph.build import build
from esgkg.graph.build_cache import common_key, report_key
from esgkg.graph.export import export
from esgkg.graph.namespaces import Iris
from esgkg.graph.reference import reference_dir
from esgkg.graph.store import UNION_SUFFIX, StoreRoot


def _second_report(reports: Path) -> Path:
    """A copy of the fixture report under another id, so a build has two independent reports."""
    folder = reports / "example-2024"
    shutil.copytree(reports / "example-2023", folder)
    meta = folder / "report.yaml"
    meta.write_text(meta.read_text(encoding="utf-8").replace("id: example-2023", "id: example-2024", 1),
                    encoding="utf-8")
    return folder


def _change_value(folder: Path) -> None:
    obs = folder / "observations.csv"
    obs.write_text(obs.read_text(encoding="utf-8").replace("ghg-total,2023,100,,3.1,100,",
                                                           "ghg-total,2023,101,,3.1,101,", 1), encoding="utf-8")


@pytest.fixture
def two_reports(reports_copy: Path) -> Path:
    _second_report(reports_copy)
    return reports_copy


def test_unchanged_reports_are_reused_and_a_changed_one_rebuilt(tmp_path: Path, two_reports: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build_load, "DELTA_SHARE", 1.0)  # two reports: swap even half the data
    root = StoreRoot(tmp_path / "store")
    first = build(root, reports_root=two_reports, jobs=1)
    assert first.meta["reports_reused"] == 0 and first.meta["loaded"] == "full"
    _change_value(two_reports / "example-2024")
    second = build(root, reports_root=two_reports, jobs=1)
    assert second.version != first.version
    assert second.meta["reports_reused"] == 1  # example-2023 came from the cache
    assert second.meta["loaded"] == "delta"
    store, _ = root.open_read_only()
    assert second.meta["quads"] == len(list(store))
    values = {row[0].value for row in store.query(
        "SELECT ?v WHERE { GRAPH <%sgraph/report/example-2024> { ?o <%sontology#value> ?v } }" % (Iris().base, Iris().base))}
    assert "101" in values and "100" not in values
    # The swapped copy holds exactly what a build from nothing holds.
    fresh = StoreRoot(tmp_path / "fresh")
    assert build(fresh, reports_root=two_reports, jobs=1).version == second.version
    assert export(store, "nq") == export(fresh.open_read_only()[0], "nq")


def test_a_rebuild_with_nothing_changed_keeps_the_version(tmp_path: Path, fixture_reports: Path) -> None:
    root = StoreRoot(tmp_path / "store")
    first = build(root, reports_root=fixture_reports)
    again = build(root, reports_root=fixture_reports)
    assert again.version == first.version
    # One version (beside it its union copy, the set-semantics default graph of decisions §22).
    assert [p.name for p in root.versions.iterdir() if p.is_dir() and not p.name.endswith(UNION_SUFFIX)] == [first.version]


def test_a_removed_report_leaves_the_store(tmp_path: Path, two_reports: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build_load, "DELTA_SHARE", 1.0)
    root = StoreRoot(tmp_path / "store")
    build(root, reports_root=two_reports, jobs=1)
    shutil.rmtree(two_reports / "example-2024")
    info = build(root, reports_root=two_reports, jobs=1)
    assert info.meta["reports"] == ["example-2023"] and info.meta["loaded"] == "delta"
    store, _ = root.open_read_only()
    assert f"{Iris().base}graph/report/example-2024" not in {g.value for g in store.named_graphs()}


def test_a_build_interrupted_while_swapping_keeps_the_old_version(tmp_path: Path, two_reports: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build_load, "DELTA_SHARE", 1.0)
    root = StoreRoot(tmp_path / "store")
    old = build(root, reports_root=two_reports, jobs=1)
    _change_value(two_reports / "example-2023")

    class Interrupt:
        def step(self, description: str) -> None:
            if description.startswith("loading"):
                raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        build(root, reports_root=two_reports, progress=Interrupt(), jobs=1)
    assert root.current().version == old.version
    assert not [p for p in root.versions.iterdir() if p.name.startswith(".staging")]
    store, _ = root.open_read_only()
    assert len(list(store)) == old.meta["quads"]
    # The work done before the interruption is kept: the next build reuses both reports.
    done = build(root, reports_root=two_reports, jobs=1)
    assert done.meta["reports_reused"] == 2 and done.version != old.version


def test_keys_follow_content_not_timestamps(tmp_path: Path, reports_copy: Path) -> None:
    reference = tmp_path / "reference"
    shutil.copytree(reference_dir(), reference)
    iris = Iris()
    key = common_key(reference, [], iris, validate=True)
    folder = reports_copy / "example-2023"
    report = report_key(key, folder)
    for path in [*reference.rglob("*"), *folder.rglob("*")]:
        os.utime(path, (1, 1))  # an old timestamp changes nothing
    assert common_key(reference, [], iris, validate=True) == key
    assert report_key(key, folder) == report
    assert common_key(reference, [], iris, validate=False) != key
    units = reference / "units.yaml"
    units.write_text(units.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert common_key(reference, [], iris, validate=True) != key  # reference data is an input
    (folder / "notes.txt").write_text("any file in the folder counts", encoding="utf-8")
    assert report_key(key, folder) != report


def test_two_workers_give_the_same_store_as_one(tmp_path: Path, two_reports: Path) -> None:
    one = build(StoreRoot(tmp_path / "one"), reports_root=two_reports, jobs=1)
    two = build(StoreRoot(tmp_path / "two"), reports_root=two_reports, jobs=2)
    assert one.version == two.version


def test_workers_replaced_between_batches_give_the_same_store(tmp_path: Path, reports_copy: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A build longer than one worker's lifetime runs in several pools, one after another
    (graph/build.py, WORKER_TASKS), and ends with the store a single worker makes."""
    from esgkg.graph import build as build_module

    for year in (2024, 2025, 2026, 2027):
        folder = reports_copy / f"example-{year}"
        shutil.copytree(reports_copy / "example-2023", folder)
        meta = folder / "report.yaml"
        meta.write_text(meta.read_text(encoding="utf-8").replace("id: example-2023", f"id: example-{year}", 1),
                        encoding="utf-8")
    one = build(StoreRoot(tmp_path / "one"), reports_root=reports_copy, jobs=1)
    monkeypatch.setattr(build_module, "WORKER_TASKS", 1)  # 5 reports, 2 workers: three pools
    steps: list[str] = []

    class Record:
        def step(self, description: str) -> None:
            steps.append(description)

    several = build(StoreRoot(tmp_path / "several"), reports_root=reports_copy, jobs=2, progress=Record())
    assert several.version == one.version
    assert [s for s in steps if s.startswith("report ") and "done" in s][-1].endswith("(5/5)")
