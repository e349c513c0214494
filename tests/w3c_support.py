"""Run the W3C SPARQL 1.1 query, update and Graph Store Protocol suites over HTTP.

The manifests and files are the suites' own (tests/w3c/sparql11/, copied from w3c/rdf-tests
with their licence). Every test runs against an :class:`Endpoint` over real HTTP only, so
the same code drives esgkg and ``oxigraph serve`` side by side:

* query evaluation: the test's dataset is loaded with one update (``DROP ALL`` then
  ``INSERT DATA``), the query is sent with ``BASE <its file>`` in front (so relative IRIs
  mean what the suite means), and the answer is compared with the expected results:
  solutions as multisets (blank nodes match any blank node, order is not checked), graphs
  by isomorphism, booleans as they are;
* update evaluation: the same loading, the update, then the default graph and every named
  graph are read back and compared (isomorphism per graph; empty graphs do not count);
* syntax tests: a positive test must not be refused as malformed (400), a negative one must;
* Graph Store Protocol: each ht:Request is sent as the manifest spells it ("/gsp" becomes
  the endpoint's store path), with ``Location`` templates, statuses and bodies checked.

Tests the suites withdrew are left out; those needing what neither server offers here
(entailment, SERVICE) are not copied.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pyoxigraph as ox
import requests
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS

SUITES = Path(__file__).parent / "w3c" / "sparql11"
W3C_BASE = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/"
QUERY_SUITES = ("aggregates", "bind", "bindings", "cast", "construct", "csv-tsv-res", "exists", "functions",
                "grouping", "json-res", "negation", "project-expression", "property-path", "subquery",
                "syntax-query")
UPDATE_SUITES = ("add", "basic-update", "clear", "copy", "delete-data", "delete-insert", "delete-where",
                 "delete", "drop", "move", "update-silent", "syntax-update-1", "syntax-update-2")
GSP_SUITE = "graph-store-protocol"

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
DAWGT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-dawg#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
HTS = "http://www.w3.org/2011/http-statusCodes#"
ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9"
TIMEOUT = 60


@dataclass
class Endpoint:
    """Where a server takes queries, updates and Graph Store requests, and its write token."""

    name: str
    query_url: str
    update_url: str
    store_url: str
    headers: dict[str, str] = field(default_factory=dict)  # sent with writes


@dataclass
class Case:
    suite: str
    name: str
    kind: str
    run: Callable[[Endpoint], None]

    @property
    def id(self) -> str:
        return f"{self.suite}/{self.name}"


class Unsupported(Exception):
    """The test needs something this runner does not read (e.g. results written in RDF)."""


# -- manifests -------------------------------------------------------------------------------
def _manifest(suite: str, name: str = "manifest.ttl") -> tuple[Graph, URIRef]:
    graph = Graph().parse(SUITES / suite / name, format="turtle", publicID=f"{W3C_BASE}{suite}/{name}")
    return graph, next(iter(graph.subjects(RDF.type, MF.Manifest)))


def _local(iri: str) -> Path:
    return SUITES / iri.removeprefix(W3C_BASE)


def cases(suites: tuple[str, ...]) -> list[Case]:
    """The test cases of ``suites``, in manifest order."""
    out: list[Case] = []
    for suite in suites:
        graph, root = _manifest(suite)
        entries = graph.value(root, MF.entries)
        for test in Collection(graph, entries) if entries is not None else []:
            if graph.value(test, DAWGT.approval) == DAWGT.Withdrawn:
                continue
            kind = str(graph.value(test, RDF.type)).split("#")[-1]
            name = str(test).split("#")[-1]
            runner = _runner(graph, test, kind)
            if runner is not None:
                out.append(Case(suite, name, kind, runner))
    if GSP_SUITE in suites:
        for part in ("manifest-direct.ttl", "manifest-indirect.ttl"):
            graph, root = _manifest(GSP_SUITE, part)
            for test in Collection(graph, graph.value(root, MF.entries)):
                out.append(Case(GSP_SUITE, str(test).split("#")[-1], "GraphStoreProtocolTest",
                                _gsp_runner(graph, test)))
    return out


def _runner(graph: Graph, test: URIRef, kind: str) -> Callable[[Endpoint], None] | None:
    action = graph.value(test, MF.action)
    if kind in ("QueryEvaluationTest", "CSVResultFormatTest"):
        query = str(graph.value(action, QT.query))
        default = [str(d) for d in graph.objects(action, QT.data)]
        named = {str(g): str(g) for g in graph.objects(action, QT.graphData)}
        result = graph.value(test, MF.result)
        return lambda ep: run_query_test(ep, query, default, named, str(result) if result else None)
    if kind in ("PositiveSyntaxTest11", "NegativeSyntaxTest11"):
        return lambda ep: run_syntax_test(ep, str(action), kind.startswith("Positive"), update=False)
    if kind in ("PositiveUpdateSyntaxTest11", "NegativeUpdateSyntaxTest11"):
        return lambda ep: run_syntax_test(ep, str(action), kind.startswith("Positive"), update=True)
    if kind == "UpdateEvaluationTest":
        request = str(graph.value(action, UT.request))
        before = _update_state(graph, action)
        after = _update_state(graph, graph.value(test, MF.result))
        return lambda ep: run_update_test(ep, request, before, after)
    return None


def _update_state(graph: Graph, node) -> tuple[list[str], dict[str, str]]:
    default = [str(d) for d in graph.objects(node, UT.data)]
    named = {str(graph.value(g, RDFS.label)): str(graph.value(g, UT.graph)) for g in graph.objects(node, UT.graphData)}
    return default, named


# -- datasets -----------------------------------------------------------------------------------
def _triples(iri: str, tag: str) -> list[ox.Triple]:
    path = _local(iri)
    fmt = ox.RdfFormat.from_extension(path.suffix.lstrip(".")) or ox.RdfFormat.TURTLE
    def term(t):
        return ox.BlankNode(f"{tag}{t.value}") if isinstance(t, ox.BlankNode) else t
    return [ox.Triple(term(q.subject), q.predicate, term(q.object))
            for q in ox.parse(path=str(path), format=fmt, base_iri=iri)]


def _nt(triples: list[ox.Triple]) -> str:
    return (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode("utf-8")


def load(ep: Endpoint, default: list[str], named: dict[str, str]) -> None:
    """Replace the endpoint's whole dataset: ``default`` files merged, ``named`` name -> file."""
    blocks = [_nt([t for i, iri in enumerate(default) for t in _triples(iri, f"d{i}x")])]
    for i, (name, iri) in enumerate(sorted(named.items())):
        blocks.append(f"GRAPH <{name}> {{\n{_nt(_triples(iri, f'n{i}x'))}}}\n")
    update(ep, "DROP ALL ; INSERT DATA {\n" + "".join(blocks) + "}", expect_ok=True)


