"""Values the report prints with a qualifier: "超過197家", "1%以下", "300+", "近百名", "10-20".

A qualified value never carries ``esg:value``: that property means "exactly this number"
to every query and consistency rule, so a bound read through it would be read as exact.
It carries the printed number (``esg:valueAsPrinted``), the qualifier (a concept of the
value-qualifier code list) and its bounds in the canonical unit (``esg:lowerBound`` /
``esg:upperBound``, inclusive or not as the qualifier says), or ``esg:approximateValue``.
docs/decisions.md §23 has the reasons.
"""
from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import Namespace

# key -> (zh-Hant, en, which bound the printed number is, inclusive)
QUALIFIERS: dict[str, tuple[str, str, str, bool]] = {
    "more-than": ("超過", "More than", "lower", False),
    "at-least": ("不少於", "At least", "lower", True),
    "less-than": ("少於", "Less than", "upper", False),
    "at-most": ("不多於", "At most", "upper", True),
    "approximately": ("約", "Approximately", "approximate", True),
    "range": ("範圍", "Range", "lower", True),
}


def qualified_value(g: Graph, esg: Namespace, obs: URIRef, qualifier: str, qualifier_iri: URIRef,
                    value: Literal, upper: Literal | None) -> None:
    """The triples of one qualified observation's number (both literals in the canonical unit)."""
    _, _, bound, inclusive = QUALIFIERS[qualifier]
    g.add((obs, esg.valueQualifier, qualifier_iri))
    if bound == "approximate":
        g.add((obs, esg.approximateValue, value))
        return
    g.add((obs, esg.lowerBound if bound == "lower" else esg.upperBound, value))
    if upper is not None:
        g.add((obs, esg.upperBound, upper))
    g.add((obs, esg.boundInclusive, Literal(inclusive)))
