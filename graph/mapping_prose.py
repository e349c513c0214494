"""What reports state in prose -> RDF: posts, horizon definitions, awards, programmes, named
systems and channels, commitments, listings (format: docs/source-format.md; model:
docs/data-model.md; reasons: docs/decisions.md §23).

Reused vocabularies first: org:Post / org:postIn / org:reportsTo for roles, PROV-O for
programmes (prov:Activity, prov:wasAssociatedWith), schema.org for awards (schema:award),
contact points and software platforms, dcterms for dates and parts.
"""
from __future__ import annotations

from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, RDF, SKOS, XSD

# mapping.py imports this module only when it maps (ReportMapper.map), so its helpers are ready.
from .mapping import ReportMapper, decimal_literal, label, texts
from .namespaces import SCHEMA
from .source_fields import as_list
from .yaml_lines import Record

SYSTEM_CLASSES = {"channel": SCHEMA.ContactPoint, "hotline": SCHEMA.ContactPoint, "mailbox": SCHEMA.ContactPoint,
                  "platform": SCHEMA.SoftwareApplication, "tool": SCHEMA.SoftwareApplication}
CONTACT_PROPERTIES = {"telephone": SCHEMA.telephone, "email": SCHEMA.email, "address": SCHEMA.address, "url": SCHEMA.url}


def partial_date(value: Any) -> Literal:
    """2021 -> xsd:gYear, 2024-05 -> xsd:gYearMonth, 2024-05-18 -> xsd:date: as precise as printed."""
    text = str(value)
    datatype = {4: XSD.gYear, 7: XSD.gYearMonth}.get(len(text), XSD.date)
    return Literal(text, datatype=datatype)


