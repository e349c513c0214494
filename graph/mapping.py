"""Checked source records -> RDF. Deterministic: same records, same triples, no blank nodes."""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pyoxigraph
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, PROV, RDF, RDFS, SKOS, XSD

from .mapping_bounds import qualified_value
from .mapping_governance import body_relation
from .namespaces import QB, QUANTITYKIND, ROV, SDMX_ATTR, UNIT, Iris
from .reference import Reference
from .source_fields import as_list, language_tag, parse_number
from .sources import ReportSource
from .yaml_lines import Record

ZH = "zh-Hant"
DOCUMENT_CLASS = {
    "internal-policy": "InternalPolicy", "law": "Law", "regulation": "Regulation",
    "standard": "Standard", "certification": "Certification", "guideline": "Guideline",
    "commitment": "Commitment", "framework": "Framework",
}
PILLARS = {"E": ("環境", "Environmental"), "S": ("社會", "Social"), "G": ("管治", "Governance")}
HORIZONS = {"short": ("短期", "Short term"), "medium": ("中期", "Medium term"), "long": ("長期", "Long term")}
STATUSES = {
    "disclosed": ("已披露", "Disclosed"), "not-applicable": ("不適用", "Not applicable"),
    "omitted": ("未披露", "Omitted"), "partially-disclosed": ("部分披露", "Partially disclosed"),
}


def texts(graph: Graph, subject: URIRef, predicate: URIRef, value: Any) -> None:
    """Add a map of language key to text (or a plain string, taken as untagged) as language-tagged literals."""
    if value is None:
        return
    if isinstance(value, dict):
        for key, text in value.items():
            if text:
                graph.add((subject, predicate, Literal(str(text).strip(), lang=language_tag(key))))
    else:
        graph.add((subject, predicate, Literal(str(value).strip())))


def label(graph: Graph, subject: URIRef, value: Any, concept: bool = False) -> None:
    texts(graph, subject, RDFS.label, value)
    if concept:
        texts(graph, subject, SKOS.prefLabel, value)


def decimal_literal(value: Any) -> Literal:
    number = parse_number(value)
    assert number is not None, value  # sources.py has checked it
    # Normalised text so 1.50 and 1.5 map to the same literal; never exponent notation.
    text = format(number.normalize(), "f")
    if "." not in text:
        text += ".0"
    return Literal(text, datatype=XSD.decimal)


def unit_iri(ref: Reference, key: str) -> URIRef:
    return UNIT[str(ref.units[key]["qudt"])]


def slug(text: str) -> str:
    """A unit as printed, fit for the end of an IRI ("10,000 t" -> "10-000-t")."""
    return re.sub(r"[^\w-]+", "-", text).strip("-")


def canonical(number: Any, factor: Decimal) -> Literal:
    """A printed number in the canonical unit. Inexact factors (1000/3.6) are rounded to 15
    significant digits, more than any report prints."""
    value = parse_number(number) * factor  # type: ignore[operator]  # sources.py has checked it
    if value != 0 and len(value.as_tuple().digits) > 15:
        value = round(value, 14 - value.adjusted())
    return decimal_literal(value)


