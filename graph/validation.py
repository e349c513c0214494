"""SHACL validation of a built dataset (shapes in ontology/shapes.ttl).

Two engines, one standard report:

* **Core constraints** (sh:minCount, sh:class, sh:datatype, …) run in pyshacl, on a copy of
  the shapes graph without its SPARQL constraints.
* **SPARQL constraints** (sh:sparql) run in Oxigraph, each query once over the whole data
  graph with ``$this`` left free, then restricted to the shape's focus nodes. pyshacl runs
  them once per focus node through rdflib's SPARQL engine, which takes minutes on the
  bundled report (measured in docs/validation.md); Oxigraph takes well under a second.
  The result is the same for queries that bind ``$this`` in a triple pattern, which every
  query in shapes.ttl does (SHACL 1.0 §5.3.1 pre-binding).

Both engines' results become one ``sh:ValidationReport`` plus plain :class:`ResultRecord`
objects that the CLI and the web service format. Nothing here imports flask.
"""
from __future__ import annotations

import re
import time
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Callable, Iterable

import pyoxigraph
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SKOS, XSD

from .export import rdflib_term
from .errors import StoreError, ValidationFailed
from .namespaces import SH, Iris
from .validation_core import CoreValidation, without_sparql

if TYPE_CHECKING:  # pragma: no cover
    from .build import Dataset

