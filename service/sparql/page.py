"""The browser query page at GET /sparql: YASGUI served from our own static files."""
from __future__ import annotations

import json

from flask import Response, render_template, request

from esgkg.graph import named_queries
from esgkg.graph.namespaces import prefixes

from ..state import current_state

def default_query(prefix_map: dict[str, str]) -> str:
    lines = [f"PREFIX {p}: <{ns}>" for p, ns in sorted(prefix_map.items())
             if p in ("rdf", "rdfs", "skos", "esg", "qb", "dcterms", "org", "sdg")]
    return "\n".join(lines) + "\n\nSELECT ?s ?p ?o WHERE {\n  ?s ?p ?o\n} LIMIT 25\n"


def render(endpoint: str) -> Response:
    """The HTML page; everything it needs is inlined as JSON or served from /static."""
    iris = current_state().iris
    prefix_map = prefixes(iris)
    # The one loader of queries/*.rq, so the examples carry the deployment's base IRI.
    examples = [{"name": q.name, "title": q.title, "description": q.description, "query": q.text}
                for q in named_queries.load_all(base=iris.base).values()]
    config = {
        "endpoint": endpoint,
        "prefixes": prefix_map,
        "defaultQuery": default_query(prefix_map),
        "examples": examples,
        # Result IRIs under the base open here (templates/sparql/page.html rewrites the links).
        "base": iris.base,
        "local": request.script_root + "/",
    }
    html = render_template("sparql/page.html", config_json=json.dumps(config, ensure_ascii=False),
                           examples=examples, endpoint=endpoint)
    response = Response(html, content_type="text/html; charset=utf-8")
    response.headers["Vary"] = "Accept"
    return response
