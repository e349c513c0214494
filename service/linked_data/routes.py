"""Blueprint: every IRI the project mints answers here, as HTML for people and RDF for programs.

A request path maps to the IRI ``<base> + path`` (``ESGKG_BASE_IRI``), so a deployment on its
own domain dereferences its own IRIs. The representation is chosen by suffix (``.ttl``,
``.jsonld``, ``.nt``, ``.rdf``, ``.html``) or by ``Accept`` (q-values honoured); the answer
is a direct 200 with ``Content-Location`` naming the suffixed document (decision 8 in
docs/decisions.md). Every answer carries an ETag made of the store version and the
representation, and Last-Modified from the version's publication, and revalidates to 304.

Special documents: ``/ontology`` (the ontology graph; its hash IRIs), ``/shapes`` (the SHACL
graph), ``/dataset`` and ``/.well-known/void`` (VoID + DCAT), ``/graph/...`` (a named graph
as a VoID subset), ``/queries/NAME`` (a named query), plus ``/sitemap.xml`` and
``/robots.txt``.
"""
from __future__ import annotations

import bisect
import hashlib
import re
from typing import Callable

import pyoxigraph as ox
from flask import Blueprint, Response, render_template, request

from esgkg.graph import dataset_description, describe, named_queries, sitemap
from esgkg.graph.dataset_description import Statistics
from esgkg.graph.derived import DOCUMENTS, STATISTICS, kept, read_documents, read_statistics
from esgkg.graph.dumps import Preparing
from esgkg.graph.errors import EsgkgError, QueryError
from esgkg.graph.rdf_output import TRIPLE_FORMATS, serialize

from .. import http
from ..dumps import disk_error_message, preparing_error
from ..errors import HttpError, error_response
from ..state import State, Version, current_state
from . import ontology_page, resource_page
from .labels import Labeller

bp = Blueprint("linked_data", __name__)

_SAFE_PATH = re.compile(r"^[A-Za-z0-9._~!$&'()*+,;=:@%/-]{1,512}$")
CACHE_CONTROL = "public, max-age=60"


# --------------------------------------------------------------------- what describes an IRI
def _dataset_triples(ld: State, version: Version | None) -> list[ox.Triple]:
    # The description lists the downloads once they are written; it never waits for them
    # (their writer may take minutes on a large store) and is kept apart until they are.
    dumps = ld.dump_files(version, wait=0) if version is not None and ld.dumps is not None else None
    if isinstance(dumps, Preparing):
        if dumps.retry:
            raise preparing_error(dumps)
        dumps = None
    key = version.id if version else None
    listed = dumps is not None

    def describe(stats: Statistics | None = None, counted: bool = True) -> Callable[[], list[ox.Triple]]:
        return lambda: dataset_description.describe_dataset(ld.sparql, ld.iris, dumps=dumps, version=key,
                                                            stats=stats, counted=counted)

    # The counts: as the downloads' writer kept them, else counted here, else (a store whose
    # counting is beyond the limits, before the writer is done) none.
    if version is not None and ld.dumps is not None and kept(ld.dumps.root, version.id, STATISTICS):
        counts = ld.dumps.root  # read once per version, inside the cached description
        return ld.descriptions.get(key, ("\0dataset", listed, "kept"),
                                   lambda: describe(read_statistics(counts, version.id))())
    try:
        return ld.descriptions.get_within_limits(key, ("\0dataset", listed), describe())
    except QueryError as exc:
        if not exc.limited:
            raise
        return ld.descriptions.get(key, ("\0dataset", listed, "uncounted"), describe(counted=False))


def _kind(ld: State, iri: str) -> str:
    base = ld.iris.base
    if iri in (str(ld.iris.dataset()), base + ".well-known/void"):
        return "dataset"
    if iri == str(ld.iris.ontology):
        return "ontology"
    if iri == str(ld.iris.shapes_graph):
        return "shapes"
    if iri.startswith(base + "graph/"):
        return "graph"
    if iri.startswith(base + "queries/"):
        return "query"
    return "resource"


