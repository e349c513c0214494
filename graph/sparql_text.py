"""A small SPARQL lexer: just enough to check and adjust query text before it runs.

It tells keywords from IRIs, strings, comments, variables and prefixed names, so that a
string like ``"SERVICE"`` or a name like ``ex:load`` never trips a check. The engine's own
parser still decides what the text means; this only looks for the few keywords the service
must refuse or rewrite (SERVICE, LOAD, USING, WITH, FROM, the query form).

Two ways to read the text share one set of token patterns:

* :func:`tokens` gives every token (for rewriting, e.g. :func:`add_using`);
* the checks (:func:`forbidden_keyword`, :func:`query_form`, :func:`has_from_clause`,
  :func:`has_dataset_clause`) run one compiled pattern per check that swallows everything
  uninteresting in long runs inside the regex engine, so Python only sees the few names the
  check is about. They run in the HTTP process, under its GIL, on up to a megabyte of text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from typing import Iterator

# --------------------------------------------------------------------- token patterns
# They follow the SPARQL 1.1 grammar (§19.8) where a difference could hide code from us: a
# comment ends at \r or \n; a prefixed name's local part may hold \-escapes such as \' or
# \# (so a quote there does not open a string) but never a bare '#' (that opens a comment);
# names may use any code point up to U+EFFFF. Elsewhere they are a little wider than the
# grammar, which only makes the checks see more, never less.
_WS = r"\s++"
_COMMENT = r"\#[^\r\n]*+"
_STRING = (r"'''(?:[^'\\]|\\.|'(?!''))*+'''"
           r'|"""(?:[^"\\]|\\.|"(?!""))*+"""'
           r"|'(?:[^'\\\r\n]|\\.)*+'"
           r'|"(?:[^"\\\r\n]|\\.)*+"')
_IRI = r'<[^<>"{}|^`\\\x00-\x20]*+>'
# Character classes are written as the complement of a few small ranges: compiling a class
# with a range up to U+EFFFF takes Python's re about 0.1 s (a bitmap per 256 code points),
# and these fragments recur in every pattern below; as complements they compile in well
# under a millisecond, for the same sets of characters.
_ASTRAL_END = r"\U000F0000-\U0010FFFF"
# [A-Za-z0-9_\u00B7-\U000EFFFF]
_VAR_CLASS = rf"[^\x00-\x2F\x3A-\x40\x5B-\x5E\x60\x7B-\xB6{_ASTRAL_END}]"
_VAR = rf"[?$]{_VAR_CLASS}++"
# [A-Za-z_\u00C0-\U000EFFFF]
_NAME_START_CLASS = rf"[^\x00-\x40\x5B-\x5E\x60\x7B-\xBF{_ASTRAL_END}]"
# [A-Za-z0-9_\-.\u00B7-\U000EFFFF]
_NAME_CHAR_CLASS = rf"[^\x00-\x2C\x2F\x3A-\x40\x5B-\x5E\x60\x7B-\xB6{_ASTRAL_END}]"
# the same and ':'
_NAME_OR_COLON_CLASS = rf"[^\x00-\x2C\x2F\x3B-\x40\x5B-\x5E\x60\x7B-\xB6{_ASTRAL_END}]"
_LOCAL = rf"(?:{_NAME_OR_COLON_CLASS}|%[0-9A-Fa-f]{{2}}|\\[_~.\-!$&'()*+,;=/?\#@%])*+"
_NAME = rf"(?:{_NAME_START_CLASS}{_NAME_CHAR_CLASS}*+(?::{_LOCAL})?|:{_LOCAL})"
# not ':' and no name start; white space and '#' never get here (tried first)
_NOT_NAME_START = rf"[\x00-\x39\x3B-\x40\x5B-\x5E\x60\x7B-\xBF{_ASTRAL_END}]"
# characters that start no token: not white space, # ' " < ? $ : or a name start
_PUNCTUATION = (r"[\x00-\x08\x0E-\x1B\x21\x25\x26\x28-\x39\x3B\x3D\x3E\x40\x5B-\x5E\x60"
                rf"\x7B-\x84\x86-\x9F\xA1-\xBF{_ASTRAL_END}]++")

_TOKEN = re.compile(
    rf"(?P<ws>{_WS})|(?P<comment>{_COMMENT})|(?P<string>{_STRING})|(?P<iri>{_IRI})"
    rf"|(?P<var>{_VAR})|(?P<name>{_NAME})|(?P<open>\{{)|(?P<close>\}})|(?P<other>.)",
    re.DOTALL,
)

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int
    depth: int  # brace depth at the token

    @property
    def keyword(self) -> str | None:
        """The upper-cased word if this is a bare keyword (not a prefixed name)."""
        if self.kind == "name" and ":" not in self.text:
            return self.text.upper()
        return None


# add_using and the worker's nesting check lex whole texts; a benchmark or dashboard sends
# the same named queries over and over, so results are cached, but only for short texts:
# the cache must stay small.
_CACHE_MAX_CHARS = 16_384


def tokens(text: str) -> list[Token]:
    """Split SPARQL text into tokens, skipping white space and comments."""
    if len(text) <= _CACHE_MAX_CHARS:
        return list(_cached_tokens(text))
    return _scan(text)


@lru_cache(maxsize=256)  # at most 256 x 16 KB of text plus its tokens
def _cached_tokens(text: str) -> tuple[Token, ...]:
    return tuple(_scan(text))


def _scan(text: str) -> list[Token]:
    return list(_iter_tokens(text))


def _iter_tokens(text: str) -> Iterator[Token]:
    depth = 0
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind in ("ws", "comment"):
            continue
        if kind == "close":
            depth = max(0, depth - 1)
        yield Token(kind, match.group(), match.start(), depth)
        if kind == "open":
            depth += 1


_OPENERS, _CLOSERS = frozenset("({["), frozenset(")}]")


def shape(text: str) -> tuple[int, int]:
    """(deepest bracket nesting, number of tokens) outside strings, IRIs and comments.

    One pass over the matches without building tokens: the query workers size up every
    text with it before the engine sees it.
    """
    depth = deepest = count = 0
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind == "ws" or kind == "comment":
            continue
        count += 1
        char = match.group() if kind in ("open", "close", "other") else ""
        if char in _OPENERS:
            depth += 1
            if depth > deepest:
                deepest = depth
        elif char in _CLOSERS and depth:
            depth -= 1
    return deepest, count


# --------------------------------------------------------------------- fast keyword scans
def _scanner(hit: str) -> re.Pattern[str]:
    """A pattern that matches either a run of tokens that are not ``hit`` names, or one such name.

    ``hit`` is a lookahead condition on a name token. Inside a run, the group ``last`` keeps
    the run's last token other than white space and comments (the regex engine remembers the
    last repetition of a group), so the token before a hit costs nothing.
    """
    # Possessive repeats (no backtracking state) make a run ~4x faster. Characters that start
    # no token are taken many at a time; the four that may start one (a quote, '<', '?',
    # '$') come one at a time, after their token failed to match, as in _TOKEN.
    token = rf"{_STRING}|{_IRI}|{_VAR}|(?!{hit}){_NAME}|{_PUNCTUATION}|{_NOT_NAME_START}"
    return re.compile(rf"(?P<run>(?:{_WS}|{_COMMENT}|(?P<last>{token}))++)|(?P<hit>(?={hit}){_NAME})",
                      re.DOTALL)


def _hits(scanner: re.Pattern[str], text: str) -> Iterator[tuple[re.Match[str], str | None]]:
    """Each name ``scanner`` is about, with the token before it (None at the start of the text).

    White space and comments do not count as the token before.
    """
    previous: str | None = None
    for match in scanner.finditer(text):
        if match.lastgroup == "hit":
            yield match, previous
            previous = match.group()
        elif match.group("last") is not None:
            previous = match.group("last")


# Braces inside strings, IRIs, comments and names (\-escapes) do not nest anything.
_NOT_BRACES = re.compile(rf"{_STRING}|{_IRI}|{_COMMENT}|{_NAME}", re.DOTALL)


class _Depth:
    """Brace depth at increasing positions of a text, counted only when asked for."""

    def __init__(self, text: str) -> None:
        self.text, self.position, self.depth = text, 0, 0

    def at(self, position: int) -> int:
        """The depth at ``position``, which must be a token start at or after the last one asked."""
        # Segments start and end at token boundaries, so lexing one alone lexes it as the whole
        # text does. Unlike tokens(), a stray '}' may take the depth below zero; that text is a
        # syntax error for the engine anyway, and callers treat <= 0 as the top level.
        segment = self.text[self.position:position]
        if "{" in segment or "}" in segment:
            segment = _NOT_BRACES.sub("", segment)
            self.depth += segment.count("{") - segment.count("}")
        self.position = position
        return self.depth


def _word(words: str) -> str:
    """Lookahead condition: the name is exactly one of ``words`` (bare, any case)."""
    return rf"(?i:{words})(?!{_NAME_OR_COLON_CLASS})"


_FORM_SCANNER = _scanner(_word("|".join(QUERY_FORMS)))
_FROM_SCANNER = _scanner(_word("FROM"))
_DATASET_SCANNER = _scanner(_word("USING|WITH"))


def query_form(text: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE, or None if the text has none of them."""
    for hit, _ in _hits(_FORM_SCANNER, text):
        return hit.group().upper()
    return None


