"""Pure parts of the endpoint: Accept parsing, format tables, and the SPARQL text checks."""
from __future__ import annotations

import pytest

from esgkg.service.negotiation import (GRAPH_FORMATS, RESULT_FORMATS, choose, negotiate, parse_accept,
                                       prefers_html)
from esgkg.graph.sparql_text import add_using, forbidden_keyword, has_dataset_clause, query_form


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


def test_query_form_and_forbidden_keywords():
    assert query_form("PREFIX s: <http://x/select#> # SELECT\nCONSTRUCT WHERE { ?s ?p ?o }") == "CONSTRUCT"
    assert forbidden_keyword('SELECT * { ?s ?p "SERVICE" . ?s ex:service ?load } # LOAD') is None
    assert forbidden_keyword("select * { service <http://x/> { ?s ?p ?o } }") == "SERVICE"
    assert forbidden_keyword("SELECT * { \\u0053ERVICE <http://x/> {} }") == "SERVICE"
    assert forbidden_keyword("LOAD SILENT <http://x/>") == "LOAD"


def test_add_using_and_conflicts():
    update = "INSERT { ?s a <t> } WHERE { { SELECT ?s WHERE { ?s ?p ?o } } } ; DELETE WHERE { ?s <p> ?o }"
    rewritten = add_using(update, ["http://g/1"], ["http://g/2"])
    assert rewritten.count("USING <http://g/1> USING NAMED <http://g/2> WHERE") == 1
    assert rewritten.endswith("DELETE WHERE { ?s <p> ?o }")
    assert has_dataset_clause("WITH <g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }")
    assert not has_dataset_clause('INSERT DATA { <a> <b> "with using" }')