def description(ld: State, iri: str, version: Version | None) -> list[ox.Triple]:
    """The triples answered for ``iri`` (empty: we know nothing about it)."""
    kind = _kind(ld, iri)
    if kind == "dataset":
        return _dataset_triples(ld, version)

    def compute() -> list[ox.Triple]:
        found = describe.describe(ld.sparql, iri, ld.iris)
        if kind == "graph":
            found += dataset_description.about(_dataset_triples(ld, version), iri)
        if kind == "query":
            example = named_queries.find(iri[len(ld.iris.base + "queries/"):], base=ld.iris.base)
            if example is not None:
                found += named_queries.describe_query(example, ld.iris.base)
        return sorted(set(found), key=str)
    # A graph's page carries the dataset's counts of it: kept apart until they are counted.
    counted = kind == "graph" and version is not None and ld.dumps is not None \
        and kept(ld.dumps.root, version.id, STATISTICS)
    return ld.descriptions.get(version.id if version else None, (iri, counted), compute)


# --------------------------------------------------------------------- routes
@bp.route("/robots.txt")
def robots() -> Response:
    return Response(sitemap.robots_txt(current_state().iris.base), content_type="text/plain; charset=utf-8",
                    headers={"Cache-Control": CACHE_CONTROL})


def _documents(ld: State, version: Version | None) -> list[str]:
    """Every document of the dataset: from the list the downloads' writer keeps, else asked
    here, else (a store too large to list within the limits) a 503 while that list is written."""
    queries = [named_queries.query_iri(name, ld.iris.base) for name in named_queries.load_all(base=ld.iris.base)]
    key = version.id if version else None
    listed = version is not None and ld.dumps is not None and kept(ld.dumps.root, version.id, DOCUMENTS)
    if listed:  # read once per version: a million IRIs at 1,000 reports
        return ld.descriptions.get(key, "\0documents-kept", lambda: sitemap.documents(
            read_documents(ld.dumps.root, version.id) or [], ld.iris, queries))
    try:
        return ld.descriptions.get_within_limits(key, "\0documents",
                                                 lambda: sitemap.document_iris(ld.sparql, ld.iris, extra=queries))
    except QueryError as exc:
        if not exc.limited or version is None or ld.dumps is None:
            raise HttpError(exc.status if exc.status >= 400 else 503, str(exc)) from exc
        ld.dump_files(version, wait=0)  # starts the writer that lists them
        raise HttpError(503, "Listing every document of this store is beyond this service's limits; the list is "
                             "being written, once per store version. Try again in a minute.",
                        **{"Retry-After": "60"}) from exc


@bp.route("/sitemap.xml")
@bp.route("/sitemap-<int:page>.xml")
def sitemap_xml(page: int | None = None) -> Response:
    """The sitemap: one urlset, or past SITEMAP_LIMIT URLs an index of ``/sitemap-N.xml`` pages."""
    ld = current_state()
    version = ld.version()
    etag = f'W/"{version.id}-sitemap-{page or 0}"' if version else None
    if etag and http.not_modified(request, etag, version.published):
        return http.not_modified_response(etag, version.published, "Accept-Encoding")
    docs = _documents(ld, version)
    count = sitemap.pages(docs)
    stamp = version.published if version else None
    if page is None:
        body = sitemap.sitemap_xml(docs, stamp) if count == 1 else sitemap.sitemap_index_xml(ld.iris.base, count, stamp)
    elif 1 <= page <= count and count > 1:
        body = sitemap.sitemap_xml(docs, stamp, page)
    else:
        raise HttpError(404, f"No sitemap page {page}: /sitemap.xml lists the {count if count > 1 else 'no'} pages.")
    response = Response(body, content_type="application/xml; charset=utf-8")
    response.headers["Cache-Control"] = CACHE_CONTROL
    return http.validators(response, etag, version.published) if etag and version else response


