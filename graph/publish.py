"""Everything linked-data publishing needs, written to a folder for static hosting.

``dumps/`` (every format, gzip, ``SHA256SUMS``), ``void.ttl`` and ``void.jsonld`` (VoID +
DCAT, with the dumps' sizes and checksums), ``sitemap.xml`` and ``robots.txt``. The same
files the service answers with, so a static mirror and the service agree.
"""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from . import dataset_description, dumps, sitemap
from .namespaces import Iris
from .rdf_output import serialize
from .sparql import StoreSparql
from .store import StoreRoot


def publish(root: StoreRoot, out: Path, iris: Iris | None = None, extra_documents: list[str] | None = None) -> dict:
    """Write the publication of the current store version into ``out``; return a summary."""
    iris = iris or Iris()
    store, info = root.open_read_only()
    source = StoreSparql(store, union_store=root.open_union_read_only()[0])
    out.mkdir(parents=True, exist_ok=True)
    files = dumps.write(store, out / "dumps", iris)
    description = dataset_description.describe_dataset(source, iris, dumps=files, version=info.version)
    (out / "void.ttl").write_bytes(serialize(description, "ttl", iris))
    (out / "void.jsonld").write_bytes(serialize(description, "jsonld", iris))
    published = datetime.fromtimestamp((info.path.parent / f"{info.version}.json").stat().st_mtime, tz=timezone.utc)
    documents = sitemap.document_iris(source, iris, extra=extra_documents)
    (out / "sitemap.xml").write_bytes(sitemap.sitemap_xml(documents, published))
    (out / "robots.txt").write_text(sitemap.robots_txt(iris.base), encoding="utf-8")
    return {"version": info.version, "dumps": len(files), "documents": len(documents),
            "void_triples": len(description)}