def update(ep: Endpoint, text: str, expect_ok: bool = False) -> requests.Response:
    r = requests.post(ep.update_url, data=text.encode("utf-8"), timeout=TIMEOUT,
                      headers={**ep.headers, "Content-Type": "application/sparql-update"})
    if expect_ok:
        assert r.status_code < 300, f"loading the dataset failed: {r.status_code} {r.text[:300]}"
    return r


def query(ep: Endpoint, text: str, accept: str = ACCEPT) -> requests.Response:
    return requests.post(ep.query_url, data=text.encode("utf-8"), timeout=TIMEOUT,
                         headers={"Content-Type": "application/sparql-query", "Accept": accept})


def _with_base(iri: str) -> str:
    return f"BASE <{iri}>\n" + _local(iri).read_text(encoding="utf-8")


# -- evaluation tests ---------------------------------------------------------------------------
def run_query_test(ep: Endpoint, query_iri: str, default: list[str], named: dict[str, str],
                   result: str | None) -> None:
    load(ep, default, named)
    if result is None:
        raise Unsupported("no expected result")
    ext = Path(result).suffix
    accept = {".csv": "text/csv", ".tsv": "text/tab-separated-values"}.get(ext, ACCEPT)
    r = query(ep, _with_base(query_iri), accept)
    assert r.status_code == 200, f"{r.status_code}: {r.text[:300]}"
    media = r.headers.get("Content-Type", "").split(";")[0].strip()
    if ext in (".ttl", ".rdf", ".nt") and media == "application/n-triples":
        expected = Graph().parse(_local(result), format={".ttl": "turtle", ".rdf": "xml", ".nt": "nt"}[ext],
                                 publicID=result)
        got = Graph().parse(data=r.text, format="nt")
        assert isomorphic(expected, got), f"graphs differ: got {len(got)} triples, expected {len(expected)}"
        return
    if ext == ".csv":
        assert _csv_rows(r.text) == _csv_rows(_local(result).read_text(encoding="utf-8"))
        return
    fmt = {".srx": ox.QueryResultsFormat.XML, ".srj": ox.QueryResultsFormat.JSON,
           ".tsv": ox.QueryResultsFormat.TSV}.get(ext)
    if fmt is None:
        raise Unsupported(f"expected results as {ext}")
    expected = ox.parse_query_results(path=str(_local(result)), format=fmt)
    got_format = {"application/sparql-results+json": ox.QueryResultsFormat.JSON,
                  "text/tab-separated-values": ox.QueryResultsFormat.TSV}.get(media)
    assert got_format is not None, f"answered {media}"
    got = ox.parse_query_results(r.content, format=got_format)
    assert _solutions(got) == _solutions(expected)


