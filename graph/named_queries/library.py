"""The one loader of named queries: the ``*.rq`` files of a folder, rebased on the deployment's
base IRI. Every surface (HTTP pages, YASGUI examples, the RDF of ``/queries/NAME``, the CLI)
comes through :func:`load_all`, so they all see the same text."""
from __future__ import annotations

import importlib.resources
from dataclasses import replace
from pathlib import Path

from ..namespaces import DEFAULT_BASE, base_iri
from .header import NamedQuery, parse
from .terms import SLUG, NamedQueryError


def queries_folder() -> Path:
    """The installed ``queries/`` folder."""
    return Path(str(importlib.resources.files("esgkg.queries")))


def load_all(folder: Path | None = None, base: str | None = None) -> dict[str, NamedQuery]:
    """Every ``*.rq`` file of ``folder`` (default: the bundled library), by name, sorted,
    with IRIs under ``base`` (default: the configured base IRI)."""
    folder = folder or queries_folder()
    found: dict[str, NamedQuery] = {}
    base = base or base_iri()
    for path in sorted(folder.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        if base != DEFAULT_BASE:
            # Same rule as the build's Turtle files: a deployment's own base replaces ours.
            text = text.replace(DEFAULT_BASE, base)
        found[path.stem] = replace(parse(text, path.stem, str(path)), base=base)
    return found


def find(name: str, folder: Path | None = None, base: str | None = None) -> NamedQuery | None:
    """One named query by name, or None (for lookups where "no such query" is not an error)."""
    return load_all(folder, base).get(name)


def get(name: str, folder: Path | None = None, base: str | None = None) -> NamedQuery:
    """One named query by name, or NamedQueryError listing what exists."""
    if not SLUG.match(name):
        raise NamedQueryError(f"not a query name: {name!r}")
    queries = load_all(folder, base)
    if name not in queries:
        raise NamedQueryError(f"no named query {name!r}; known: {', '.join(queries)}")
    return queries[name]
