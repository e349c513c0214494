"""HTTP mechanics of linked-data publishing: formats, suffixes, languages and revalidation.

Kept apart from the routes so the rules (what ``.ttl`` means, which Accept wins, when a 304
is due) are written once and unit-testable.
"""
from __future__ import annotations

from email.utils import format_datetime, parsedate_to_datetime
from datetime import datetime, timezone

from flask import Request, Response

from .negotiation import Format, choose

# What a resource IRI can answer with. The first entry is what `*/*` (curl, most RDF
# libraries) gets: machines ask without preferences, browsers always name text/html.
TURTLE = Format("ttl", "text/turtle", ("application/x-turtle",))
JSONLD = Format("jsonld", "application/ld+json", ("application/json",))
NTRIPLES = Format("nt", "application/n-triples", ("text/plain",))
RDFXML = Format("rdf", "application/rdf+xml", ("application/xml", "text/xml"))
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


def negotiate(accept: str | None) -> Format | None:
    """The representation an Accept header prefers (q-values honoured); None means 406."""
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