class ProseMapper:
    """Adds one report's prose records to the graph of a :class:`ReportMapper`."""

    def __init__(self, mapper: ReportMapper) -> None:
        self.m = mapper
        self.g = mapper.g
        self.esg = mapper.esg
        self.org = mapper.iris.org(str(mapper.src.report["organisation"]["id"]))

    def map(self) -> None:
        for kind, method in (("post", self.post), ("horizon-definition", self.horizon_definition),
                             ("award", self.award), ("programme", self.programme), ("system", self.system),
                             ("commitment", self.commitment), ("listing", self.listing)):
            for rec in self.m.src.records(kind):
                method(rec)

    def _entity(self, kind: str, rec: Record, cls: URIRef, local_id: str | None = None) -> URIRef:
        node = self.m.node(kind, local_id or rec["id"])
        self.g.add((node, RDF.type, cls))
        label(self.g, node, rec["label"])
        self.m.topics(node, rec)
        self.m.provenance(node, rec)
        return node

    def _texts(self, subject: URIRef, predicate: URIRef, value: Any) -> None:
        for item in value if isinstance(value, list) else [value]:
            texts(self.g, subject, predicate, item)

    def _agents(self, owner: URIRef, rec: Record, predicate: URIRef, names: list, suffix: str) -> None:
        """Named organisations (an award's issuer, a programme's partners) as nodes with their
        printed names, one per owner: the report never says two mentions are one body."""
        for i, name in enumerate(names, start=1):
            agent = self.m.node("agent", f"{rec['id']}--{suffix}-{i}")
            self.g.add((agent, RDF.type, ORG.Organization))
            self.g.add((agent, RDF.type, self.esg.NamedAgent))
            label(self.g, agent, name)
            self.g.add((owner, predicate, agent))
            self.m.provenance(agent, Record({"section": rec["section"]}))

    def post(self, rec: Record) -> None:
        p = self._entity("post", rec, ORG.Post)
        self.g.add((p, ORG.postIn, self.m.node("body", rec["post_in"])))
        for target in as_list(rec.get("reports_to")):
            self.g.add((p, ORG.reportsTo, self.m.node("post", target)))
        self._texts(p, self.esg.responsibility, rec.get("responsibilities") or [])

    def horizon_definition(self, rec: Record) -> None:
        h = self._entity("horizon-definition", rec, self.esg.HorizonDefinition, rec["horizon"])
        concept = self.m.iris.horizon(rec["horizon"])
        self.g.add((h, self.esg.ofHorizon, concept))
        self._texts(concept, SKOS.scopeNote, rec["label"])  # in this report's graph only
        for field_name, prop in (("from_years", self.esg.fromYears), ("to_years", self.esg.toYears)):
            if rec.get(field_name) is not None:
                self.g.add((h, prop, decimal_literal(rec[field_name])))
        self.g.add((self.m.report, self.esg.definesHorizon, h))

    def award(self, rec: Record) -> None:
        a = self._entity("award", rec, self.esg.Award)
        self._texts(self.org, SCHEMA.award, rec["label"])  # schema.org's own (text) property
        self.g.add((self.org, self.esg.receivedAward, a))
        if rec.get("date"):
            self.g.add((a, DCTERMS.date, partial_date(rec["date"])))
        self._texts(a, self.esg.awardedFor, rec.get("for"))
        self._agents(a, rec, self.esg.awardedBy, as_list(rec.get("issuer")), "issuer")

    def programme(self, rec: Record) -> None:
        p = self._entity("programme", rec, self.esg.Programme)
        g, esg = self.g, self.esg
        g.add((p, esg.programmeKind, Literal(rec["kind"])))
        g.add((self.org, esg.runsProgramme, p))
        self._texts(p, DCTERMS.description, rec.get("description"))
        self._texts(p, esg.cadence, rec.get("cadence"))
        if rec.get("frequency"):
            g.add((p, esg.frequency, Literal(rec["frequency"])))
        for field_name, prop in (("start", SCHEMA.startDate), ("end", SCHEMA.endDate)):
            if rec.get(field_name):
                g.add((p, prop, partial_date(rec[field_name])))
        self._texts(p, esg.beneficiaries, rec.get("beneficiaries"))
        self._texts(p, esg.amountAsWritten, rec.get("amounts") or [])
        for metric in as_list(rec.get("metrics")):
            g.add((p, esg.measuredBy, self.m.node("metric", metric)))
        if rec.get("part_of"):
            g.add((p, DCTERMS.isPartOf, self.m.node("programme", rec["part_of"])))
        for body in as_list(rec.get("run_by")):
            g.add((p, PROV.wasAssociatedWith, self.m.node("body", body)))
        for goal in as_list(rec.get("sdgs")):
            g.add((p, esg.contributesTo, self.m.iris.sdg_goal(goal)))
        self._agents(p, rec, esg.partner, rec.get("partners") or [], "partner")

    def system(self, rec: Record) -> None:
        s = self._entity("system", rec, self.esg.NamedSystem)
        self.g.add((s, self.esg.systemKind, Literal(rec["kind"])))
        if rec["kind"] in SYSTEM_CLASSES:
            self.g.add((s, RDF.type, SYSTEM_CLASSES[rec["kind"]]))
        self.g.add((self.org, self.esg.hasSystem, s))
        self._texts(s, DCTERMS.description, rec.get("description"))
        for contact in rec.get("contacts") or []:
            self.g.add((s, CONTACT_PROPERTIES[contact["kind"]], Literal(contact["value"])))
        for body in as_list(rec.get("operated_by")):
            self.g.add((s, self.esg.operatedBy, self.m.node("body", body)))

    def commitment(self, rec: Record) -> None:
        c = self._entity("commitment", rec, self.esg.CommitmentStatement)
        self.g.add((self.org, self.esg.makesCommitment, c))
        self._texts(c, DCTERMS.description, rec.get("description"))
        if rec.get("by_year"):
            self.g.add((c, self.esg.byYear, Literal(str(rec["by_year"]), datatype=XSD.gYear)))
        for body in as_list(rec.get("made_to")):
            self.g.add((c, self.esg.madeTo, self.m.node("body", body)))

    def listing(self, rec: Record) -> None:
        ls = self._entity("listing", rec, self.esg.Listing)
        self.g.add((self.org, self.esg.listing, ls))
        self._texts(ls, self.esg.exchange, rec["exchange"])
        self.g.add((ls, DCTERMS.date, partial_date(rec["date"])))
