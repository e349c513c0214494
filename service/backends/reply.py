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


#: Headers of a reply that a limit of the service stopped (the query itself may be fine).
LIMIT_HEADERS = ("X-ESGKG-Time-Limit", "X-ESGKG-Row-Cap", "X-ESGKG-Byte-Cap", "X-ESGKG-Memory-Limit")
CRASHED_HEADER = "X-ESGKG-Worker-Crashed"  # on a reply whose job ended its worker process


def busy_reply(wait: float) -> Reply:
    return Reply.error(
        503, f"The service is busy: every query worker stayed occupied for {wait:g} s. "
             "Try again shortly.", **{"Retry-After": "2"})


def crash_reply(why: str, memory_limit: int | None) -> Reply:
    """What the client hears when its job ended the worker process that ran it.

    ``why`` is what the worker wrote to stderr: Rust's message for a failed allocation or a
    panic, or faulthandler's for a segmentation fault (a stack overflow in the engine).
    """
    crashed = {CRASHED_HEADER: "engine"}
    if "memory allocation" in why or "MemoryError" in why or "Cannot allocate memory" in why:
        limit = f"{memory_limit // 2**20} MB" if memory_limit else "its"
        return Reply.error(503, f"The query needed more than the {limit} of memory a query may use "
                                "here, and was stopped. Narrow it (fewer or smaller results, LIMIT).",
                           **crashed, **{"X-ESGKG-Memory-Limit": str(memory_limit or "")})
    if "overflow" in why or "Segmentation fault" in why:
        return Reply.error(400, "Query not accepted: it is too deeply nested or too long for the "
                                "engine (it overflowed the engine's stack).", **crashed)
    panic = next((line.strip() for line in why.splitlines() if "panicked at" in line), "")
    detail = f" ({panic})" if panic else ""
    return Reply.error(500, "The SPARQL engine failed on this query and its worker was replaced; "
                            f"the service carries on{detail}. The same text is refused from now on.",
                       **crashed)
