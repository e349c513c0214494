"""The rules by which tests/test_backends_remote_virtuoso.py calls two engines' answers equal:
only what SPARQL 1.1 and RDF 1.1 leave open is forgiven, everything else is a difference."""
from __future__ import annotations

import pyoxigraph as ox
import pytest

from engines_support import Answer, aggregate_columns, differences, order_variables

XSD = "http://www.w3.org/2001/XMLSchema#"
QUERY = """SELECT ?k ?label ?n (GROUP_CONCAT(DISTINCT ?x; separator=", ") AS ?xs) (SAMPLE(?y) AS ?any)
WHERE { { SELECT ?k WHERE { ?k ?p ?o } ORDER BY ?o } } GROUP BY ?k ?label ?n ORDER BY ?k ?label ?n"""
VARS = ["k", "label", "n", "xs", "any"]


def lit(value: str, datatype: str | None = None, language: str | None = None) -> ox.Literal:
    if language:
        return ox.Literal(value, language=language)
    return ox.Literal(value, datatype=ox.NamedNode(XSD + (datatype or "string")))


def row(k="a", label=None, n=None, xs=None, any_=None) -> tuple:
    return (lit(k), label or lit("Label", language="zh-Hant"), n or lit("1.50", "decimal"),
            xs or lit("p, q"), any_ or lit("y1"))


def test_the_query_is_read_for_aggregates_and_order():
    assert aggregate_columns(QUERY) == {"xs": ("GROUP_CONCAT", ", "), "any": ("SAMPLE", " ")}
    assert order_variables(QUERY) == ["k", "label", "n"]


@pytest.mark.parametrize("other", [
    row(label=lit("Label", language="zh-hant")),  # language tags are case-insensitive
    row(n=lit("1.5", "decimal")),  # one xsd:decimal value
    row(xs=lit("q, p", language="en")),  # GROUP_CONCAT: any order, tag per SPARQL 1.1 or 1.2
    row(any_=lit("y2")),  # SAMPLE: any value of the group
])
def test_what_the_specifications_leave_open_is_equal(other):
    assert differences(QUERY, Answer(VARS, [row()]), Answer(VARS, [other])) == []


@pytest.mark.parametrize("other", [
    row(label=lit("Label", language="en")),
    row(label=lit("Label")),  # the tag dropped
    row(n=lit("1.5", "double")),  # same number, another datatype
    row(n=lit("1.51", "decimal")),
    row(xs=lit("p, r")),
    row(xs=lit("")),  # "" is not unbound
])
def test_everything_else_is_a_difference(other):
    assert differences(QUERY, Answer(VARS, [row()]), Answer(VARS, [other])) != []


def test_order_by_is_kept_up_to_the_first_tagged_key():
    a, b = row(k="a"), row(k="b")
    assert differences(QUERY, Answer(VARS, [a, b]), Answer(VARS, [b, a])) != []
    tied = [row(label=lit("B", language="en")), row(label=lit("a", language="en"))]
    assert differences(QUERY, Answer(VARS, tied), Answer(VARS, tied[::-1])) == []
    unordered = QUERY.rsplit("ORDER BY", 1)[0]
    assert differences(unordered, Answer(VARS, [a, b]), Answer(VARS, [b, a])) == []
    assert differences(QUERY, Answer(VARS, [a, a]), Answer(VARS, [a])) != []  # multisets


def test_empty_group_concat_is_forgiven_only_when_asked():
    unbound = (*row()[:3], None, row()[4])
    empty = row(xs=lit(""))
    assert differences(QUERY, Answer(VARS, [unbound]), Answer(VARS, [empty])) != []
    assert differences(QUERY, Answer(VARS, [unbound]), Answer(VARS, [empty]), empty_concat_unbound=True) == []