# FROM, USING and WITH are only valid at the top level (a subquery has no dataset clause), so
# the first one decides: one inside a group makes the text a syntax error, which the engine
# reports. Stopping there also keeps a text of a hundred thousand FROMs cheap.
def has_from_clause(query: str) -> bool:
    """True if the query names its own dataset with FROM / FROM NAMED."""
    for hit, _ in _hits(_FROM_SCANNER, query):
        return _Depth(query).at(hit.start()) <= 0
    return False


def has_dataset_clause(update: str) -> bool:
    """True if an update names its own dataset with USING or WITH (outside any group)."""
    for hit, _ in _hits(_DATASET_SCANNER, update):
        return _Depth(update).at(hit.start()) <= 0
    return False


_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def _unescape(text: str) -> str:
    """Apply SPARQL's pre-parse codepoint escapes (§19.2), so ``\\u0053ERVICE`` is seen too.

    An escape naming no code point (``\\U0011FFFF``) is left as written: the engine refuses it.
    """
    def one(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF else match.group()
    return _ESCAPE.sub(one, text)


def forbidden_keyword(text: str) -> str | None:
    """``"SERVICE"`` or ``"LOAD"`` if the text could make the engine fetch remote data, else None.

    Checked on the text as written and with codepoint escapes applied: an engine that
    honours the escapes must not be able to see a keyword that we did not. Errs on the side
    of refusing a name that the engine might read as the keyword glued to something.
    """
    for candidate in (text, _unescape(text)) if "\\" in text else (text,):
        keyword = _forbidden_in(candidate)
        if keyword:
            return keyword
    return None


# The engine matches keywords case-insensitively and needs no word boundary after them:
# SERVICESILENT<x>, SERVICEex:z {, trueSERVICE<x>, 1e5SERVICE<x>, LOADSILENT<x> all run. The
# scanner stops only at names that could hide SERVICE or LOAD that way (so a query full of
# ex:load or download:x stays cheap); _forbidden_in then decides.
_C = _NAME_CHAR_CLASS
_SERVICE, _LOAD = "(?i:SERVICE)", "(?i:LOAD)"
_BLANKS = rf"(?:{_WS}|{_COMMENT})*+"
_BARE = rf"(?={_C}*+(?!:))"  # the name has no colon
_EXACTLY_LOAD = rf"{_LOAD}(?!{_NAME_OR_COLON_CLASS})"
_LOAD_ARGUMENT = rf"{_BLANKS}(?:[<\\:]|{_NAME_START_CLASS})"  # an IRI, a prefixed name or SILENT next
_OPERATION_END = rf"{_BLANKS}(?:\Z|;|(?i:INTO))"  # what may follow LOAD's IRI
_FORBIDDEN_SCANNER = _scanner("|".join([
    rf"{_BARE}(?!{_EXACTLY_LOAD}){_C}*?(?:{_SERVICE}|{_LOAD})",  # a word holding either, glued
    rf"{_EXACTLY_LOAD}(?={_LOAD_ARGUMENT})",  # LOAD <x>, LOAD SILENT, LOAD ex:x
    rf"(?={_C}*?{_SERVICE}){_C}*+:{_LOCAL}(?={_BLANKS}\{{)",  # SERVICEex:z { (or myservice:x {)
    rf"{_LOAD}{_C}*+:{_LOCAL}(?={_OPERATION_END})",  # loader:x ; (LOAD er:x)
]))
_SERVICE_OR_LOAD = re.compile(f"{_SERVICE}|{_LOAD}")
_GROUP_FOLLOWS = re.compile(rf"{_BLANKS}\{{")
_OPERATION_END_FOLLOWS = re.compile(_OPERATION_END)
_BARE_NAME = re.compile(rf"{_NAME_START_CLASS}{_C}*")


def _forbidden_in(text: str) -> str | None:
    depth = _Depth(text)
    for hit, previous in _hits(_FORBIDDEN_SCANNER, text):
        prefix, colon, _ = hit.group().partition(":")
        first = _SERVICE_OR_LOAD.search(prefix)
        if first is None:
            continue
        if not colon:
            # A bare word: no SPARQL keyword contains SERVICE or LOAD, so this is the keyword,
            # maybe glued to another word. (A lone LOAD with no IRI after it is not a hit: it is
            # a syntax error, left to the engine so that the client gets its 400.)
            return "LOAD" if len(first.group()) == 4 else "SERVICE"
        # A prefixed name: the engine reads SERVICEex:z { as SERVICE ex:z {, even when a
        # prefix serviceex: is declared (its parser backtracks), and loader:x as a whole update
        # operation as LOAD er:x.
        if _GROUP_FOLLOWS.match(text, hit.end()) and (previous or "").upper() != "GRAPH" \
                and any(len(m.group()) == 7 for m in _SERVICE_OR_LOAD.finditer(prefix)):
            return "SERVICE"
        if first.start() == 0 and len(first.group()) == 4 and _OPERATION_END_FOLLOWS.match(text, hit.end()) \
                and depth.at(hit.start()) <= 0 and not _is_keyword(previous):
            return "LOAD"
    return None


def _is_keyword(token: str | None) -> bool:
    """True for a bare word (GRAPH, WITH, INTO ...): an update operation never starts after one.

    It starts at the beginning, after ';' or after a prologue IRI.
    """
    return token is not None and _BARE_NAME.fullmatch(token) is not None


# --------------------------------------------------------------------- LOAD SILENT
_SILENT_LOADS_MAX_TOKENS = 1_000


def only_silent_loads(update: str) -> bool:
    """True if the update is nothing but ``LOAD SILENT <iri> [INTO GRAPH <iri>]`` operations.

    SPARQL 1.1 Update §3.1.4: with SILENT a LOAD always succeeds, so such an update may be
    answered with success without fetching anything.
    """
    # Such an update is a handful of tokens; anything long is something else, so stop early.
    toks = list(islice(_iter_tokens(update), _SILENT_LOADS_MAX_TOKENS + 1))
    if len(toks) > _SILENT_LOADS_MAX_TOKENS:
        return False
    declared: set[str] = set()
    position, loads = 0, 0

    def names_iri(token: Token) -> bool:
        return token.kind == "iri" or (token.kind == "name" and token.text.split(":", 1)[0] + ":" in declared
                                       and ":" in token.text)

    while position < len(toks):
        keyword = toks[position].keyword
        if keyword == "PREFIX" and position + 2 < len(toks) and toks[position + 1].text.endswith(":") \
                and toks[position + 2].kind == "iri":
            declared.add(toks[position + 1].text)
            position += 3
        elif keyword == "BASE" and position + 1 < len(toks) and toks[position + 1].kind == "iri":
            position += 2
        elif keyword == "LOAD":
            operation = toks[position:position + 6]
            if len(operation) < 3 or operation[1].keyword != "SILENT" or not names_iri(operation[2]):
                return False
            position += 3
            if len(operation) >= 6 and operation[3].keyword == "INTO" and operation[4].keyword == "GRAPH":
                if not names_iri(operation[5]):
                    return False
                position += 3
            loads += 1
            if position < len(toks):
                if toks[position].text != ";":
                    return False
                position += 1
        else:
            return False
    return loads > 0


# --------------------------------------------------------------------- rewriting
def add_using(update: str, using: list[str], using_named: list[str]) -> str:
    """Apply the protocol's ``using-graph-uri`` / ``using-named-graph-uri`` to an update.

    SPARQL 1.1 Protocol §2.2.3 says they act like USING / USING NAMED clauses on every
    DELETE/INSERT ... WHERE operation; the engine we embed has no such parameter, so we add the
    clauses to the text just before each top-level WHERE that belongs to such an operation
    (``DELETE WHERE`` takes no USING, so it is left alone).
    """
    if not using and not using_named:
        return update
    clause = " ".join([*(f"USING <{g}>" for g in using), *(f"USING NAMED <{g}>" for g in using_named)])
    toks = tokens(update)
    inserts: list[int] = []
    for index, token in enumerate(toks):
        if token.keyword == "WHERE" and token.depth == 0:
            previous = toks[index - 1].keyword if index else None
            if previous != "DELETE":
                inserts.append(token.start)
    for position in reversed(inserts):
        update = update[:position] + clause + " " + update[position:]
    return update


# --------------------------------------------------------------------- dataset clauses
def dataset_clauses(query: str, base_iri: str | None = None) -> tuple[list[str], list[str]] | None:
    """The IRIs of the query's FROM and FROM NAMED clauses, resolved, or None.

    None when the query has no FROM clause, or when one is not plain enough to read here
    (a relative IRI without a base, an undeclared prefix): the engine then reads its
    dataset itself. PREFIX and BASE declarations are applied as the grammar says (§4.1.1).
    """
    if not has_from_clause(query):
        return None
    text = _unescape(query) if "\\" in query else query
    toks = [t for t in tokens(text) if t.depth == 0]
    declared: dict[str, str] = {}
    base = base_iri
    default: list[str] = []
    named: list[str] = []
    for index, token in enumerate(toks):
        keyword = token.keyword
        following = toks[index + 1:index + 3]
        if keyword == "BASE" and following and following[0].kind == "iri":
            base = _resolve(following[0].text[1:-1], base) or base
        elif keyword == "PREFIX" and len(following) == 2 and following[1].kind == "iri":
            declared[following[0].text.rstrip(":")] = _resolve(following[1].text[1:-1], base) or ""
        elif keyword == "FROM" and following:
            into = named if following[0].keyword == "NAMED" else default
            term = following[1] if into is named and len(following) > 1 else following[0]
            iri = _term_iri(term, declared, base)
            if iri is None:
                return None
            into.append(iri)
    return default, named


def _resolve(reference: str, base: str | None) -> str | None:
    """``reference`` resolved against ``base`` (RFC 3986), or None if it stays relative."""
    from urllib.parse import urljoin, urlsplit

    resolved = urljoin(base, reference) if base else reference
    return resolved if urlsplit(resolved).scheme else None


_LOCAL_ESCAPE = re.compile(r"\\(.)")


def _term_iri(token: Token, declared: dict[str, str], base: str | None) -> str | None:
    if token.kind == "iri":
        return _resolve(token.text[1:-1], base)
    if token.kind == "name" and ":" in token.text:
        prefix, _, local = token.text.partition(":")
        if prefix in declared and declared[prefix]:
            return declared[prefix] + _LOCAL_ESCAPE.sub(r"\1", local)
    return None