SEVERITIES = ("Violation", "Warning", "Info")
_SEVERITY_IRI = {name: SH[name] for name in SEVERITIES}
_VAR = re.compile(r"\{[?$]([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass
class ResultRecord:
    """One validation result, flattened for people (text) and machines (JSON)."""

    severity: str                      # Violation | Warning | Info
    focus_node: str                    # IRI
    label: dict[str, str]              # {"zh-Hant": …, "en": …} of the focus node, when known
    message: dict[str, str]            # by language ("en", "zh-Hant")
    source_shape: str
    source_constraint: str | None = None
    path: str | None = None
    year: str | None = None
    sections: list[str] = field(default_factory=list)   # section notations, e.g. "5.1"
    values: dict[str, str] = field(default_factory=dict)  # named values involved
    report: str | None = None          # report IRI the focus node belongs to

    def to_json(self) -> dict:
        """A JSON-ready dict (stable keys)."""
        return asdict(self)


@dataclass
class ValidationOutcome:
    """The standard report graph, the flattened records and how long each engine took."""

    report: Graph
    records: list[ResultRecord]
    timings: dict[str, float]

    @property
    def conforms(self) -> bool:
        """True when there is no sh:Violation (warnings and infos do not break conformance here)."""
        return not self.count("Violation")

    def count(self, severity: str) -> int:
        return sum(1 for r in self.records if r.severity == severity)


# ---------------------------------------------------------------- data and shapes graphs

def shapes_graph_of(dataset: "Dataset") -> Graph | None:
    """The shapes named graph of an assembled dataset (None when the project has no shapes)."""
    name = dataset.iris.graph("shapes")
    for graph_name, graph in dataset.graphs:
        if graph_name == name:
            return graph
    return None


def split_graphs(named: Iterable[tuple[str, Graph]], iris: Iris,
                 report_id: str | None = None) -> tuple[list[Graph], dict[str, Graph]]:
    """(graphs every report is validated with, {report id: report graph}).

    The shared graphs are the ontology, reference and shapes graphs: the shapes graph is
    part of the data graph so that queries can read the tolerances and unit facts it
    declares (SHACL-SPARQL queries run against the data graph).
    """
    prefix = str(iris.graph("report")) + "/"
    findings = str(iris.graph("validation"))
    common: list[Graph] = []
    reports: dict[str, Graph] = {}
    for name, graph in named:
        if str(name) == findings or str(name).startswith(findings + "/"):  # and each report's
            continue  # the stored results of an earlier validation are not data to check
        if str(name).startswith(prefix):
            rid = str(name)[len(prefix):]
            if report_id is None or rid == report_id:
                reports[rid] = graph
        else:
            common.append(graph)
    return common, reports


def load_store_graphs(store: pyoxigraph.Store, iris: Iris,
                      report_id: str | None = None) -> tuple[list[Graph], dict[str, Graph], Graph]:
    """Read the shared graphs, the report graphs and the shapes graph back from a store."""
    shapes_name = str(iris.graph("shapes"))
    named: list[tuple[str, Graph]] = []
    shapes = Graph()
    prefix = str(iris.graph("report")) + "/"
    for name in store.named_graphs():
        gname = name.value
        if gname.startswith(prefix) and report_id is not None and gname != str(iris.report_graph(report_id)):
            continue
        g = Graph()
        g.parse(data=store.dump(format=pyoxigraph.RdfFormat.N_TRIPLES, from_graph=name), format="nt")
        named.append((gname, g))
        if gname == shapes_name:
            shapes = g
    if not len(shapes):
        raise ValidationFailed(f"the store has no shapes graph <{shapes_name}>; rebuild it with `esgkg build`")
    common, reports = split_graphs(named, iris, report_id)
    return common, reports, shapes


# ---------------------------------------------------------------- the engines

def _prefix_block(shapes: Graph, constraint: URIRef) -> str:
    lines = []
    for prefixes in shapes.objects(constraint, SH.prefixes):
        for decl in shapes.objects(prefixes, SH.declare):
            prefix = shapes.value(decl, SH.prefix)
            namespace = shapes.value(decl, SH.namespace)
            if prefix is not None and namespace is not None:
                lines.append(f"PREFIX {prefix}: <{namespace}>")
    return "\n".join(sorted(set(lines)))


def _focus_nodes(store: pyoxigraph.Store, shapes: Graph, shape: URIRef) -> set[str]:
    """The focus nodes of a node shape's targets (SHACL 1.0 §2.1.3), as IRI/blank strings."""
    nodes: set[str] = set()
    patterns = []
    for cls in shapes.objects(shape, SH.targetClass):
        patterns.append(f"?f a/<{RDFS.subClassOf}>* <{cls}> .")
    for prop in shapes.objects(shape, SH.targetSubjectsOf):
        patterns.append(f"?f <{prop}> [] .")
    for prop in shapes.objects(shape, SH.targetObjectsOf):
        patterns.append(f"[] <{prop}> ?f .")
    for node in shapes.objects(shape, SH.targetNode):
        nodes.add(str(node))
    for pattern in patterns:
        for row in store.query(f"SELECT DISTINCT ?f WHERE {{ {pattern} }}"):
            nodes.add(row["f"].value)
    return nodes


def _to_rdflib(term: pyoxigraph.NamedNode | pyoxigraph.Literal | pyoxigraph.BlankNode | None):
    return None if term is None else rdflib_term(term, plain_strings=False)


def display(term) -> str:
    """A value as a person reads it: decimals without exponent or trailing ``.0``."""
    if term is None:
        return ""
    if isinstance(term, Literal) and term.datatype in (XSD.decimal, XSD.double, XSD.float, XSD.integer):
        try:
            number = Decimal(str(term))
        except InvalidOperation:
            return str(term)
        text = format(number, "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return text
    return str(term)


def _messages(shapes: Graph, constraint: URIRef, bindings: dict) -> dict[str, str]:
    out: dict[str, str] = {}
    for message in shapes.objects(constraint, SH.message):
        lang = _lang(message.language)
        out[lang] = _VAR.sub(lambda m: display(bindings.get(m.group(1))), str(message))
    return out


_GROUP_CONCAT = re.compile(r'GROUP_CONCAT\((?:[^()]|\([^()]*\))*?separator\s*=\s*"([^"]*)"\s*\)\s+AS\s+\?(\w+)', re.S)


_PICKED = re.compile(r"\(\s*(?:SAMPLE|MIN|MAX)\(\s*\?(\w+)\s*\)\s+AS\s+\?(\w+)\s*\)", re.I)


def _concatenated(query: str) -> dict[str, str]:
    """Variables a query fills with GROUP_CONCAT, and their separators.

    A list picked up again by an outer aggregate (``(SAMPLE(?listed) AS ?statements)``) is
    the same list under another name, so it is sorted too.
    """
    lists = {name: sep for sep, name in _GROUP_CONCAT.findall(query)}
    for inner, outer in _PICKED.findall(query):
        if inner in lists:
            lists.setdefault(outer, lists[inner])
    return lists


def _sorted_list(term, separator: str | None):
    # GROUP_CONCAT's order is the engine's; sorting the items makes messages, and so the
    # stored validation report and the dataset's bytes, the same on every build.
    if separator is None or not isinstance(term, Literal) or separator not in str(term):
        return term
    items = sorted(str(term).split(separator))
    return Literal(separator.join(items), lang=term.language, datatype=term.datatype)


@dataclass(frozen=True)
class _Constraint:
    """One active SPARQL constraint of a node shape, its query text ready to run."""

    shape: URIRef
    constraint: URIRef
    severity: URIRef
    query: str
    lists: dict[str, str]


def _sparql_constraints(shapes: Graph) -> list[_Constraint]:
    """Every active SPARQL constraint, in a fixed order (read once per shapes graph)."""
    out: list[_Constraint] = []
    for shape in sorted(set(shapes.subjects(SH.sparql, None))):
        if (shape, SH.deactivated, Literal(True)) in shapes:
            continue
        severity = shapes.value(shape, SH.severity) or SH.Violation
        for constraint in sorted(shapes.objects(shape, SH.sparql)):
            if (constraint, SH.deactivated, Literal(True)) in shapes:
                continue
            select = shapes.value(constraint, SH.select)
            if select is None:
                continue
            # $this is left free and joined with the focus nodes below; $currentShape is the shape.
            text = str(select).replace("$currentShape", f"<{shape}>")
            text = re.sub(r"\$(this|value|path)\b", r"?\1", text)
            out.append(_Constraint(shape, constraint, severity, _prefix_block(shapes, constraint) + "\n" + text,
                                   _concatenated(text)))
    return out


def _run_sparql(store: pyoxigraph.Store, shapes: Graph, constraints: list[_Constraint] | None = None) -> list[dict]:
    """Every SPARQL constraint of every node shape; one dict per result."""
    results: list[dict] = []
    focus_of: dict[URIRef, set[str]] = {}
    answers: dict[str, tuple[list[str], list]] = {}  # a rule shared by many shapes runs once (§33)
    for c in constraints if constraints is not None else _sparql_constraints(shapes):
        if c.shape not in focus_of:
            focus_of[c.shape] = _focus_nodes(store, shapes, c.shape)
        focus = focus_of[c.shape]
        if not focus:
            continue
        if c.query not in answers:  # the default graph holds all the data (ReportValidation)
            got = store.query(c.query)
            answers[c.query] = ([v.value for v in got.variables], list(got))
        names, rows = answers[c.query]
        for row in rows:
            # Most rows are of nodes no focus of this shape: test $this before converting the row.
            raw = row["this"] if "this" in names else None
            if raw is None or raw.value not in focus:
                continue
            bindings = {name: _sorted_list(_to_rdflib(row[name]), c.lists.get(name)) for name in names}
            results.append({
                "focus": bindings["this"], "shape": c.shape, "constraint": c.constraint, "severity": c.severity,
                "value": bindings.get("value"), "path": bindings.get("path"),
                "messages": _messages(shapes, c.constraint, bindings), "bindings": bindings,
            })
    return results


# ---------------------------------------------------------------- records and the report graph

def _lang(tag: str | None) -> str:
    """Language tags compare case-insensitively (RDF 1.1); rdflib may hand back ``zh-hant``."""
    return {"zh-hant": "zh-Hant", "en": "en"}.get((tag or "en").lower(), tag or "en")


def _labels(data: Graph, node) -> dict[str, str]:
    labels: dict[str, str] = {}
    for lit in sorted(data.objects(node, RDFS.label)):
        if isinstance(lit, Literal) and _lang(lit.language) in ("zh-Hant", "en"):
            labels.setdefault(_lang(lit.language), str(lit))
    return labels


def _sections(data: Graph, node) -> list[str]:
    out = []
    for s in data.objects(node, PROV.wasDerivedFrom):
        notation = data.value(s, SKOS.notation)
        out.append(str(notation) if notation is not None else str(s))
    return sorted(set(out))


def _focus_label(data: Graph, node, esg) -> dict[str, str]:
    labels = _labels(data, node)
    if labels:
        return labels
    # A value has no label of its own: name it by its metric and year.
    metric = data.value(node, esg.metric)
    year = data.value(node, esg.year)
    if metric is not None:
        return {lang: f"{text} ({year})" if year else text for lang, text in _labels(data, metric).items()}
    return {}


_SECTION_VARS = ("section", "totalSection")
_QUIET_VARS = {"this", "path", "year", "message", "sections"} | set(_SECTION_VARS)


def _top_results(core_report: Graph) -> list:
    """The report's own results, not the sh:detail results nested in them (sh:node, sh:or)."""
    return [r for report in core_report.subjects(RDF.type, SH.ValidationReport)
            for r in core_report.objects(report, SH.result)]


def _records(data: Graph, core_report: Graph, sparql_results: list[dict], esg) -> list[ResultRecord]:
    records: list[ResultRecord] = []
    for result in _top_results(core_report):
        focus = core_report.value(result, SH.focusNode)
        severity = core_report.value(result, SH.resultSeverity)
        shape = core_report.value(result, SH.sourceShape)
        value = core_report.value(result, SH.value)
        path = core_report.value(result, SH.resultPath)
        messages = {}
        for m in core_report.objects(result, SH.resultMessage):
            messages.setdefault(_lang(m.language), str(m))
        records.append(ResultRecord(
            severity=str(severity).rsplit("#", 1)[-1], focus_node=str(focus),
            label=_focus_label(data, focus, esg), message=messages, source_shape=str(shape),
            source_constraint=str(core_report.value(result, SH.sourceConstraintComponent)),
            path=str(path) if isinstance(path, URIRef) else None,
            year=str(data.value(focus, esg.year)) if data.value(focus, esg.year) is not None else None,
            sections=_sections(data, focus),
            values={"value": display(value)} if value is not None else {},
            report=str(data.value(focus, esg.report)) if data.value(focus, esg.report) is not None else None,
        ))
    for r in sparql_results:
        b = r["bindings"]
        named = {str(b[v]) for v in _SECTION_VARS if b.get(v) is not None}
        if b.get("sections") is not None:  # a rule that lists every section it compared
            named.update(s.strip() for s in str(b["sections"]).split(",") if s.strip())
        sections = sorted(named) or _sections(data, r["focus"])
        values = {k: display(v) for k, v in b.items() if v is not None and k not in _QUIET_VARS}
        records.append(ResultRecord(
            severity=str(r["severity"]).rsplit("#", 1)[-1], focus_node=str(r["focus"]),
            label=_focus_label(data, r["focus"], esg), message=r["messages"],
            source_shape=str(r["shape"]), source_constraint=str(r["constraint"]),
            path=str(r["path"]) if r["path"] is not None else None,
            year=display(b["year"]) if b.get("year") is not None else None,
            sections=sections, values=values,
            report=str(data.value(r["focus"], esg.report)) if data.value(r["focus"], esg.report) is not None else None,
        ))
    order = {name: i for i, name in enumerate(SEVERITIES)}
    records.sort(key=lambda x: (order.get(x.severity, 9), x.source_shape, x.label.get("en", x.focus_node),
                                x.year or "", x.sections, sorted(x.values.items()), x.message.get("en", "")))
    return records


def _report_graph(core_report: Graph, sparql_results: list[dict]) -> Graph:
    """One standard sh:ValidationReport holding both engines' results."""
    g = Graph()
    g.bind("sh", str(SH))
    report = BNode()
    g.add((report, RDF.type, SH.ValidationReport))
    conforms = True
    # Copy pyshacl's results with everything they describe (paths, sh:detail), then hang
    # its top-level results on the one report.
    for s, p, o in core_report:
        if p == SH.conforms or (p == RDF.type and o == SH.ValidationReport):
            continue
        if (s, RDF.type, SH.ValidationReport) in core_report:
            continue
        g.add((s, p, o))
    for result in _top_results(core_report):
        g.add((report, SH.result, result))
        if (result, SH.resultSeverity, SH.Violation) in core_report:
            conforms = False
    for r in sparql_results:
        node = BNode()
        g.add((report, SH.result, node))
        g.add((node, RDF.type, SH.ValidationResult))
        g.add((node, SH.focusNode, r["focus"]))
        g.add((node, SH.resultSeverity, r["severity"]))
        g.add((node, SH.sourceShape, r["shape"]))
        g.add((node, SH.sourceConstraint, r["constraint"]))
        g.add((node, SH.sourceConstraintComponent, SH.SPARQLConstraintComponent))
        if r["value"] is not None:
            g.add((node, SH.value, r["value"]))
        if r["path"] is not None:
            g.add((node, SH.resultPath, r["path"]))
        for lang, text in sorted(r["messages"].items()):
            g.add((node, SH.resultMessage, Literal(text, lang=lang)))
        if r["severity"] == SH.Violation:
            conforms = False
    g.add((report, SH.conforms, Literal(conforms)))
    return g


# ---------------------------------------------------------------- public entry points

def _to_oxigraph(term) -> pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal:
    """An rdflib term as the same Oxigraph term (what writing N-Triples and reading them gives)."""
    if isinstance(term, URIRef):
        return pyoxigraph.NamedNode(str(term))
    if isinstance(term, BNode):
        return pyoxigraph.BlankNode(str(term))
    if term.language:
        return pyoxigraph.Literal(str(term), language=term.language)
    if term.datatype is not None:
        return pyoxigraph.Literal(str(term), datatype=pyoxigraph.NamedNode(str(term.datatype)))
    return pyoxigraph.Literal(str(term))


class ReportValidation:
    """Validates reports one at a time against shared graphs that are read once.

    The data graph of each validation is the union of the shared graphs (ontology,
    reference, shapes) and one report graph, exactly as if built afresh: pyshacl reads a
    read-only view of the shared triples' index and the report's triples not already
    shared, skipping the shared focus nodes the report cannot change
    (graph/validation_core.py); the SPARQL constraints run in a fresh in-memory Oxigraph
    store bulk-loaded from an N-Triples copy of the shared graphs (~30 ms) plus the
    report's triples. Everything shared is made once.
    """

    def __init__(self, shared: Iterable[Graph], shapes: Graph, iris: Iris | None = None) -> None:
        self.iris = iris or Iris()
        self.shapes = shapes
        self.constraints = _sparql_constraints(shapes)
        self.core = CoreValidation((t for g in shared for t in g), without_sparql(shapes))
        self.data = self.core.view()  # the shared graphs, read-only
        self.shared_nt = self.data.serialize(format="nt", encoding="utf-8")

    def validate(self, report: Graph | None = None) -> ValidationOutcome:
        """Validate the shared graphs with ``report`` (the shared graphs alone when None)."""
        timings: dict[str, float] = {}
        started = time.monotonic()
        extra = self.core.extra(report) if report is not None else None
        data = self.core.view(extra)
        store = pyoxigraph.Store()
        store.bulk_load(self.shared_nt, format=pyoxigraph.RdfFormat.N_TRIPLES)
        if extra is not None:
            store.extend(pyoxigraph.Quad(_to_oxigraph(s), _to_oxigraph(p), _to_oxigraph(o))
                         for s, p, o in extra.match(None, None, None))
        timings["load"] = time.monotonic() - started
        t = time.monotonic()
        core = self.core.validate(extra)
        timings["core (pyshacl)"] = time.monotonic() - t
        t = time.monotonic()
        sparql_results = _run_sparql(store, self.shapes, self.constraints)
        timings["sparql (oxigraph)"] = time.monotonic() - t
        records = _records(data, core, sparql_results, self.iris.esg)
        report_graph = _report_graph(core, sparql_results)
        timings["total"] = time.monotonic() - started
        return ValidationOutcome(report=report_graph, records=records, timings=timings)


def validate_graphs(data_graphs: Iterable[Graph], shapes: Graph, iris: Iris | None = None) -> ValidationOutcome:
    """Validate the union of ``data_graphs`` against ``shapes``."""
    return ReportValidation(data_graphs, shapes, iris).validate()


def validate_reports(common: list[Graph], reports: dict[str, Graph], shapes: Graph,
                     iris: Iris | None = None) -> ValidationOutcome:
    """Validate each report with the shared graphs, one report at a time, and merge.

    Every rule speaks about one report (a report disagreeing with itself), so validating
    reports separately finds the same results while the cost grows linearly with the
    number of reports instead of with the size of their union.
    """
    validation = ReportValidation(common, shapes, iris)
    if not reports:
        return validation.validate()
    return merge_outcomes([validation.validate(graph) for _, graph in sorted(reports.items())])


def merge_outcomes(outcomes: list[ValidationOutcome]) -> ValidationOutcome:
    """One sh:ValidationReport holding the results of several validations."""
    if len(outcomes) == 1:
        return outcomes[0]
    g = Graph()
    g.bind("sh", str(SH))
    report = BNode()
    g.add((report, RDF.type, SH.ValidationReport))
    conforms = True
    timings: dict[str, float] = {}
    for outcome in outcomes:
        heads = set(outcome.report.subjects(RDF.type, SH.ValidationReport))
        for head in heads:
            conforms = conforms and (head, SH.conforms, Literal(False)) not in outcome.report
            for result in outcome.report.objects(head, SH.result):
                g.add((report, SH.result, result))
        for triple in outcome.report:
            if triple[0] not in heads:
                g.add(triple)
        for key, value in outcome.timings.items():
            timings[key] = timings.get(key, 0.0) + value
    g.add((report, SH.conforms, Literal(conforms)))
    records = [r for outcome in outcomes for r in outcome.records]
    return ValidationOutcome(report=g, records=records, timings=timings)


def validate_dataset(dataset: "Dataset", report_id: str | None = None) -> ValidationOutcome:
    """Validate an assembled dataset (graph/build.py) against its own shapes graph."""
    shapes = shapes_graph_of(dataset)
    if shapes is None:
        raise ValidationFailed("the project has no shapes (ontology/shapes.ttl)")
    common, reports = split_graphs(dataset.graphs, dataset.iris, report_id)
    return validate_reports(common, reports, shapes, dataset.iris)


def validate_store(store: pyoxigraph.Store, report_id: str | None = None,
                   iris: Iris | None = None) -> ValidationOutcome:
    """Validate a store with the shapes it holds (only ``report_id``'s graph when given)."""
    iris = iris or Iris()
    if report_id is not None:
        names = {g.value for g in store.named_graphs()}
        if str(iris.report_graph(report_id)) not in names:
            known = sorted(n.rsplit("/", 1)[-1] for n in names if n.startswith(str(iris.graph("report")) + "/"))
            raise StoreError(f"no report {report_id!r} in the store (reports: {', '.join(known) or 'none'})")
    common, reports, shapes = load_store_graphs(store, iris, report_id)
    return validate_reports(common, reports, shapes, iris)


def record_line(record: ResultRecord) -> str:
    """One line naming the focus node, the sections and the message."""
    name = " / ".join(x for x in (record.label.get("zh-Hant"), record.label.get("en")) if x) or record.focus_node
    where = f" [{', '.join(record.sections)}]" if record.sections else ""
    year = f" {record.year}" if record.year and record.year not in name else ""
    return f"{name}{year}{where}: {record.message.get('en') or next(iter(record.message.values()), '')}"


def summary(outcome: ValidationOutcome, limit: int = 20) -> str:
    """A readable summary of the violations (what a refused build prints)."""
    violations = [r for r in outcome.records if r.severity == "Violation"]
    lines = [f"{len(violations)} SHACL violation(s); the store was not replaced:"]
    lines += [f"  {record_line(r)}" for r in violations[:limit]]
    if len(violations) > limit:
        lines.append(f"  … and {len(violations) - limit} more (run `esgkg validate` for all)")
    lines.append("  fix the report sources, or publish anyway with `esgkg build --force`")
    return "\n".join(lines)


class BuildValidator:
    """The validation step of a build: one verdict on every report's findings.

    :meth:`decide` raises :class:`ValidationFailed` when any report has violations, so the
    build does not publish; with ``force`` it publishes them. It never prints: ``on_verdict``
    receives the merged outcome just before the decision (the CLI shows it there).
    """

    def __init__(self, force: bool, on_verdict: Callable[[ValidationOutcome], None] | None = None,
                 iris: Iris | None = None) -> None:
        self.force = force
        self.on_verdict = on_verdict
        self.iris = iris or Iris()

    def decide(self, outcome: ValidationOutcome) -> None:
        """Show the verdict; raise ValidationFailed on violations unless forced (the build
        validates reports in worker processes and calls this with all their records)."""
        if self.on_verdict is not None:
            self.on_verdict(outcome)
        if not outcome.conforms and not self.force:
            raise ValidationFailed(summary(outcome))


def build_validator(force: bool = False, on_verdict: Callable[[ValidationOutcome], None] | None = None,
                    iris: Iris | None = None) -> BuildValidator | None:
    """The validation step of a build, or None while the project ships no shapes."""
    from .build import ontology_file

    if not ontology_file("shapes.ttl").exists():
        return None
    return BuildValidator(force, on_verdict, iris)
