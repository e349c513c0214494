"""Which documents the dataset publishes, as a sitemap for crawlers and a robots.txt.

A document is an IRI under the base with its fragment removed: ``<base>ontology#Metric`` is
described by ``<base>ontology``. Locations are the IRIs themselves: a deployment serves its
own base, so its IRIs are its URLs.
"""
from __future__ import annotations

from datetime import datetime
from xml.sax.saxutils import escape

from .namespaces import Iris
from .sparql import Sparql

SITEMAP_LIMIT = 50_000  # URLs per sitemap file (sitemaps.org)


def document_iris(source: Sparql, iris: Iris, extra: list[str] | None = None) -> list[str]:
    """Every document IRI the dataset mints (subjects, objects, graph names), sorted."""
    base = iris.base
    rows = source.select(f"""SELECT DISTINCT ?x WHERE {{
        {{ ?x ?p ?o }} UNION {{ ?s ?p ?x }} UNION {{ GRAPH ?x {{ ?s ?p ?o }} }}
        FILTER(isIRI(?x) && STRSTARTS(STR(?x), "{base}")) }}""")
    docs = {r["x"]["value"].split("#", 1)[0] for r in rows}
    docs.update(extra or [])
    docs.add(str(iris.dataset()))
    docs.add(str(iris.ontology))
    return sorted(docs)


def sitemap_xml(urls: list[str], lastmod: datetime | None = None) -> bytes:
    """A sitemaps.org urlset (the first 50,000 URLs: more needs a sitemap index)."""
    stamp = f"<lastmod>{lastmod.date().isoformat()}</lastmod>" if lastmod else ""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    lines += [f"  <url><loc>{escape(url)}</loc>{stamp}</url>" for url in urls[:SITEMAP_LIMIT]]
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def robots_txt(base: str) -> str:
    """Crawl the pages, not the query endpoints (every query URL is a new page to a crawler)."""
    return ("User-agent: *\n"
            "Disallow: /sparql\n"
            "Disallow: /update\n"
            "Disallow: /store\n"
            "Allow: /\n"
            f"Sitemap: {base}sitemap.xml\n")