class ReportMapper:
    """Maps one :class:`ReportSource` to a graph (the report's named graph)."""

    def __init__(self, source: ReportSource, ref: Reference, iris: Iris) -> None:
        self.src = source
        self.ref = ref
        self.iris = iris
        self.esg = iris.esg
        self.rid = source.id
        self.g = Graph(store="SimpleMemory")  # no contexts: adds ~25%, reads ~3x faster
        self.report = iris.report(self.rid)
        self.language = str(source.report.get("language") or "en")  # the tag of words quoted as written
        self.topic_labels = {str(t["id"]): t["label"] for t in source.records("topic")}

    # -- helpers
    def node(self, kind: str, local_id: str) -> URIRef:
        return self.iris.entity(self.rid, kind, str(local_id))

    def section(self, section_id: Any) -> URIRef:
        return self.iris.section(self.rid, str(section_id))

    def provenance(self, subject: URIRef, rec: Record) -> None:
        for alt in rec.get("alt_labels") or []:
            texts(self.g, subject, SKOS.altLabel, alt)
        for s in as_list(rec.get("section")):
            self.g.add((subject, PROV.wasDerivedFrom, self.section(s)))
        self.g.add((subject, self.esg.report, self.report))
        self.review(subject, rec)
        note = rec.get("note")
        if note:
            texts(self.g, subject, SKOS.editorialNote, note)
        if rec.get("composed"):
            self.g.add((subject, self.esg.labelComposed, Literal(True)))

    def review(self, subject: URIRef, rec: Any) -> None:
        """A drafted record's review status and where in the source text it was read
        (docs/drafting.md); a curated record has neither."""
        status = rec.get("review")
        if status:
            self.g.add((subject, self.esg.reviewStatus, Literal(str(status))))
        loc = rec.get("source_location") or {}
        page, line = (loc.get("page"), loc.get("line")) if isinstance(loc, dict) else (None, None)
        page, line = page or rec.get("page"), line or rec.get("line")
        if page:
            self.g.add((subject, self.esg.sourcePage, Literal(int(page), datatype=XSD.positiveInteger)))
        if line:
            self.g.add((subject, self.esg.sourceLine, Literal(int(line), datatype=XSD.positiveInteger)))

    def topics(self, subject: URIRef, rec: Record) -> None:
        for t in as_list(rec.get("topics")):
            self.g.add((subject, self.esg.concernsTopic, self.node("topic", t)))

    # -- the whole report
    def map(self) -> Graph:
        self.map_report()
        self.map_topics()
        self.map_stakeholders()
        self.map_sdg()
        self.map_governance()
        self.map_documents()
        self.map_risks()
        self.map_metrics()
        self.map_targets()
        self.map_disclosures()
        from .mapping_prose import ProseMapper  # it builds on this module's helpers

        ProseMapper(self).map()
        return self.g

    def map_report(self) -> None:
        """The report: its own description, then its principles, frameworks, organisation, sections."""
        g, r, esg = self.g, self.src.report, self.esg
        org = self.iris.org(str(r["organisation"]["id"]))
        g.add((self.report, RDF.type, esg.Report))
        label(g, self.report, r["title"])
        texts(g, self.report, DCTERMS.title, r["title"])
        g.add((self.report, esg.aboutOrganisation, org))
        g.add((self.report, DCTERMS.publisher, org))
        g.add((self.report, DCTERMS.identifier, Literal(self.rid)))
        self.review(self.report, r)
        g.add((self.report, esg.periodStart, Literal(str(r["period"]["start"]), datatype=XSD.date)))
        g.add((self.report, esg.periodEnd, Literal(str(r["period"]["end"]), datatype=XSD.date)))
        if r.get("language"):
            g.add((self.report, DCTERMS.language, Literal(str(r["language"]))))
        if r.get("edition") is not None:
            g.add((self.report, esg.edition, Literal(int(r["edition"]))))
        approved = r.get("approved") or {}
        if approved.get("date"):
            g.add((self.report, esg.approvedOn, Literal(str(approved["date"]), datatype=XSD.date)))
        if approved.get("by"):
            g.add((self.report, esg.approvedBy, self.node("body", approved["by"])))
        source = r.get("source") or {}
        if source.get("file"):
            g.add((self.report, DCTERMS.source, Literal(str(source["file"]))))
        if r.get("note"):
            texts(g, self.report, SKOS.editorialNote, r["note"])
        texts(g, self.report, DCTERMS.abstract, r.get("edition_as_written"))
        texts(g, self.report, esg.approvalStatement, approved.get("as_written"))
        self._map_report_notes(org)
        self._map_principles()
        self._map_frameworks()
        self._map_organisation(org)
        self._map_sections()

    def _map_report_notes(self, org: URIRef) -> None:
        """Scope, data notes, publication and contact, as the report states them."""
        g, r, esg = self.g, self.src.report, self.esg
        scope = r.get("scope") or {}
        texts(g, self.report, esg.temporalScope, scope.get("time"))
        texts(g, self.report, esg.organisationalScope, scope.get("organisation"))
        data_notes = r.get("data_notes") or {}
        texts(g, self.report, esg.dataNote, data_notes.get("description"))
        if data_notes.get("currency") in self.ref.units:
            g.add((self.report, esg.defaultCurrency, unit_iri(self.ref, data_notes["currency"])))
        publication = r.get("publication") or {}
        texts(g, self.report, esg.publicationNote, publication.get("description"))
        if publication.get("frequency"):
            g.add((self.report, DCTERMS.accrualPeriodicity, Literal(str(publication["frequency"]))))
        if publication.get("url"):
            g.add((self.report, DCAT.landingPage, URIRef(str(publication["url"]))))
        contact = r.get("contact") or {}
        if contact.get("email"):
            g.add((org, FOAF.mbox, URIRef(f"mailto:{contact['email']}")))
        texts(g, org, esg.address, contact.get("address"))

    def _map_principles(self) -> None:
        g, r, esg = self.g, self.src.report, self.esg
        for p in r.get("principles") or []:
            node = self.node("principle", p["id"])
            g.add((node, RDF.type, esg.ReportingPrinciple))
            label(g, node, p.get("label"))
            texts(g, node, DCTERMS.description, p.get("description"))
            g.add((self.report, esg.appliesPrinciple, node))
            for sec in as_list(p.get("section") or r.get("principles_section")):
                g.add((node, PROV.wasDerivedFrom, self.section(sec)))
            g.add((node, esg.report, self.report))

    def _map_frameworks(self) -> None:
        g, r, esg = self.g, self.src.report, self.esg
        for fw in r.get("frameworks") or []:
            scheme = self.iris.scheme(str(fw["scheme"]))
            prop = esg.followsFramework if fw.get("relation", "complies") in ("complies", "follows", "prepared-according-to") else esg.refersToFramework
            g.add((self.report, prop, scheme))
            if str(fw["scheme"]) not in self.ref.schemes:
                # A framework with no provisions in reference data still gets a name.
                g.add((scheme, RDF.type, SKOS.ConceptScheme))
                label(g, scheme, fw.get("label"))
            if fw.get("section"):
                g.add((self.report, DCTERMS.conformsTo, scheme))

    def _map_organisation(self, org: URIRef) -> None:
        g, r = self.g, self.src.report
        o = r["organisation"]
        g.add((org, RDF.type, ORG.FormalOrganization))
        label(g, org, o["label"])
        texts(g, org, SKOS.prefLabel, o["label"])
        if o.get("legal_name"):
            texts(g, org, ROV.legalName, o["legal_name"])
        for scheme, code in sorted((o.get("identifiers") or {}).items()):
            g.add((org, ORG.identifier, Literal(f"{scheme}:{code}")))
        if o.get("homepage"):
            g.add((org, FOAF.homepage, URIRef(str(o["homepage"]))))
        if o.get("note"):
            texts(g, org, SKOS.editorialNote, o["note"])
        self.review(org, o)

    def _map_sections(self) -> None:
        g, r, esg = self.g, self.src.report, self.esg
        for sec in r["sections"]:
            s = self.section(sec["id"])
            g.add((s, RDF.type, esg.ReportSection))
            g.add((s, esg.report, self.report))
            g.add((s, DCTERMS.isPartOf, self.section(sec["parent"]) if sec.get("parent") else self.report))
            g.add((s, SKOS.notation, Literal(str(sec.get("number", sec["id"])))))
            label(g, s, sec["title"])
            texts(g, s, DCTERMS.title, sec["title"])
            if sec.get("note"):
                texts(g, s, SKOS.editorialNote, sec["note"])
            self.review(s, sec)

    def scheme_node(self, name: str, title: tuple[str, str]) -> URIRef:
        scheme = self.node("scheme", name)
        self.g.add((scheme, RDF.type, SKOS.ConceptScheme))
        label(self.g, scheme, {"zh": title[0], "en": title[1]})
        self.g.add((scheme, self.esg.labelComposed, Literal(True)))  # the mapper's words, not the report's
        self.g.add((scheme, self.esg.report, self.report))
        return scheme

    def describe_scheme(self, scheme: URIRef, intro: Record) -> None:
        """A file's introduction (how topics were assessed, how stakeholders are engaged)."""
        texts(self.g, scheme, DCTERMS.description, intro.get("description"))
        for s in as_list(intro.get("section")):
            self.g.add((scheme, PROV.wasDerivedFrom, self.section(s)))
        if intro.get("note"):
            texts(self.g, scheme, SKOS.editorialNote, intro["note"])

    def map_topics(self) -> None:
        g, esg = self.g, self.esg
        scheme = self.scheme_node("topics", ("實質性議題", "Material topics"))
        if self.src.assessment:
            self.describe_scheme(scheme, self.src.assessment)
            matrix = self.src.assessment.get("matrix") or {}
            texts(g, scheme, DCTERMS.title, matrix.get("title"))
            texts(g, scheme, esg.stakeholderAxis, matrix.get("y_axis"))
            texts(g, scheme, esg.companyAxis, matrix.get("x_axis"))
            for level in matrix.get("levels") or []:
                texts(g, scheme, esg.materialityLevel, level)
        for rec in self.src.records("topic"):
            t = self.node("topic", rec["id"])
            g.add((t, RDF.type, esg.MaterialTopic))
            g.add((t, SKOS.inScheme, scheme))
            g.add((scheme, SKOS.hasTopConcept, t))
            label(g, t, rec["label"], concept=True)
            g.add((t, esg.pillar, self.iris.pillar(rec["pillar"])))
            if rec.get("matrix_order") is not None:
                g.add((t, esg.matrixOrder, Literal(int(rec["matrix_order"]))))
            for field_name, prop in (("importance_to_stakeholders", esg.importanceToStakeholders),
                                     ("importance_to_company", esg.importanceToCompany)):
                if rec.get(field_name) is not None:
                    g.add((t, prop, decimal_literal(rec[field_name])))
            texts(g, t, SKOS.definition, rec.get("description"))
            self.provenance(t, rec)

    def map_stakeholders(self) -> None:
        g, esg = self.g, self.esg
        scheme = self.scheme_node("stakeholders", ("持份者", "Stakeholder groups"))
        concerns = self.scheme_node("concerns", ("持份者關注議題", "Stakeholder concerns"))
        if self.src.engagement:
            self.describe_scheme(scheme, self.src.engagement)
        for rec in self.src.records("concern"):
            c = self.node("concern", rec["id"])
            g.add((c, RDF.type, esg.StakeholderConcern))
            g.add((c, SKOS.inScheme, concerns))
            label(g, c, rec["label"], concept=True)
            if rec.get("topic"):
                g.add((c, esg.concernTopic, self.node("topic", rec["topic"])))
            self.provenance(c, rec)
        for rec in self.src.records("stakeholder"):
            s = self.node("stakeholder", rec["id"])
            g.add((s, RDF.type, esg.StakeholderGroup))
            g.add((s, SKOS.inScheme, scheme))
            g.add((scheme, SKOS.hasTopConcept, s))
            label(g, s, rec["label"], concept=True)
            texts(g, s, SKOS.definition, rec.get("description"))
            for cid in as_list(rec.get("concerns")):
                g.add((s, esg.hasConcern, self.node("concern", cid)))
            for ch in as_list(rec.get("channels")):
                c = self.node("channel", f"{rec['id']}--{ch['id']}")
                g.add((c, RDF.type, esg.CommunicationChannel))
                label(g, c, ch["label"])
                g.add((s, esg.communicationChannel, c))
                self.provenance(c, rec)
            self.provenance(s, rec)

    def map_sdg(self) -> None:
        g, esg = self.g, self.esg
        # topic -> goal -> (sections, actions, evidence records)
        contributions: dict[tuple[str, int], dict[str, Any]] = {}
        for rec in self.src.records("action"):
            a = self.node("action", rec["id"])
            g.add((a, RDF.type, esg.SDGAction))
            label(g, a, rec["label"])
            texts(g, a, DCTERMS.description, rec.get("description"))
            goal = int(rec["sdg"])
            g.add((a, esg.contributesTo, self.iris.sdg_goal(goal)))
            for target in as_list(rec.get("targets")):
                g.add((a, esg.contributesTo, self.iris.sdg_target(str(target))))
            self.topics(a, rec)
            self.provenance(a, rec)
            for t in as_list(rec.get("topics")):
                entry = contributions.setdefault((str(t), goal), {"sections": set(), "actions": set(), "evidence": [], "targets": set()})
                entry["sections"].update(str(s) for s in as_list(rec["section"]))
                entry["actions"].add(a)
                entry["targets"].update(str(x) for x in as_list(rec.get("targets")))
        for rec in self.src.records("sdg-link"):
            goal = int(rec["sdg"])
            entry = contributions.setdefault((str(rec["topic"]), goal), {"sections": set(), "actions": set(), "evidence": [], "targets": set()})
            entry["sections"].update(str(s) for s in as_list(rec["section"]))
            entry["evidence"].append(rec)
            entry["targets"].update(str(x) for x in as_list(rec.get("targets")))
        for (topic_id, goal), entry in sorted(contributions.items()):
            topic = self.node("topic", topic_id)
            c = self.node("sdg-contribution", f"{topic_id}--{goal}")
            g.add((topic, esg.contributesTo, self.iris.sdg_goal(goal)))
            g.add((c, RDF.type, esg.SDGContribution))
            topic_label = self.topic_labels.get(topic_id, {})
            label(g, c, {"zh": f"{topic_label.get('zh', topic_id)} → 可持續發展目標{goal}",
                         "en": f"{topic_label.get('en', topic_id)} → SDG {goal}"})
            g.add((c, esg.labelComposed, Literal(True)))
            g.add((c, esg.topic, topic))
            g.add((c, esg.sdg, self.iris.sdg_goal(goal)))
            for target in sorted(entry["targets"]):
                g.add((c, esg.sdg, self.iris.sdg_target(target)))
                g.add((topic, esg.contributesTo, self.iris.sdg_target(target)))
            for a in sorted(entry["actions"]):
                g.add((c, esg.evidencedBy, a))
            for ev in entry["evidence"]:
                texts(g, c, DCTERMS.description, ev.get("evidence"))
                if ev.get("note"):
                    texts(g, c, SKOS.editorialNote, ev["note"])
            for s in sorted(entry["sections"]):
                g.add((c, PROV.wasDerivedFrom, self.section(s)))
            g.add((c, esg.report, self.report))

    def map_governance(self) -> None:
        g, esg = self.g, self.esg
        org = self.iris.org(str(self.src.report["organisation"]["id"]))
        for rec in self.src.records("body"):
            b = self.node("body", rec["id"])
            g.add((b, RDF.type, esg.GovernanceBody))
            if rec["kind"] in ("board", "board-committee", "management-committee", "working-group", "external"):
                g.add((b, RDF.type, ORG.Organization))
            g.add((b, esg.bodyKind, Literal(rec["kind"])))
            label(g, b, rec["label"])
            body_relation(g, b, rec, org, self.node("body", rec["part_of"]) if rec.get("part_of") else None)
            for target in as_list(rec.get("reports_to")):
                g.add((b, esg.reportsTo, self.node("body", target)))
            texts(g, b, esg.relationAsWritten, rec.get("relation"))
            texts(g, b, esg.ledBy, rec.get("led_by"))
            texts(g, b, esg.composition, rec.get("members"))
            texts(g, b, DCTERMS.description, rec.get("description"))
            for resp in rec.get("responsibilities") or []:
                texts(g, b, esg.responsibility, resp)
            self.provenance(b, rec)

    def map_documents(self) -> None:
        g, esg = self.g, self.esg
        org = self.iris.org(str(self.src.report["organisation"]["id"]))
        for rec in self.src.records("document"):
            d = self.node("document", rec["id"])
            g.add((d, RDF.type, esg.Document))
            g.add((d, RDF.type, esg[DOCUMENT_CLASS[rec["kind"]]]))
            label(g, d, rec["label"])
            texts(g, d, DCTERMS.title, rec["label"])
            texts(g, d, esg.issuer, rec.get("issuer"))
            texts(g, d, DCTERMS.description, rec.get("description"))
            g.add((org, esg.hasDocument, d))
            self.topics(d, rec)
            self.provenance(d, rec)

    def map_risks(self) -> None:
        g, esg = self.g, self.esg
        for rec in self.src.records("risk"):
            r = self.node("risk", rec["id"])
            g.add((r, RDF.type, esg.RiskOrOpportunity))
            g.add((r, RDF.type, esg.Risk if rec["kind"] == "risk" else esg.Opportunity))
            label(g, r, rec["label"])
            if rec.get("climate") is not None:
                g.add((r, esg.climateRelated, Literal(bool(rec["climate"]))))
            texts(g, r, esg.category, rec.get("category"))
            texts(g, r, DCTERMS.description, rec.get("description"))
            texts(g, r, esg.financialImpact, rec.get("financial_impact"))
            texts(g, r, esg.likelihood, rec.get("likelihood"))
            texts(g, r, esg.impactLevel, rec.get("impact"))
            for h in as_list(rec.get("horizon")):
                g.add((r, esg.horizon, self.iris.horizon(h)))
            if rec.get("horizon_as_written"):
                g.add((r, esg.horizonAsWritten, Literal(str(rec["horizon_as_written"]), lang=self.language)))
            for i, resp in enumerate(rec.get("responses") or [], start=1):
                resp_node = self.node("risk", f"{rec['id']}--response-{i}")
                g.add((resp_node, RDF.type, esg.Response))
                label(g, resp_node, resp)
                g.add((r, esg.response, resp_node))
                self.provenance(resp_node, rec)
            self.topics(r, rec)
            self.provenance(r, rec)

    def map_metrics(self) -> None:
        g, esg = self.g, self.esg
        scheme = self.scheme_node("metrics", ("關鍵績效指標", "Metrics"))
        dataset = self.node("dataset", "metrics")
        g.add((dataset, RDF.type, QB.DataSet))
        label(g, dataset, {"zh": "關鍵績效指標數據", "en": "Metric values"})
        g.add((dataset, esg.labelComposed, Literal(True)))
        g.add((dataset, QB.structure, URIRef(str(self.esg) + "MetricStructure")))
        g.add((dataset, esg.report, self.report))
        metrics = {rec["id"]: rec for rec in self.src.records("metric")}
        for rec in metrics.values():
            self._map_metric(rec, scheme)
        for row in self.src.observations:
            self._map_observation(row, metrics, dataset)

    def _map_metric(self, rec: Record, scheme: URIRef) -> None:
        g, esg, ref = self.g, self.esg, self.ref
        m = self.node("metric", rec["id"])
        g.add((m, RDF.type, esg.Metric))
        g.add((m, SKOS.inScheme, scheme))
        label(g, m, rec["label"], concept=True)
        conv = ref.conversion(str(rec["unit"]))
        unit = ref.units[conv.unit]
        g.add((m, esg.unit, unit_iri(ref, conv.unit)))
        texts(g, m, esg.unitLabel, unit["label"])
        g.add((m, esg.unitAsPrinted, Literal(conv.printed)))
        if unit.get("quantity_kind"):
            g.add((m, URIRef("http://qudt.org/schema/qudt/hasQuantityKind"), QUANTITYKIND[str(unit["quantity_kind"])]))
        texts(g, m, esg.group, rec.get("group"))
        texts(g, m, SKOS.definition, rec.get("description"))
        for fn in rec.get("footnotes") or []:
            texts(g, m, esg.footnote, fn)
        if rec.get("part_of"):
            g.add((m, esg.partOf, self.node("metric", rec["part_of"])))
        if rec.get("dimension"):
            g.add((m, esg.dimension, Literal(str(rec["dimension"]))))
        ratio = rec.get("ratio_of")
        if ratio:
            g.add((m, esg.numerator, self.node("metric", ratio["numerator"])))
            g.add((m, esg.denominator, self.node("metric", ratio["denominator"])))
        derived = rec.get("derived_from")
        if derived:
            g.add((m, esg.derivedFrom, self.node("metric", derived["metric"])))
            g.add((m, esg.factor, decimal_literal(derived["factor"])))
        for code in as_list(rec.get("disclosures")):
            scheme_id, _, c = str(code).partition(":")
            g.add((m, esg.disclosure, self.iris.provision(scheme_id, c)))
        self.topics(m, rec)
        self.provenance(m, rec)

    def _map_observation(self, row: Record, metrics: dict[str, Record], dataset: URIRef) -> None:
        """One printed value: in the data cube when exact, a bound outside it (graph/mapping_bounds.py)."""
        g, esg, ref = self.g, self.esg, self.ref
        conv = ref.conversion(row.get("unit") or str(metrics[row["metric"]]["unit"]))
        section_slug = str(row["section"]).replace(".", "_")
        suffix = f"--{slug(row['unit']) or conv.unit}" if row.get("unit") else ""
        o = self.node("observation", f"{row['metric']}--{row['year']}--{section_slug}{suffix}")
        g.add((o, RDF.type, esg.Observation))
        g.add((o, esg.metric, self.node("metric", row["metric"])))
        g.add((o, esg.year, Literal(str(row["year"]), datatype=XSD.gYear)))
        if row.get("qualifier"):  # a bound is not a measure: outside the data cube
            upper = canonical(row["upper"], conv.factor) if row.get("upper") else None
            qualified_value(g, esg, o, row["qualifier"], self.iris.dimension_value("value-qualifier", row["qualifier"]),
                            canonical(row["value"], conv.factor), upper)
        else:
            g.add((o, RDF.type, QB.Observation))
            g.add((o, QB.dataSet, dataset))
            g.add((o, esg.value, canonical(row["value"], conv.factor)))
        g.add((o, SDMX_ATTR.unitMeasure, unit_iri(ref, conv.unit)))
        texts(g, o, esg.unitLabel, ref.units[conv.unit]["label"])
        g.add((o, esg.valueAsPrinted, decimal_literal(row["value"])))
        g.add((o, esg.unitAsPrinted, Literal(conv.printed)))
        g.add((o, esg.conversionFactor, decimal_literal(conv.factor)))
        if row.get("as_written"):
            g.add((o, esg.asWritten, Literal(row["as_written"])))
        if row.get("note"):
            g.add((o, SKOS.editorialNote, Literal(row["note"])))
        g.add((o, PROV.wasDerivedFrom, self.section(row["section"])))
        g.add((o, esg.report, self.report))
        self.review(o, row)

    def map_targets(self) -> None:
        g, esg = self.g, self.esg
        for rec in self.src.records("target"):
            t = self.node("target", rec["id"])
            g.add((t, RDF.type, esg.Target))
            g.add((t, esg.targetKind, Literal(rec["kind"])))
            label(g, t, rec["label"])
            texts(g, t, DCTERMS.description, rec.get("description"))
            if rec.get("metric"):
                g.add((t, esg.metric, self.node("metric", rec["metric"])))
            if rec.get("operator"):
                g.add((t, esg.operator, Literal(rec["operator"])))
            conv = self.ref.conversion(str(rec["unit"])) if rec.get("unit") else None
            factor = conv.factor if conv else Decimal(1)
            if rec.get("value") is not None:
                g.add((t, esg.targetValue, canonical(rec["value"], factor)))
            if conv:
                g.add((t, esg.unit, unit_iri(self.ref, conv.unit)))
                texts(g, t, esg.unitLabel, self.ref.units[conv.unit]["label"])
                g.add((t, esg.unitAsPrinted, Literal(conv.printed)))
                g.add((t, esg.conversionFactor, decimal_literal(conv.factor)))
            g.add((t, esg.targetYear, Literal(str(rec["year"]), datatype=XSD.gYear)))
            if rec.get("baseline_year"):
                g.add((t, esg.baselineYear, Literal(str(rec["baseline_year"]), datatype=XSD.gYear)))
            if rec.get("actual") is not None:
                g.add((t, esg.actualValue, canonical(rec["actual"], factor)))
            if rec.get("actual_as_written"):
                g.add((t, esg.asWritten, Literal(str(rec["actual_as_written"]))))
            g.add((t, esg.targetStatus, Literal(rec["status"])))
            if rec.get("status_as_written"):
                g.add((t, esg.asWritten, Literal(str(rec["status_as_written"]))))
            self.topics(t, rec)
            self.provenance(t, rec)

    def map_disclosures(self) -> None:
        g, esg = self.g, self.esg
        for rec in self.src.records("disclosure"):
            code = str(rec["code"])
            d = self.node("disclosure", f"{rec['scheme']}--{self.iris.provision(rec['scheme'], code).rsplit('/', 1)[-1]}")
            g.add((d, RDF.type, esg.DisclosureIndexEntry))
            prov_iri = self.iris.provision(str(rec["scheme"]), code)
            g.add((d, esg.provision, prov_iri))
            g.add((d, esg.status, self.iris.dimension_value("disclosure-status", rec["status"])))
            label(g, d, {"zh": f"{code}（{STATUSES[rec['status']][0]}）", "en": f"{code} ({STATUSES[rec['status']][1].lower()})"})
            g.add((d, esg.labelComposed, Literal(True)))
            texts(g, d, esg.explanation, rec.get("explanation"))
            for s in as_list(rec.get("sections")):
                g.add((d, esg.answeredIn, self.section(s)))
            if rec.get("location_as_written"):
                g.add((d, esg.asWritten, Literal(str(rec["location_as_written"]), lang=self.language)))
            self.provenance(d, rec)