@bp.route("/<path:path>", methods=["GET", "HEAD"])
def resource(path: str) -> Response:
    """Dereference ``<base> + path`` (see the module docstring)."""
    if not _SAFE_PATH.match(path) or ".." in path.split("/"):
        return _not_found(path, None, "html")
    doc_path, suffix = http.split_suffix(path)
    fmt = http.BY_KEY[suffix] if suffix else http.negotiate_resource(request.headers.get("Accept"))
    if fmt is None:
        offered = ", ".join(f.media_type for f in http.RESOURCE_FORMATS)
        raise HttpError(406, f"Not available in the requested format. Available: {offered} "
                             f"(or add .ttl, .jsonld, .nt, .rdf or .html to the path).")
    ld = current_state()
    iri = ld.iris.base + doc_path
    lang = http.language(request) if fmt.name == "html" else None
    vary = "Accept-Language" if suffix else "Accept, Accept-Language"
    version = ld.version()
    representation = fmt.name + (f"-{lang}" if lang else "")
    if version and ld.dumps is not None and _kind(ld, iri) == "dataset":
        # The description lists the downloads, and the counts the writer keeps, once written.
        representation += "-dumps" * (ld.dumps.get(version.id) is not None)
        representation += "-counted" * kept(ld.dumps.root, version.id, STATISTICS)
    etag = f'W/"{version.id}-{representation}"' if version else None
    if etag and http.not_modified(request, etag, version.published):
        return http.not_modified_response(etag, version.published, vary)
    try:
        triples = description(ld, iri, version)
        if not triples:
            return _not_found(doc_path, iri, fmt.name, lang)
        if fmt.name == "html":
            body = _html(ld, iri, triples, lang or "en", version).encode("utf-8")
        else:
            body = serialize(triples, fmt.name, ld.iris)
    except QueryError as exc:
        raise HttpError(exc.status if exc.status >= 500 else 503, exc.message) from exc
    except EsgkgError as exc:
        raise HttpError(503, str(exc)) from exc
    except OSError as exc:  # the dataset page lists the dumps, made on first use: full disk
        raise HttpError(503, disk_error_message(exc, "this page"), **{"Retry-After": "300"}) from exc
    response = Response(body, content_type=fmt.content_type)
    response.headers["Vary"] = vary
    response.headers["Cache-Control"] = CACHE_CONTROL
    root = request.script_root
    if not suffix:
        response.headers["Content-Location"] = f"{root}/{doc_path}.{fmt.name}"
    response.headers["Link"] = ", ".join(
        f'<{root}/{doc_path}.{f.name}>; rel="alternate"; type="{f.media_type}"' for f in http.RESOURCE_FORMATS)
    if etag is None:  # remote mode: no version, so the content is the validator
        etag = f'W/"{hashlib.sha256(body).hexdigest()[:16]}-{representation}"'
        if http.not_modified(request, etag, None):
            return http.not_modified_response(etag, None, vary)
    return http.validators(response, etag, version.published if version else None)


# --------------------------------------------------------------------- HTML
def _formats(path: str) -> list[tuple[str, str]]:
    names = {"ttl": "Turtle", "jsonld": "JSON-LD", "nt": "N-Triples", "rdf": "RDF/XML"}
    return [(names[key], f"{path}.{key}") for key in TRIPLE_FORMATS]


def _html(ld: State, iri: str, triples: list[ox.Triple], lang: str, version: Version | None) -> str:
    labeller = Labeller(triples, ld.iris, lang, request.script_root)
    kind = _kind(ld, iri)
    common = {"page_lang": "zh-Hant" if lang == "zh-hant" else "en", "lang": lang,
              "formats": _formats(labeller.href(iri)), "version": version.id if version else None,
              "switch_lang": "en" if lang == "zh-hant" else "zh-Hant"}
    if kind in ("ontology", "shapes"):
        ontology = triples if kind == "ontology" else describe.describe(ld.sparql, str(ld.iris.ontology), ld.iris)
        shapes = triples if kind == "shapes" else ld.descriptions.get(version.id if version else None, str(ld.iris.shapes_graph), lambda: describe.describe(
            ld.sparql, str(ld.iris.shapes_graph), ld.iris))
        labeller = Labeller(ontology + shapes, ld.iris, lang, request.script_root)
        view = ontology_page.build(iri, ontology, shapes, ld.iris, labeller)
        return render_template("linked_data/ontology.html", view=view, shapes_page=kind == "shapes", **common)
    view = resource_page.build(iri, triples, ld.iris, labeller)
    if kind == "dataset":
        return render_template("linked_data/dataset.html", view=view, stats=_dataset_numbers(ld, triples, labeller), **common)
    query_text = None
    if kind == "query":
        example = named_queries.find(iri[len(ld.iris.base + "queries/"):], base=ld.iris.base)
        query_text = example.query if example else None
    return render_template("linked_data/resource.html", view=view, query_text=query_text, **common)


