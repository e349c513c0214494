"""SHACL validation of a built dataset (shapes in ontology/shapes.ttl)."""
from __future__ import annotations

from typing import Callable

from rich.console import Console


def build_validator(force: bool = False, console: Console | None = None) -> Callable | None:
    """The validation step of a build, or None while the project ships no shapes."""
    from .build import ontology_file

    if not ontology_file("shapes.ttl").exists():
        return None
    raise NotImplementedError("SHACL validation is not wired yet")
