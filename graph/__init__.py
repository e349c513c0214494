"""esgkg.graph: the library that turns report sources into a checked RDF dataset.

It never imports flask; the service and the CLI build on it.
"""
from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("esgkg")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
