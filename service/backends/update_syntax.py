"""Is an update well-formed? Asked of the engine's own parser, with nothing executed.

Syntax errors are a 400 whatever the operation and whoever asks (read-only service, no
token): the client's text is wrong before any permission question. The parser that decides
is the engine's, run on an empty store opened *read-only*: Oxigraph parses the whole update
first and then fails to open a write transaction before any operation runs, so no LOAD is
fetched and no SERVICE contacted even without the sandbox (checked in tests/test_http_update.py).
It runs in a query worker, whose big stack and complexity bound protect the parser as for
queries.
"""
from __future__ import annotations

import shutil
import tempfile

import pyoxigraph as ox

from .complexity import complexity_problem

_EMPTY: list[ox.Store] = []  # the worker's empty read-only store, made on first use


def _empty_read_only() -> ox.Store:
    if not _EMPTY:
        folder = tempfile.mkdtemp(prefix="esgkg-parse-")
        try:
            ox.Store(folder).flush()
            # RocksDB keeps what it opened; the folder itself is not needed after the open.
            _EMPTY.append(ox.Store.read_only(folder))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    return _EMPTY[0]


def update_syntax_problem(text: str, base_iri: str | None = None) -> str | None:
    """Why ``text`` is not a SPARQL 1.1 Update the engine accepts, or None."""
    problem = complexity_problem(text)
    if problem:
        return f"Update not accepted: {problem}"
    try:
        _empty_read_only().update(text, base_iri=base_iri)
    except SyntaxError as exc:
        return f"Malformed update: {exc}"
    except (OSError, RuntimeError, ValueError):
        pass  # parsed; refusing to write to the read-only store is the expected end
    return None
