"""How a governance body relates to the organisation (docs/data-model.md, decisions §23).

A body of the organisation is a unit of it, or of the body it is part of. An external body
(a shareholder group, an adviser, a regulator's committee) is never a unit of the
organisation: it is only linked to it, and is a unit of nothing but another external body.
"""
from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.namespace import ORG, RDF

from .yaml_lines import Record


def body_relation(g: Graph, body: URIRef, rec: Record, org: URIRef, parent: URIRef | None) -> None:
    """Add the triples that place one body: unit of its parent, or linked to the organisation."""
    if rec["kind"] == "external" and parent is None:
        g.add((body, ORG.linkedTo, org))
        return
    # sources.py has checked that an external body's parent is external too (集團消保委 in
    # 平安集團), so nothing outside the organisation becomes one of its units.
    within = parent if parent is not None else org
    g.add((body, RDF.type, ORG.OrganizationalUnit))
    g.add((body, ORG.unitOf, within))
    g.add((body, ORG.subOrganizationOf, within))
    g.add((within, ORG.hasUnit, body))
