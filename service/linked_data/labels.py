"""Turning IRIs into things a person can read: labels in two languages, links, short names."""
from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from esgkg.graph.named_queries import sdg_notation
from esgkg.graph.namespaces import Iris, prefixes

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
TITLE = "http://purl.org/dc/terms/title"
NOTATION = "http://www.w3.org/2004/02/skos/core#notation"
_LABEL_ORDER = (PREF_LABEL, RDFS_LABEL, TITLE)

# Reused vocabularies have no labels in our store; these are what their terms mean here.
FRIENDLY: dict[str, tuple[str, str]] = {
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type": ("type", "類型"),
    RDFS_LABEL: ("label", "標籤"),
    "http://www.w3.org/2000/01/rdf-schema#comment": ("comment", "說明"),
    "http://www.w3.org/2000/01/rdf-schema#subClassOf": ("subclass of", "子類別於"),
    "http://www.w3.org/2000/01/rdf-schema#subPropertyOf": ("subproperty of", "子屬性於"),
    "http://www.w3.org/2000/01/rdf-schema#domain": ("domain", "定義域"),
    "http://www.w3.org/2000/01/rdf-schema#range": ("range", "值域"),
    "http://www.w3.org/2000/01/rdf-schema#seeAlso": ("see also", "另見"),
    PREF_LABEL: ("preferred label", "首選標籤"),
    "http://www.w3.org/2004/02/skos/core#altLabel": ("other wording", "其他寫法"),
    NOTATION: ("code", "編號"),
    "http://www.w3.org/2004/02/skos/core#inScheme": ("in scheme", "所屬體系"),
    "http://www.w3.org/2004/02/skos/core#topConceptOf": ("top concept of", "頂層概念於"),
    "http://www.w3.org/2004/02/skos/core#hasTopConcept": ("top concept", "頂層概念"),
    "http://www.w3.org/2004/02/skos/core#broader": ("broader", "上位概念"),
    "http://www.w3.org/2004/02/skos/core#narrower": ("narrower", "下位概念"),
    "http://www.w3.org/2004/02/skos/core#exactMatch": ("same as", "等同"),
    "http://www.w3.org/2004/02/skos/core#closeMatch": ("close match", "近似"),
    "http://www.w3.org/2004/02/skos/core#definition": ("definition", "定義"),
    "http://www.w3.org/2004/02/skos/core#note": ("note", "附註"),
    "http://www.w3.org/2004/02/skos/core#scopeNote": ("scope note", "範圍說明"),
    "http://www.w3.org/2004/02/skos/core#editorialNote": ("editorial note", "編輯說明"),
    "http://www.w3.org/ns/prov#wasDerivedFrom": ("from report section", "出自報告章節"),
    "http://purl.org/dc/terms/isPartOf": ("part of", "屬於"),
    "http://purl.org/dc/terms/hasPart": ("has part", "包含"),
    TITLE: ("title", "標題"),
    "http://purl.org/dc/terms/description": ("description", "描述"),
    "http://purl.org/dc/terms/license": ("licence", "授權"),
    "http://purl.org/dc/terms/publisher": ("publisher", "出版者"),
    "http://purl.org/dc/terms/issued": ("issued", "發佈日期"),
    "http://purl.org/linked-data/cube#dataSet": ("data set", "數據集"),
    "http://purl.org/linked-data/sdmx/2009/attribute#unitMeasure": ("unit", "單位"),
    "http://www.w3.org/ns/org#unitOf": ("unit of", "隸屬組織"),
    "http://www.w3.org/ns/org#hasUnit": ("has unit", "下屬單位"),
    "http://www.w3.org/ns/org#subOrganizationOf": ("part of organisation", "上級組織"),
    "http://www.w3.org/ns/org#hasSubOrganization": ("sub-organisation", "下級組織"),
    "http://qudt.org/schema/qudt/hasQuantityKind": ("quantity kind", "量的種類"),
    "http://www.w3.org/2002/07/owl#versionIRI": ("version IRI", "版本IRI"),
    "http://www.w3.org/2002/07/owl#versionInfo": ("version", "版本"),
    "http://www.w3.org/ns/shacl#targetClass": ("shape for class", "約束的類別"),
    "http://www.w3.org/ns/shacl#path": ("property path", "屬性路徑"),
    "http://rdfs.org/ns/void#triples": ("triples", "三元組數"),
    "http://rdfs.org/ns/void#subset": ("subset", "子集"),
    "http://rdfs.org/ns/void#dataDump": ("download", "下載"),
}


