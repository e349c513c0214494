"""Content negotiation: parse ``Accept`` headers and pick a format from a table.

Pure functions and data only (no Flask, no store), so every route and the tests share one
table of what the service can produce.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    """One serialization the service can produce."""

    name: str  # short name, also accepted by the ``format`` parameter
    media_type: str  # the media type we answer with
    aliases: tuple[str, ...] = ()  # other media types or short names that select it
    charset: bool = True  # whether to add ``; charset=utf-8``

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8" if self.charset else self.media_type

    def names(self) -> tuple[str, ...]:
        return (self.name, self.media_type, *self.aliases)


# SELECT and ASK. The first entry is the default for `*/*`.
RESULT_FORMATS: tuple[Format, ...] = (
    Format("json", "application/sparql-results+json", ("application/json", "srj")),
    Format("xml", "application/sparql-results+xml", ("application/xml", "text/xml", "srx")),
    Format("csv", "text/csv"),
    Format("tsv", "text/tab-separated-values", ("tab",)),
)
# ASK has no CSV/TSV form in the standard; oxigraph writes one, but we keep to the spec.
BOOLEAN_FORMATS: tuple[Format, ...] = RESULT_FORMATS[:2]

# CONSTRUCT and DESCRIBE (triples) and graph dumps. The first entry is the default.
GRAPH_FORMATS: tuple[Format, ...] = (
    Format("turtle", "text/turtle", ("ttl", "application/x-turtle")),
    Format("jsonld", "application/ld+json", ("json-ld", "json", "application/json")),
    Format("ntriples", "application/n-triples", ("nt", "n-triples")),
    Format("rdfxml", "application/rdf+xml", ("rdf", "xml", "rdf-xml", "application/xml", "text/xml")),
    Format("trig", "application/trig", ()),
    Format("nquads", "application/n-quads", ("nq", "n-quads")),
)


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    q: float
    order: int

    def matches(self, media_type: str) -> bool:
        main, _, sub = media_type.partition("/")
        return (self.type in ("*", main)) and (self.subtype in ("*", sub))

    @property
    def specificity(self) -> int:
        return (self.type != "*") + (self.subtype != "*")


def parse_accept(header: str | None) -> list[MediaRange]:
    """Parse an ``Accept`` header into media ranges, tolerating junk (RFC 9110 §12.5.1).

    An absent or empty header means ``*/*``. Ranges we cannot read are skipped rather than
    failing the request: a sloppy client should get a default, not an error.
    """
    if not header or not header.strip():
        return [MediaRange("*", "*", 1.0, 0)]
    ranges: list[MediaRange] = []
    for order, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if "/" not in media:
            if media == "*":
                media = "*/*"
            else:
                continue
        main, _, sub = media.partition("/")
        q = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value.strip())))
                except ValueError:
                    q = 0.0
        ranges.append(MediaRange(main, sub, q, order))
    return ranges


def _quality(ranges: list[MediaRange], media_type: str) -> tuple[float, int, int] | None:
    """The q of the most specific range that matches, or None if none does."""
    best: MediaRange | None = None
    for r in ranges:
        if r.matches(media_type) and (best is None or r.specificity > best.specificity):
            best = r
    if best is None or best.q <= 0:
        return None
    return best.q, best.specificity, -best.order


def choose(accept: str | None, formats: tuple[Format, ...]) -> Format | None:
    """The format the client prefers among ``formats``; None means 406.

    Ties on q go to the more specific range, then to the earlier range in the header, then to
    the order of ``formats`` (so ``*/*`` gets the table's default).
    """
    ranges = parse_accept(accept)
    exact = [r for r in ranges if r.specificity == 2]
    scored: list[tuple[tuple[float, int, int], int, Format]] = []
    for index, fmt in enumerate(formats):
        # Wildcards match a format's own media type only; an alias (text/xml for SPARQL XML)
        # counts only when the client names it, so text/* means CSV, not XML.
        scores = [_quality(ranges, fmt.media_type)]
        scores += [_quality(exact, a) for a in fmt.aliases if "/" in a]
        scores = [s for s in scores if s is not None]
        if scores:
            scored.append((max(scores), -index, fmt))
    if not scored:
        return None
    scored.sort(key=lambda item: (item[0], item[1]), reverse=True)
    return scored[0][2]


def by_name(name: str, formats: tuple[Format, ...]) -> Format | None:
    """The format a ``format=`` parameter names (short name, alias or media type)."""
    wanted = name.strip().lower()
    for fmt in formats:
        if wanted in fmt.names():
            return fmt
    return None


def negotiate(accept: str | None, format_param: str | None, formats: tuple[Format, ...]) -> Format | None:
    """``format=`` wins over ``Accept`` (browsers cannot set headers on a link)."""
    if format_param:
        return by_name(format_param, formats)
    return choose(accept, formats)


def prefers_html(accept: str | None) -> bool:
    """True when a browser asks for a page: text/html explicitly ranked above RDF."""
    ranges = parse_accept(accept)
    html = _quality([r for r in ranges if r.specificity == 2], "text/html")
    if html is None:
        return False
    rdf = [_quality(ranges, f.media_type) for f in GRAPH_FORMATS]
    best_rdf = max((s for s in rdf if s is not None), default=None)
    return best_rdf is None or html[0] >= best_rdf[0]
