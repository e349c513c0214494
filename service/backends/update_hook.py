"""The hook that checks the store after a SPARQL Update or Graph Store write.

The writer calls it after applying each update; if it returns any message the update is
rolled back (the store is restored from a checkpoint taken just before) and the client gets
a 422 with the messages. It validates every report with the SHACL shapes stored in the
dataset (`<base>graph/shapes`), exactly as `esgkg build` does; a store without shapes
accepts everything.
"""
from __future__ import annotations

import pyoxigraph

from esgkg.graph.namespaces import Iris
from esgkg.graph.validation import record_line, validate_store


def validate_update(store: pyoxigraph.Store, base_iri: str | None = None) -> list[str]:
    """Problems (SHACL violations) in ``store`` after an update; empty means accept it."""
    iris = Iris(base_iri)
    if not store.contains_named_graph(pyoxigraph.NamedNode(str(iris.graph("shapes")))):
        return []
    outcome = validate_store(store, iris=iris)
    return [record_line(r) for r in outcome.records if r.severity == "Violation"]
