"""Shared fixtures: stores built from the small synthetic report and from the bundled report."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from esgkg.graph.build import build
from esgkg.graph.namespaces import Iris
from esgkg.graph.store import StoreRoot

TESTS = Path(__file__).parent
FIXTURE_REPORTS = TESTS / "fixtures" / "reports"
REPO = TESTS.parent


@pytest.fixture(scope="session")
def fixture_reports() -> Path:
    """A folder of report folders holding only the synthetic example report."""
    return FIXTURE_REPORTS


@pytest.fixture
def reports_copy(tmp_path: Path) -> Path:
    """A writable copy of the fixture reports, for tests that break them on purpose."""
    dest = tmp_path / "reports"
    shutil.copytree(FIXTURE_REPORTS, dest)
    return dest


@pytest.fixture(scope="session")
def example_store(tmp_path_factory: pytest.TempPathFactory) -> StoreRoot:
    """A published store built from the synthetic example report."""
    root = StoreRoot(tmp_path_factory.mktemp("example-store"))
    build(root, reports_root=FIXTURE_REPORTS, iris=Iris())
    return root


@pytest.fixture(scope="session")
def bundled_store(tmp_path_factory: pytest.TempPathFactory) -> StoreRoot:
    """A published store built from the bundled report(s), exactly as `esgkg build` does."""
    from esgkg.graph.validation import build_validator

    root = StoreRoot(tmp_path_factory.mktemp("bundled-store"))
    build(root, iris=Iris(), validate=build_validator())
    return root


@pytest.fixture(scope="session")
def bundled_config(bundled_store: StoreRoot):
    """The service's configuration on the bundled store (a small pool)."""
    from esgkg.service.config import Config

    # Relative to the working directory, as the default `.esgkg/store` is for a user: send_file
    # and friends once resolved such a path against the Flask package (every download a 500).
    return Config(store=os.path.relpath(bundled_store.root), workers=2, host="127.0.0.1", port=0)


@pytest.fixture(scope="session")
def client(bundled_config):
    """Flask's test client on the real app and worker pool, on the bundled store. A test
    module that needs another store or configuration defines its own ``client``."""
    from sparql_support import app_client

    with app_client(bundled_config) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def server(bundled_config):
    """The real app on waitress at 127.0.0.1 (free port), as `esgkg serve` runs it, on the
    bundled store; its base URL."""
    from sparql_support import running_server

    with running_server(bundled_config) as url:
        yield url
