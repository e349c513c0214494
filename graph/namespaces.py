"""Every IRI the project spells lives here: vocabularies we reuse and the IRIs we mint.

Minted IRIs hang off one base (``ESGKG_BASE_IRI``, default ``https://w3id.org/esgkg/``) so
that a deployment under its own domain mints, and therefore dereferences, its own IRIs.
"""
from __future__ import annotations

import os
import re

from rdflib import Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD

DEFAULT_BASE = "https://w3id.org/esgkg/"

QB = Namespace("http://purl.org/linked-data/cube#")
SDMX_ATTR = Namespace("http://purl.org/linked-data/sdmx/2009/attribute#")
SDMX_DIM = Namespace("http://purl.org/linked-data/sdmx/2009/dimension#")
UNIT = Namespace("http://qudt.org/vocab/unit/")
QUANTITYKIND = Namespace("http://qudt.org/vocab/quantitykind/")
QUDT = Namespace("http://qudt.org/schema/qudt/")
SDG = Namespace("http://metadata.un.org/sdg/")
SDGO = Namespace("http://metadata.un.org/sdg/ontology#")
SH = Namespace("http://www.w3.org/ns/shacl#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SCHEMA = Namespace("https://schema.org/")
ROV = Namespace("http://www.w3.org/ns/regorg#")

__all__ = [
    "DCAT", "DCTERMS", "FOAF", "ORG", "OWL", "PROV", "RDF", "RDFS", "SKOS", "VOID", "XSD",
    "QB", "SDMX_ATTR", "SDMX_DIM", "UNIT", "QUANTITYKIND", "QUDT", "SDG", "SDGO", "SH", "SD",
    "SCHEMA", "ROV", "Iris", "base_iri", "PREFIXES",
]

_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def base_iri() -> str:
    """The configured base for minted IRIs, always ending in a slash."""
    base = os.environ.get("ESGKG_BASE_IRI", DEFAULT_BASE)
    return base if base.endswith("/") else base + "/"


class Iris:
    """Mints the project's IRIs under one base. One instance per build or request."""

    def __init__(self, base: str | None = None) -> None:
        self.base = base or base_iri()
        self.esg = Namespace(self.base + "ontology#")
        self.shapes = Namespace(self.base + "shapes#")
        self.ontology = URIRef(self.base + "ontology")
        self.shapes_graph = URIRef(self.base + "shapes")

    def _join(self, *parts: str) -> URIRef:
        for part in parts:
            if not _SLUG.match(part):
                raise ValueError(f"not a valid IRI segment: {part!r}")
        return URIRef(self.base + "/".join(parts))

    # Named graphs of the dataset.
    def graph(self, name: str) -> URIRef:
        return self._join("graph", name)

    def report_graph(self, report_id: str) -> URIRef:
        return self._join("graph", "report", report_id)

    def validation_graph(self, report_id: str) -> URIRef:
        """The build's findings on one report's records (the verdict is in ``graph("validation")``)."""
        return self._join("graph", "validation", report_id)

    def dataset(self) -> URIRef:
        return URIRef(self.base + "dataset")

    # Entities.
    def org(self, org_id: str) -> URIRef:
        return self._join("id", "org", org_id)

    def report(self, report_id: str) -> URIRef:
        return self._join("id", report_id)

    def entity(self, report_id: str, kind: str, local_id: str) -> URIRef:
        return self._join("id", report_id, kind, local_id)

    def section(self, report_id: str, section_id: str) -> URIRef:
        return self._join("id", report_id, "section", section_id)

    def scheme(self, scheme_id: str) -> URIRef:
        return self._join("id", "scheme", scheme_id)

    def provision(self, scheme_id: str, code: str) -> URIRef:
        return self._join("id", "scheme", scheme_id, code_segment(code))

    def pillar(self, letter: str) -> URIRef:
        return self._join("id", "pillar", letter.upper())

    def horizon(self, name: str) -> URIRef:
        return self._join("id", "horizon", name)

    def dimension_value(self, dimension: str, value: str) -> URIRef:
        return self._join("id", "code", dimension, value)

    @staticmethod
    def sdg_goal(number: int | str) -> URIRef:
        return SDG[str(number)]

    @staticmethod
    def sdg_target(target: str) -> URIRef:
        return SDG[target]


def code_segment(code: str) -> str:
    """Framework codes like 'GRI 305' or 'A1.1' as one IRI path segment."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", code.strip()).strip("-")


PREFIXES: dict[str, str] = {
    "rdf": str(RDF), "rdfs": str(RDFS), "owl": str(OWL), "xsd": str(XSD), "skos": str(SKOS),
    "dcterms": str(DCTERMS), "prov": str(PROV), "org": str(ORG), "foaf": str(FOAF),
    "qb": str(QB), "sdmx-attribute": str(SDMX_ATTR), "sdmx-dimension": str(SDMX_DIM),
    "unit": str(UNIT), "quantitykind": str(QUANTITYKIND), "qudt": str(QUDT),
    "sdg": str(SDG), "sdgo": str(SDGO), "sh": str(SH), "dcat": str(DCAT), "void": str(VOID), "rov": "http://www.w3.org/ns/regorg#",
}


def prefixes(iris: Iris | None = None) -> dict[str, str]:
    """All prefixes, including the ones that depend on the configured base."""
    iris = iris or Iris()
    return {**PREFIXES, "esg": str(iris.esg), "esgsh": str(iris.shapes), "id": iris.base + "id/"}