def map_report(source: ReportSource, ref: Reference, iris: Iris) -> Graph:
    """The named graph of one report."""
    return ReportMapper(source, ref, iris).map()


def graph_nquads(name: URIRef, graph: Graph, index: int | str) -> list[str]:
    """One named graph as unique N-Quads lines, with deterministic blank-node labels.

    Blank nodes (the UN KOS and the shapes use RDF lists) are relabelled with RDFC-1.0,
    so the same graph always gives the same lines; the graph's position in the dataset
    prefixes each label, because the same label in two graphs would be one node in an
    N-Quads document.
    """
    ds = pyoxigraph.Dataset()
    graph_name = pyoxigraph.NamedNode(str(name))
    data = graph.serialize(format="nt", encoding="utf-8")
    for triple in pyoxigraph.parse(data, format=pyoxigraph.RdfFormat.N_TRIPLES):
        ds.add(pyoxigraph.Quad(triple.subject, triple.predicate, triple.object, graph_name))
    ds.canonicalize(pyoxigraph.CanonicalizationAlgorithm.RDFC_1_0)

    def scoped(term):
        return pyoxigraph.BlankNode(f"g{index}{term.value}") if isinstance(term, pyoxigraph.BlankNode) else term

    quads = [pyoxigraph.Quad(scoped(q.subject), q.predicate, scoped(q.object), graph_name) for q in ds]
    raw = pyoxigraph.serialize(quads, format=pyoxigraph.RdfFormat.N_QUADS).decode("utf-8")
    return list({line for line in raw.splitlines() if line.strip()})
