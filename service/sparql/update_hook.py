"""The hook that checks the store after a SPARQL Update or Graph Store write.

The lead wires this to the SHACL shapes (ontology/shapes.ttl via graph.validation). The
writer calls it after applying each update; if it returns any message the update is rolled
back (the store is restored from a checkpoint taken just before) and the client gets a 422
with the messages. Until it is wired it accepts everything.
"""
from __future__ import annotations

import pyoxigraph


def validate_update(store: pyoxigraph.Store) -> list[str]:
    """Problems (SHACL violations) in ``store`` after an update; empty means accept it."""
    return []
