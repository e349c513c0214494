"""Queries the engine cannot run safely are refused before they reach it (a 400).

Oxigraph's parser and optimizer recurse once per operator, UNION branch, BIND or path step,
on the thread that calls them. On the default 8 MB stack the worker dies (SIGSEGV, nothing
on stderr) from about 2,500 BINDs, 6,500 UNION branches or 6,900 `+` terms up; the depth
grows in proportion to the stack. The worker therefore runs the engine on a 256 MB thread
(worker.ENGINE_STACK_BYTES), about 32 times those depths, and this module bounds what no
real query needs, far below them:

* at most MAX_TOKENS tokens outside strings, IRIs and comments: every recursive construct
  costs at least one token, so no construct can come within a factor of ~4 of the crash
  depths on the big stack, whatever the mix;
* at most MAX_NESTING levels of brackets (the parser's own recursion).

Queries that are merely slow (thousands of FILTERs, long paths) are not refused here: the
time limit stops them. Measured figures and repros: docs/upstream/oxigraph-crashes.md.
"""
from __future__ import annotations

from esgkg.graph.sparql_text import shape

MAX_NESTING = 256
MAX_TOKENS = 20_000


def complexity_problem(text: str) -> str | None:
    """Why the engine should not be given ``text``, or None."""
    depth, count = shape(text)
    if depth > MAX_NESTING:
        return (f"it nests {depth} levels deep; this service accepts at most {MAX_NESTING} "
                f"levels of (), {{}} and [].")
    if count > MAX_TOKENS:
        return (f"it has {count} terms and operators; this service accepts at most {MAX_TOKENS} "
                "in one query (split it, or use VALUES with fewer rows).")
    return None
