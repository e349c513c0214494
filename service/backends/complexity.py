"""Queries the engine cannot run safely are refused before they reach it (a 400).

The worker runs the engine on a thread with a large stack (worker.ENGINE_STACK_BYTES), which
is what turns most deep constructs into queries that simply run. What remains bounded here
is what no real query needs and what would still overflow that stack or take the parser
seconds: the nesting of brackets.
"""
from __future__ import annotations

from esgkg.graph.sparql_text import tokens

MAX_NESTING = 256
_OPENERS, _CLOSERS = frozenset("({["), frozenset(")}]")


def nesting_depth(text: str) -> int:
    """Deepest nesting of brackets outside strings, IRIs and comments."""
    depth = deepest = 0
    for token in tokens(text):
        if token.text in _OPENERS:
            depth += 1
            deepest = max(deepest, depth)
        elif token.text in _CLOSERS:
            depth = max(0, depth - 1)
    return deepest


def complexity_problem(text: str) -> str | None:
    """Why the engine should not be given ``text``, or None."""
    depth = nesting_depth(text)
    if depth > MAX_NESTING:
        return (f"it nests {depth} levels deep; this service accepts at most {MAX_NESTING} "
                f"levels of (), {{}} and [].")
    return None
