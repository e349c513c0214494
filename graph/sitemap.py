"""Which documents the dataset publishes, as a sitemap for crawlers and a robots.txt.

A document is an IRI under the base with its fragment removed: ``<base>ontology#Metric`` is
described by ``<base>ontology``. Locations are the IRIs themselves: a deployment serves its
own base, so its IRIs are its URLs.
"""
from __future__ import annotations

from datetime import datetime
from typing import Iterable, Iterator
from xml.sax.saxutils import escape

from .namespaces import Iris
from .sparql import Sparql

SITEMAP_LIMIT = 50_000  # URLs per sitemap file (sitemaps.org)


def _documents_query(base: str) -> str:
    return f"""SELECT DISTINCT ?x WHERE {{
        {{ ?x ?p ?o }} UNION {{ ?s ?p ?x }} UNION {{ GRAPH ?x {{ ?s ?p ?o }} }}
        FILTER(isIRI(?x) && STRSTARTS(STR(?x), "{base}")) }}"""


def documents(minted: Iterable[str], iris: Iris, extra: list[str] | None = None) -> list[str]:
    """The documents of the IRIs the dataset mints (a fragment is its document's), sorted."""
    docs = {iri.split("#", 1)[0] for iri in minted}
    docs.update(extra or [])
    docs.add(str(iris.dataset()))
    docs.add(str(iris.ontology))
    return sorted(docs)


def document_iris(source: Sparql, iris: Iris, extra: list[str] | None = None) -> list[str]:
    """Every document IRI the dataset mints (subjects, objects, graph names), sorted."""
    rows = source.select(_documents_query(iris.base))
    return documents((r["x"]["value"] for r in rows), iris, extra)


def minted_iris(store, iris: Iris) -> Iterator[str]:
    """The same IRIs streamed from a pyoxigraph store (a union copy), for the downloads' writer."""
    return (s["x"].value for s in store.query(_documents_query(iris.base)))


def pages(urls: list[str]) -> int:
    """How many sitemap files ``urls`` need (one, or the pages of a sitemap index)."""
    return max(1, -(-len(urls) // SITEMAP_LIMIT))


def sitemap_xml(urls: list[str], lastmod: datetime | None = None, page: int = 1) -> bytes:
    """A sitemaps.org urlset: page ``page`` (from 1) of ``urls``, SITEMAP_LIMIT to a page."""
    stamp = f"<lastmod>{lastmod.date().isoformat()}</lastmod>" if lastmod else ""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    part = urls[(page - 1) * SITEMAP_LIMIT:page * SITEMAP_LIMIT]
    lines += [f"  <url><loc>{escape(url)}</loc>{stamp}</url>" for url in part]
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def sitemap_index_xml(base: str, count: int, lastmod: datetime | None = None) -> bytes:
    """A sitemaps.org index of ``count`` pages, ``<base>sitemap-N.xml``."""
    stamp = f"<lastmod>{lastmod.date().isoformat()}</lastmod>" if lastmod else ""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    lines += [f"  <sitemap><loc>{escape(base)}sitemap-{n}.xml</loc>{stamp}</sitemap>" for n in range(1, count + 1)]
    lines.append("</sitemapindex>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def robots_txt(base: str) -> str:
    """Crawl the pages, not the query endpoints (every query URL is a new page to a crawler)."""
    return ("User-agent: *\n"
            "Disallow: /sparql\n"
            "Disallow: /update\n"
            "Disallow: /store\n"
            "Allow: /\n"
            f"Sitemap: {base}sitemap.xml\n")