@dataclass(frozen=True)
class Link:
    """An IRI as a person sees it: where it goes, what it is called, in both languages."""

    iri: str
    href: str
    label: str
    other: str | None  # the label in the other language, when there is one and it differs
    local: bool  # minted by us (served here) or elsewhere
    notation: str | None = None


class Labeller:
    """Looks up labels in a set of triples and makes links relative to this service."""

    def __init__(self, triples: list[ox.Triple], iris: Iris, lang: str, script_root: str = "") -> None:
        self.iris = iris
        self.lang = lang
        self.other_lang = "en" if lang != "en" else "zh-hant"
        self.script_root = script_root.rstrip("/")
        self.prefixes = sorted(prefixes(iris).items(), key=lambda item: -len(item[1]))
        # iri -> predicate -> lang -> text
        self.labels: dict[str, dict[str, dict[str, str]]] = {}
        self.notations: dict[str, str] = {}
        for t in triples:
            if not isinstance(t.subject, ox.NamedNode) or not isinstance(t.object, ox.Literal):
                continue
            p = t.predicate.value
            if p in _LABEL_ORDER:
                lang_tag = (t.object.language or "").lower()
                by_lang = self.labels.setdefault(t.subject.value, {}).setdefault(p, {})
                # Keep the first (sorted) label per language: stable pages.
                by_lang.setdefault(lang_tag, t.object.value)
            elif p == NOTATION:
                self.notations.setdefault(t.subject.value, sdg_notation(t.subject.value) or t.object.value)

    def _label_in(self, iri: str, lang: str) -> str | None:
        for p in _LABEL_ORDER:
            found = self.labels.get(iri, {}).get(p, {})
            if lang in found:
                return found[lang]
        return None

    def _any_label(self, iri: str) -> str | None:
        for p in _LABEL_ORDER:
            found = self.labels.get(iri, {}).get(p, {})
            for key in ("", "en", *sorted(found)):
                if key in found:
                    return found[key]
        return None

    def curie(self, iri: str) -> str:
        """``skos:prefLabel`` for an IRI in a known namespace, else the IRI."""
        for prefix, ns in self.prefixes:
            if iri.startswith(ns) and len(iri) > len(ns):
                return f"{prefix}:{iri[len(ns):]}"
        return iri

    def href(self, iri: str) -> str:
        """Our IRIs link to this service (whatever host it runs on); others stay as they are."""
        if iri.startswith(self.iris.base):
            return self.script_root + "/" + iri[len(self.iris.base):]
        return iri

    def label(self, iri: str) -> tuple[str, str | None]:
        """(label in the page language, label in the other language or None)."""
        main = self._label_in(iri, self.lang)
        other = self._label_in(iri, self.other_lang)
        if main is None:
            main, other = other, None
        if main is None:
            main = self._any_label(iri)
        if main is None and iri in FRIENDLY:
            en, zh = FRIENDLY[iri]
            main, other = (zh, en) if self.lang == "zh-hant" else (en, zh)
        if main is None:
            main = self.curie(iri)
        return main, (other if other and other != main else None)

    def link(self, iri: str) -> Link:
        main, other = self.label(iri)
        return Link(iri, self.href(iri), main, other, iri.startswith(self.iris.base), self.notations.get(iri))
