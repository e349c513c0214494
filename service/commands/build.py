"""``esgkg build``: build every report plus the reference data into the store."""
from __future__ import annotations

from pathlib import Path

import click

from esgkg.graph.store import StoreRoot

from .common import reports_option, run_build, store_option


@click.command("build")
@store_option
@reports_option
@click.option("--force", is_flag=True, help="Publish even when SHACL validation finds violations.")
@click.option("--jobs", type=click.IntRange(min=1), default=None,
              help="Reports read, mapped and validated at once, each in its own process (default: one per core).")
def build(store_path: Path | None, reports_path: Path | None, force: bool, jobs: int | None) -> None:
    """Build all reports plus reference data into the store (atomic: a failed build changes nothing).

    Reports whose folder and whose dependencies (reference data, ontology, shapes, code)
    are unchanged since an earlier build into the same store are reused from its cache.
    """
    run_build(StoreRoot(store_path), reports_path, force=force, jobs=jobs)
