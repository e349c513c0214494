"""Content negotiation (service/http.py): Accept parsing and the choice among format tables."""
from __future__ import annotations

import pytest

from esgkg.service.http import (GRAPH_FORMATS, RESULT_FORMATS, choose, negotiate, parse_accept,
                                       prefers_html)


@pytest.mark.parametrize("accept,expected", [
    (None, "application/sparql-results+json"),
    ("*/*", "application/sparql-results+json"),
    ("text/*", "text/csv"),
    ("text/csv;q=0.2, application/sparql-results+xml;q=0.8", "application/sparql-results+xml"),
    ("application/sparql-results+xml;q=0, */*;q=0.1", "application/sparql-results+json"),
    ("text/tab-separated-values, text/csv", "text/tab-separated-values"),
    ("garbage, text/csv", "text/csv"),
])
def test_choose_result_format(accept, expected):
    assert choose(accept, RESULT_FORMATS).media_type == expected


def test_choose_none_and_format_param():
    assert choose("image/png", RESULT_FORMATS) is None
    assert negotiate("text/csv", "xml", RESULT_FORMATS).media_type == "application/sparql-results+xml"
    assert negotiate(None, "ttl", GRAPH_FORMATS).media_type == "text/turtle"
    assert negotiate(None, "application/ld+json", GRAPH_FORMATS).name == "jsonld"
    assert negotiate(None, "nope", GRAPH_FORMATS) is None


def test_parse_accept_q_values():
    ranges = parse_accept("text/html;level=1;q=0.5, */*;q=bad")
    assert [(r.type, r.subtype, r.q) for r in ranges] == [("text", "html", 0.5), ("*", "*", 0.0)]


def test_prefers_html():
    assert prefers_html("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
    assert not prefers_html("*/*")
    assert not prefers_html("text/turtle, text/html;q=0.5")
    assert not prefers_html(None)
