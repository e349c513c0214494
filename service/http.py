"""HTTP mechanics shared by every URL area: formats and content negotiation, suffix twins
(``.ttl``, ``.json``), the page language, and revalidation (ETag, Last-Modified, 304).

The rules (which Accept wins, what a suffix means, when a 304 is due) are written once here
and unit-tested; the areas only name the table of formats they can produce.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import format_datetime, parsedate_to_datetime

from flask import Request, Response

from esgkg.graph import formats


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


# The formats are graph/formats.py's; what is written here is the negotiation policy: which
# other names and media types select each, and which one `*/*` gets (the first).

# SELECT and ASK.
RESULT_FORMATS: tuple[Format, ...] = (
    Format(formats.RESULTS_JSON.key, formats.RESULTS_JSON.media_type, ("application/json", "srj")),
    Format(formats.RESULTS_XML.key, formats.RESULTS_XML.media_type, ("application/xml", "text/xml", "srx")),
    Format(formats.RESULTS_CSV.key, formats.RESULTS_CSV.media_type),
    Format(formats.RESULTS_TSV.key, formats.RESULTS_TSV.media_type, ("tab",)),
)
# ASK has no CSV/TSV form in the standard; oxigraph writes one, but we keep to the spec.
BOOLEAN_FORMATS: tuple[Format, ...] = tuple(
    f for f in RESULT_FORMATS if formats.RESULTS_BY_MEDIA_TYPE[f.media_type].boolean)

# CONSTRUCT and DESCRIBE (triples) and graph uploads; the `format` parameter's names of the
# SPARQL protocol world (turtle, ntriples, rdfxml), the file suffixes as aliases.
GRAPH_FORMATS: tuple[Format, ...] = (
    Format("turtle", formats.TURTLE.media_type, (formats.TURTLE.key, "application/x-turtle")),
    Format(formats.JSONLD.key, formats.JSONLD.media_type, ("json-ld", "json", "application/json")),
    Format("ntriples", formats.NTRIPLES.media_type, (formats.NTRIPLES.key, "n-triples")),
    Format("rdfxml", formats.RDFXML.media_type,
           (formats.RDFXML.key, "xml", "rdf-xml", "application/xml", "text/xml")),
    Format(formats.TRIG.key, formats.TRIG.media_type, ()),
    Format("nquads", formats.NQUADS.media_type, (formats.NQUADS.key, "n-quads")),
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


# -- linked-data resources: suffix twins, language, revalidation
# What a resource IRI can answer with. The first entry is what `*/*` (curl, most RDF
# libraries) gets: machines ask without preferences, browsers always name text/html.
# A resource's document: named by its suffix (/id/x.ttl), Turtle for `*/*`.
TURTLE = Format(formats.TURTLE.key, formats.TURTLE.media_type, ("application/x-turtle",))
JSONLD = Format(formats.JSONLD.key, formats.JSONLD.media_type, ("application/json",))
NTRIPLES = Format(formats.NTRIPLES.key, formats.NTRIPLES.media_type, ("text/plain",))
RDFXML = Format(formats.RDFXML.key, formats.RDFXML.media_type, ("application/xml", "text/xml"))
HTML = Format("html", "text/html", ("application/xhtml+xml",))
RESOURCE_FORMATS: tuple[Format, ...] = (TURTLE, HTML, JSONLD, NTRIPLES, RDFXML)
BY_KEY = {f.name: f for f in RESOURCE_FORMATS}
SUFFIXES = {"." + f.name: f.name for f in RESOURCE_FORMATS}

LANGUAGES = ("en", "zh-hant")


def split_suffix(path: str) -> tuple[str, str | None]:
    """``id/x/topic/a.ttl`` -> (``id/x/topic/a``, ``ttl``); no known suffix -> (path, None)."""
    for suffix, key in SUFFIXES.items():
        if path.endswith(suffix) and len(path) > len(suffix):
            return path[: -len(suffix)], key
    return path, None


def negotiate_resource(accept: str | None) -> Format | None:
    """The representation of a resource an Accept header prefers (q-values honoured); None means 406."""
    return choose(accept, RESOURCE_FORMATS)


def language(request: Request) -> str:
    """``en`` or ``zh-hant``: ``?lang=`` first, then Accept-Language (by q), then English."""
    wanted = (request.args.get("lang") or "").lower()
    if wanted.startswith("zh"):
        return "zh-hant"
    if wanted.startswith("en"):
        return "en"
    for value, _quality in request.accept_languages:  # already sorted by quality
        value = value.lower()
        if value.startswith("zh"):
            return "zh-hant"  # the report's Chinese is Traditional; any zh reader gets it
        if value.startswith("en"):
            return "en"
    return "en"


def http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(timezone.utc).replace(microsecond=0), usegmt=True)


def not_modified(request: Request, etag: str, last_modified: datetime | None) -> bool:
    """RFC 9110 §13.2.2: If-None-Match (weak comparison) wins; else If-Modified-Since."""
    header = request.headers.get("If-None-Match")
    if header is not None:
        if header.strip() == "*":
            return True
        mine = etag.removeprefix("W/")
        return any(tag.strip().removeprefix("W/") == mine for tag in header.split(","))
    since = request.headers.get("If-Modified-Since")
    if since and last_modified is not None:
        try:
            return last_modified.replace(microsecond=0) <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False


def validators(response: Response, etag: str, last_modified: datetime | None) -> Response:
    response.headers["ETag"] = etag
    if last_modified is not None:
        response.headers["Last-Modified"] = http_date(last_modified)
    return response


def not_modified_response(etag: str, last_modified: datetime | None, vary: str) -> Response:
    response = Response(status=304)
    response.headers["Vary"] = vary
    return validators(response, etag, last_modified)
