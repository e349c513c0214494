"""The browser query page at GET /sparql: YASGUI served from our own static files."""
from __future__ import annotations

import importlib.resources
import json
import re
from dataclasses import dataclass

from flask import Response, render_template

from esgkg.graph.namespaces import Iris, prefixes

_HEADER = re.compile(r"^#\s*(title|description)\s*:\s*(.+)$", re.IGNORECASE)


@dataclass(frozen=True)
class Example:
    name: str
    title: str
    description: str
    query: str


def named_queries() -> list[Example]:
    """Every queries/*.rq file, with its ``# title:`` and ``# description:`` header lines."""
    examples: list[Example] = []
    try:
        folder = importlib.resources.files("esgkg.queries")
    except ModuleNotFoundError:
        return examples
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".rq"):
            continue
        text = entry.read_text(encoding="utf-8")
        header = {}
        for line in text.splitlines():
            match = _HEADER.match(line.strip())
            if match:
                header.setdefault(match.group(1).lower(), match.group(2).strip())
        name = entry.name[:-3]
        examples.append(Example(name, header.get("title", name), header.get("description", ""), text))
    return examples


def default_query(prefix_map: dict[str, str]) -> str:
    lines = [f"PREFIX {p}: <{ns}>" for p, ns in sorted(prefix_map.items())
             if p in ("rdf", "rdfs", "skos", "esg", "qb", "dcterms", "org", "sdg")]
    return "\n".join(lines) + "\n\nSELECT ?s ?p ?o WHERE {\n  ?s ?p ?o\n} LIMIT 25\n"


def render(endpoint: str) -> Response:
    """The HTML page; everything it needs is inlined as JSON or served from /static."""
    prefix_map = prefixes(Iris())
    examples = named_queries()
    config = {
        "endpoint": endpoint,
        "prefixes": prefix_map,
        "defaultQuery": default_query(prefix_map),
        "examples": [e.__dict__ for e in examples],
    }
    html = render_template("sparql.html", config_json=json.dumps(config, ensure_ascii=False),
                           examples=examples, endpoint=endpoint)
    response = Response(html, content_type="text/html; charset=utf-8")
    response.headers["Vary"] = "Accept"
    return response