def _canonical(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return "_:"
    if isinstance(term, ox.Literal) and term.language:
        return f'"{term.value}"@{term.language.lower()}'
    if isinstance(term, ox.Literal) and term.datatype.value.endswith(("#double", "#float", "#decimal")):
        try:
            return f"{float(term.value)!r}^^{term.datatype.value}"
        except ValueError:
            pass
    return str(term)


def _solutions(results: object) -> object:
    if isinstance(results, ox.QueryBoolean):
        return bool(results)
    names = [v.value for v in results.variables]  # type: ignore[attr-defined]
    rows = sorted(tuple(_canonical(row[n]) for n in names) for row in results)  # type: ignore[attr-defined]
    return sorted(names), sorted(tuple(sorted(zip(names, row))) for row in rows)


def _csv_rows(text: str) -> list[str]:
    lines = text.replace("\r\n", "\n").strip("\n").split("\n")
    return [lines[0]] + sorted(re.sub(r"_:\w+", "_:", line) for line in lines[1:])


def run_syntax_test(ep: Endpoint, iri: str, positive: bool, update: bool) -> None:
    text = _with_base(iri)
    r = globals()["update" if update else "query"](ep, text)
    if positive:
        assert r.status_code != 400, f"refused as malformed: {r.text[:300]}"
    else:
        assert r.status_code == 400, f"answered {r.status_code}, not 400"


def run_update_test(ep: Endpoint, request: str, before: tuple[list[str], dict[str, str]],
                    after: tuple[list[str], dict[str, str]]) -> None:
    load(ep, *before)
    r = update(ep, _with_base(request))
    assert r.status_code < 300, f"{r.status_code}: {r.text[:300]}"
    default, named = after
    expected_default = Graph().parse(data=_nt([t for i, iri in enumerate(default) for t in _triples(iri, "x")]),
                                     format="nt")
    assert isomorphic(_read_graph(ep, None), expected_default), "default graph differs"
    got_names = {row["g"]["value"] for row in json.loads(query(
        ep, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", "application/sparql-results+json").text)
        ["results"]["bindings"]}
    expected_named = {name: Graph().parse(data=_nt(_triples(iri, "x")), format="nt") for name, iri in named.items()}
    assert got_names == {n for n, g in expected_named.items() if len(g)}, "named graphs differ"
    for name, graph in expected_named.items():
        if len(graph):
            assert isomorphic(_read_graph(ep, name), graph), f"graph <{name}> differs"


def _read_graph(ep: Endpoint, name: str | None) -> Graph:
    pattern = "?s ?p ?o" if name is None else f"GRAPH <{name}> {{ ?s ?p ?o }}"
    r = query(ep, f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {pattern} }}", "application/n-triples")
    assert r.status_code == 200, r.text[:300]
    return Graph().parse(data=r.text, format="nt")


# -- Graph Store Protocol -----------------------------------------------------------------------
def _gsp_runner(graph: Graph, test: URIRef) -> Callable[[Endpoint], None]:
    action = graph.value(test, MF.action)
    requests_list = list(Collection(graph, graph.value(action, HT.requests)))
    authority = str(graph.value(action, HT.connectionAuthority))
    return lambda ep: run_gsp_test(ep, graph, requests_list, authority)


def run_gsp_test(ep: Endpoint, graph: Graph, steps: list, authority: str) -> None:
    """Send each request in order to the store ("/gsp" is the endpoint's path, Host the suite's)."""
    store_path = "/" + ep.store_url.split("/", 3)[3]
    base = ep.store_url.removesuffix(store_path)
    update(ep, "DROP ALL", expect_ok=True)
    variables: dict[str, str] = {}

    def fill(text: str) -> str:
        for name, value in variables.items():
            text = text.replace(name, value)
        return text

    for step in steps:
        path = fill(str(graph.value(step, HT.absolutePath)))
        path = store_path + path.removeprefix("/gsp") if path.startswith("/gsp") else path
        headers = {"Host": authority, **ep.headers}
        header_list = graph.value(step, HT.headers)
        for header in Collection(graph, header_list) if header_list is not None else []:
            headers[str(graph.value(header, HT.fieldName))] = str(graph.value(header, HT.fieldValue))
        body = graph.value(step, HT.body)
        data = fill(str(graph.value(body, CNT.chars))).encode("utf-8") if body is not None else None
        r = requests.request(str(graph.value(step, HT.methodName)), base + path, headers=headers, data=data,
                             timeout=TIMEOUT, allow_redirects=False)
        _check_gsp_response(graph, graph.value(step, HT.resp), r, variables)


def _check_gsp_response(graph: Graph, expected, r: requests.Response, variables: dict[str, str]) -> None:
    names = {str(s).removeprefix(HTS) for s in graph.objects(expected, MF.expectedStatus)}
    codes = {"OK": 200, "Created": 201, "NoContent": 204, "NotFound": 404}
    wanted = {codes[n] for n in names if n in codes}
    assert r.status_code in wanted or f"StatusCode{r.status_code // 100}xx" in names, \
        f"{r.request.method} {r.request.url}: status {r.status_code} not in {sorted(names)}: {r.text[:200]}"
    location = graph.value(expected, MF.expectedLocation)
    if location is not None:
        assert "Location" in r.headers, "no Location header"
        variables[str(location)] = r.headers["Location"]
    body = graph.value(expected, HT.body)
    if body is not None:
        expected_graph = Graph().parse(data=str(graph.value(body, CNT.chars)), format="turtle")
        got = Graph().parse(data=r.text, format="turtle")
        assert isomorphic(expected_graph, got), "graph differs"
