"""``esgkg publish DIR`` writes dumps, checksums, VoID/DCAT and a sitemap for static hosting."""
from __future__ import annotations

from pathlib import Path

import click

from esgkg.graph.named_queries import load_all, query_iri
from esgkg.graph.namespaces import Iris
from esgkg.graph.publish import publish as publish_folder
from esgkg.graph.store import StoreRoot

from .common import ensure_store, err_console, store_option


@click.command("publish")
@store_option
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def publish(store_path: Path | None, directory: Path) -> None:
    """Write the dataset's downloads (every format, gzip, SHA256SUMS), VoID/DCAT and sitemap to DIRECTORY."""
    root = StoreRoot(store_path)
    ensure_store(root)
    iris = Iris()
    summary = publish_folder(root, directory, iris, extra_documents=[query_iri(name, iris.base) for name in load_all()])
    err_console.print(f"published store version {summary['version']}: {summary['dumps']} downloads, "
                      f"{summary['documents']} documents in the sitemap, VoID/DCAT in {directory / 'void.ttl'}",
                      highlight=False)
