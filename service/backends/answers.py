"""Answers kept per store version, so a repeated query skips the hop to a worker.

A published version never changes (a build or a write publishes a *new* version), so an
answer computed on version V is the answer on V for as long as V is current: the cache needs
no invalidation, only the version in its key. The version a reply was computed on is the
one its worker reports (``Reply.version``), never the one the HTTP process saw before the
job, so a publish racing with a query cannot file an answer under the wrong version.

Texts that call a function whose value is not a function of the data (NOW, RAND, UUID,
STRUUID) are never kept; the check errs towards not caching (the word in a comment or a
string is enough), which costs only the cache hit.
"""
from __future__ import annotations

import os
import re
import threading
from typing import Any

from cachetools import LRUCache

from .reply import Reply

DEFAULT_CACHE_BYTES = 64 * 2**20
# An answer bigger than this is not kept: it would push many small ones out.
MAX_ENTRY_FRACTION = 8

_VOLATILE = re.compile(r"\b(?:NOW|RAND|UUID|STRUUID)\s*\(", re.IGNORECASE)

Key = tuple[Any, ...]


def _key(version: str, job: dict[str, Any]) -> Key:
    return (version, job["query"], job["media_type"], tuple(job.get("default_graphs") or ()),
            tuple(job.get("named_graphs") or ()), job.get("base_iri"))


class AnswerCache:
    """Successful query answers, keyed on store version + query + format + dataset + base."""

    def __init__(self, pointer: str, max_bytes: int = DEFAULT_CACHE_BYTES) -> None:
        self.pointer = pointer  # the store root's ``current`` symlink
        self.max_entry = max_bytes // MAX_ENTRY_FRACTION
        self._entries: LRUCache[Key, tuple[Reply, int]] = LRUCache(max_bytes, getsizeof=_size)
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def current_version(self) -> str | None:
        """The published version's name (what workers call ``version``), or None."""
        try:
            return os.path.basename(os.readlink(self.pointer))
        except OSError:
            return None

    @staticmethod
    def cacheable(job: dict[str, Any]) -> bool:
        return job.get("op") == "query" and not _VOLATILE.search(job["query"])

    def get(self, job: dict[str, Any]) -> Reply | None:
        version = self.current_version()
        if version is None:
            return None
        with self._lock:
            entry = self._entries.get(_key(version, job))
            if entry is None:
                self.misses += 1
                return None
            self.hits += 1
        return entry[0]

    def put(self, job: dict[str, Any], reply: Reply) -> None:
        size = len(reply.body) + len(job["query"]) + 512  # + the key and the objects, roughly
        if reply.status != 200 or reply.version is None or size > self.max_entry:
            return
        with self._lock:
            self._entries[_key(reply.version, job)] = (reply, size)


def _size(entry: tuple[Reply, int]) -> int:
    return entry[1]
