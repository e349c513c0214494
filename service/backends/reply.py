"""What every backend returns, and the protocol every backend follows.

Kept free of heavy imports: the worker processes import this module too.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

# "Too many rows" is answered 413 (the *response* would be too large), never truncated: a
# client that gets a partial table with a 200 cannot tell (SPARQL result formats have no
# standard "truncated" marker).
TOO_MANY_ROWS = 413


@dataclass
class Reply:
    """What a worker or the remote client hands back to the HTTP layer (picklable)."""

    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    # The store version a worker answered from (answers.py keys its cache on it); not sent.
    version: str | None = None

    @classmethod
    def error(cls, status: int, message: str, **headers: str) -> "Reply":
        return cls(status, "text/plain; charset=utf-8", (message.rstrip() + "\n").encode(), headers)

    @classmethod
    def no_content(cls) -> "Reply":
        return cls(204, "text/plain; charset=utf-8", b"")


class Backend(Protocol):
    """Runs SPARQL jobs (see worker.py for the job kinds) and enforces the limits."""

    def run(self, job: dict[str, Any]) -> Reply: ...

    def close(self) -> None: ...


def timeout_reply(seconds: float) -> Reply:
    return Reply.error(
        503,
        f"Query timed out: it ran longer than the {seconds:g} s limit of this service and was "
        f"stopped. Narrow the query (more specific patterns, LIMIT) and try again.",
        **{"Retry-After": "1", "X-ESGKG-Time-Limit": f"{seconds:g}"},
    )


def too_many_rows(limit: int, what: str = "rows") -> Reply:
    return Reply.error(
        TOO_MANY_ROWS,
        f"Result too large: more than {limit} {what} (the row cap of this service). "
        f"Add LIMIT (and OFFSET to page) to the query.",
        **{"X-ESGKG-Row-Cap": str(limit)},
    )


def too_many_bytes(limit: int) -> Reply:
    return Reply.error(
        413,
        f"Result too large: more than {limit // 1_000_000} MB (the answer-size cap of this "
        f"service). Select fewer or shorter values, or page with LIMIT and OFFSET.",
        **{"X-ESGKG-Byte-Cap": str(limit)},
    )