def _dataset_numbers(ld: State, triples: list[ox.Triple], labeller: Labeller) -> dict:
    """The dataset page's tables, read back from the VoID triples."""
    void = "http://rdfs.org/ns/void#"
    ds = ox.NamedNode(str(ld.iris.dataset()))
    by_subject: dict[object, dict[str, list[object]]] = {}
    for t in triples:
        by_subject.setdefault(t.subject, {}).setdefault(t.predicate.value, []).append(t.object)
    top = by_subject.get(ds, {})
    number = lambda node, p: int(by_subject.get(node, {}).get(p, [ox.Literal("0")])[0].value)  # noqa: E731
    totals = [(name, number(ds, void + name)) for name in
              ("triples", "entities", "classes", "properties", "distinctSubjects", "distinctObjects")]
    classes = sorted(((labeller.link(by_subject[p][void + "class"][0].value), number(p, void + "entities"))
                      for p in top.get(void + "classPartition", [])), key=lambda x: -x[1])
    properties = sorted(((labeller.link(by_subject[p][void + "property"][0].value), number(p, void + "triples"))
                         for p in top.get(void + "propertyPartition", [])), key=lambda x: -x[1])
    subsets, linksets = [], []
    for s in top.get(void + "subset", []):
        props = by_subject.get(s, {})
        if void + "linkPredicate" in props:
            linksets.append((labeller.link(props[void + "linkPredicate"][0].value), number(s, void + "triples")))
        else:
            subsets.append((labeller.link(s.value), number(s, void + "triples")))
    return {"totals": totals, "classes": classes, "properties": properties, "graphs": sorted(subsets, key=lambda x: x[0].iri),
            "linksets": linksets}


NEARBY = 20  # suggestions on a 404 page
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def _not_found(path: str, iri: str | None, fmt: str, lang: str | None = None) -> Response:
    """404 that helps: what was asked, what exists nearby, where to look instead."""
    message = (f"No resource <{iri or path}> in this dataset. Try {request.script_root}/sitemap.xml "
               f"for every published IRI, or the SPARQL endpoint at {request.script_root}/sparql.")
    if fmt != "html":
        return error_response(404, message, as_html=False)
    nearby = _nearby(current_state(), iri, lang or "en") if iri else []
    return error_response(404, message, as_html=True, template="linked_data/not_found.html", iri=iri or path,
                          nearby=nearby, page_lang="en")


def _nearby(ld: State, iri: str, lang: str) -> list[tuple[str, str]]:
    """Up to NEARBY known IRIs under the same parent path as ``iri``: (link, label).

    A 404 must stay cheap (anyone can ask for any path), so it never scans the store: the
    subjects under the base IRI are listed once per store version and cached, and a 404 costs
    a bisect plus one label lookup by VALUES. Without a version (remote engine) nothing is
    cached, so there are no suggestions; the page still links to the sitemap and /sparql.
    """
    version = ld.version()
    if version is None:
        return []
    subjects: list[str] = ld.descriptions.get(version.id if version else None, "\0subjects", lambda: _subjects(ld))
    parent = iri.rsplit("/", 1)[0] + "/"
    start = bisect.bisect_left(subjects, parent)
    near = [s for s in subjects[start:start + NEARBY] if s.startswith(parent)]
    if not near:
        return []
    labels: dict[str, str] = {}
    try:
        values = " ".join(f"<{s}>" for s in near)  # IRIs read from the store: valid, no '>' inside
        for row in ld.sparql.select(f"""SELECT ?s (SAMPLE(?l) AS ?label) WHERE {{
                VALUES ?s {{ {values} }} ?s <{RDFS_LABEL}> ?l
                FILTER(LANGMATCHES(LANG(?l), "{'zh-Hant' if lang == 'zh-hant' else 'en'}")) }} GROUP BY ?s"""):
            if "label" in row:
                labels[row["s"]["value"]] = row["label"]["value"]
    except QueryError:
        pass  # links without labels are still useful
    labeller = Labeller([], ld.iris, lang, request.script_root)
    return [(labeller.href(s), labels.get(s) or labeller.curie(s)) for s in near]


def _subjects(ld: State) -> list[str]:
    """Every subject IRI under the base IRI, sorted (one scan of the store; [] if refused)."""
    try:
        rows = ld.sparql.select(f"""SELECT DISTINCT ?s WHERE {{
            ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{ld.iris.base}")) }}""")
    except QueryError:
        # Over the row cap or the time limit: cached as "no suggestions" for this version,
        # so that it is not retried on every 404.
        return []
    return sorted(rows.values("s"))
