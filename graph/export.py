"""Writing the published dataset in every common RDF format, byte-for-byte reproducibly, in
memory bounded by one group of graphs rather than by the store.

The store gives blank nodes fresh labels on every load; RDFC-1.0 relabels them from the
graph's structure, so identical data always serialises to identical bytes. Canonicalising the
whole dataset at once holds every quad in memory several times over (past 4 GiB at 100
reports), so the dataset is canonicalised a graph at a time, each graph's labels prefixed from
its name so that labels of two graphs never meet. A blank node several graphs share (the
validation report's head) is *pinned*: it takes part in each graph's canonicalisation under a
fixed name made from its RDFC-1.0 first-degree hash, and is written with a label from that
hash, so it stays one node (graphs whose shared nodes the hash cannot tell apart are
canonicalised together).

The N-Quads and N-Triples lines of each group are sorted in runs on disk and merged
(``heapq.merge``), so those files are sorted and unique as a whole; Turtle and RDF/XML are
written from the merged triples in chunks cut at a subject boundary, TriG and JSON-LD a graph
group at a time. Every chunk is serialised with the same prefix table, so its header is the
same and written once.
"""
from __future__ import annotations

import hashlib
import heapq
import io
import json
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Iterator

import pyoxigraph as ox

from .formats import JSONLD, NQUADS, NTRIPLES, RDF_BY_KEY, RDF_FORMATS, RDFXML, TRIG, TURTLE
from .namespaces import DEFAULT_BASE, Iris, prefixes
from .reference import package_dir

# format key -> (media type, is a dataset format, description), in export order: a view of
# the one format table (graph/formats.py).
FORMATS: dict[str, tuple[str, bool, str]] = {f.key: (f.media_type, f.dataset, f.description) for f in RDF_FORMATS}

RUN_BYTES = 64 * 2**20  # lines held before a sorted run goes to disk
CHUNK_TRIPLES = 50_000  # triples per Turtle / RDF/XML chunk (then the next subject starts one)
GraphKey = str  # a graph's name as N-Quads writes it; "" for the default graph
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
# The name a pinned blank node is canonicalised under (see _groups), followed by its hash; mapped
# back to a blank node before anything is written.
PIN = "urn:x-esgkg-export:pinned-blank-node:"


def jsonld_context(iris: Iris | None = None) -> dict:
    """The project's JSON-LD @context (ontology/context.jsonld), moved to this deployment's base."""
    iris = iris or Iris()
    path = package_dir("ontology") / "context.jsonld"
    if not path.exists():
        return dict(sorted(prefixes(iris).items()))
    text = path.read_text(encoding="utf-8")
    if iris.base != DEFAULT_BASE:
        text = text.replace(DEFAULT_BASE, iris.base)
    return json.loads(text)["@context"]


def export(store: ox.Store, fmt: str, iris: Iris | None = None) -> bytes:
    """The whole store in ``fmt`` (a key of :data:`FORMATS`), as bytes: for small stores and
    tests; :func:`write_formats` writes to files."""
    out = io.BytesIO()
    write_formats(store, {fmt: out}, iris)
    return out.getvalue()


def write_formats(store: ox.Store, targets: dict[str, BinaryIO], iris: Iris | None = None,
                  workdir: Path | None = None, progress: Callable[[int, int], None] | None = None,
                  each_graph: Callable[[str, bytes], None] | None = None) -> None:
    """Write the whole store in each format of ``targets`` (format key -> binary stream), in
    one pass over its graph groups (see the module docstring). The sorted runs go to a
    temporary folder in ``workdir`` (default: the system's), as large as the N-Quads and
    N-Triples uncompressed. ``progress(done, total)`` after each graph group;
    ``each_graph(name, turtle)``: every named graph on its own as Turtle, from the same canonical
    quads (the downloads' file per graph), so no graph is canonicalised twice."""
    unknown = sorted(set(targets) - set(FORMATS))
    if unknown:
        raise ValueError(f"unknown format {unknown[0]!r}; choose one of {', '.join(FORMATS)}")
    iris = iris or Iris()
    table = dict(sorted(prefixes(iris).items()))
    with tempfile.TemporaryDirectory(prefix=".esgkg-export-", dir=workdir) as work:
        quad_runs, triple_runs = _Runs(Path(work), "nq"), _Runs(Path(work), "nt")
        trig = _Chunks(targets.get(TRIG.key), TRIG.oxigraph, table)
        jsonld = _JsonLd(targets.get(JSONLD.key), iris) if JSONLD.key in targets else None
        groups, pinned = _groups(store)
        for done, group in enumerate(groups):
            if progress:
                progress(done, len(groups))
            quads = _canonical(store, group, pinned)
            if each_graph:
                _each_graph(quads, each_graph, table)
            if NQUADS.key in targets:
                quad_runs.add(ox.serialize(quads, format=ox.RdfFormat.N_QUADS))
            if {NTRIPLES.key, TURTLE.key, RDFXML.key} & set(targets):
                triple_runs.add(ox.serialize((ox.Triple(q.subject, q.predicate, q.object) for q in quads),
                                             format=ox.RdfFormat.N_TRIPLES))
            if TRIG.key in targets or jsonld:
                by_graph = sorted(quads, key=lambda q: (_key(q.graph_name), str(q)))
                trig.add(by_graph)
                if jsonld:
                    jsonld.add(by_graph)
        trig.close()
        if jsonld:
            jsonld.close()
        if NQUADS.key in targets:
            targets[NQUADS.key].writelines(quad_runs.merged())
        wanted = [k for k in (NTRIPLES.key, TURTLE.key, RDFXML.key) if k in targets]
        if wanted:
            _write_triples(triple_runs.merged(), {k: targets[k] for k in wanted}, table)


def _each_graph(quads: list[ox.Quad], write: Callable[[str, bytes], None], table: dict[str, str]) -> None:
    """Each named graph of a group's canonical quads as Turtle, its triples sorted."""
    by_graph: dict[str, list[ox.Triple]] = {}
    for q in quads:
        if isinstance(q.graph_name, ox.NamedNode):
            by_graph.setdefault(q.graph_name.value, []).append(ox.Triple(q.subject, q.predicate, q.object))
    for name in sorted(by_graph):
        write(name, ox.serialize(sorted(by_graph[name], key=str), format=ox.RdfFormat.TURTLE, prefixes=table))


def _key(graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph) -> GraphKey:
    return "" if isinstance(graph, ox.DefaultGraph) else str(graph)


def _graphs(store: ox.Store) -> list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph]:
    named = sorted(store.named_graphs(), key=str)
    has_default = next(iter(store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None
    return ([ox.DefaultGraph()] if has_default else []) + named


def _groups(store: ox.Store) -> tuple[list[list], dict[str, str]]:
    """The graphs in groups that are canonicalised together, and the blank nodes *pinned*:
    label -> the fixed name they are canonicalised under.

    A blank node held by several graphs (the validation report's head, whose ``sh:result``s
    are in every report's findings graph) is pinned by its RDFC-1.0 first-degree hash (a
    digest of every quad it is in, itself as ``_:a``, other blank nodes as ``_:z``), so the
    graphs that share it still go one at a time: the 1,001 findings graphs of 1,000 reports
    (947,360 quads) canonicalised as one group took the writer past its 4 GiB cap. Shared
    nodes whose hashes coincide cannot be told apart that way; the graphs holding them are
    grouped together (union-find), as RDFC-1.0 over their union tells them apart."""
    graphs = _graphs(store)
    first_seen: dict[str, int] = {}  # blank node label -> index of the first graph holding it
    shared: dict[str, set[int]] = {}
    for i, graph in enumerate(graphs):
        for quad in store.quads_for_pattern(None, None, None, graph):
            for term in (quad.subject, quad.object):
                if isinstance(term, ox.BlankNode):
                    j = first_seen.setdefault(term.value, i)
                    if j != i:
                        shared.setdefault(term.value, {j}).add(i)
    by_hash: dict[str, list[str]] = {}
    for label in shared:
        by_hash.setdefault(_first_degree_hash(store, ox.BlankNode(label)), []).append(label)
    pinned = {labels[0]: digest for digest, labels in by_hash.items() if len(labels) == 1}
    parent = list(range(len(graphs)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for label, holders in shared.items():
        if label not in pinned:
            first, *rest = sorted(holders)
            for i in rest:
                parent[root(i)] = root(first)
    groups: dict[int, list] = {}
    for i, graph in enumerate(graphs):
        groups.setdefault(root(i), []).append(graph)
    return sorted(groups.values(), key=lambda g: _key(g[0])), pinned


def _first_degree_hash(store: ox.Store, node: ox.BlankNode) -> str:
    """RDFC-1.0's hash of the first-degree quads of ``node`` over the whole store."""
    def term(t) -> str:
        if isinstance(t, ox.BlankNode):
            return "_:a" if t == node else "_:z"
        return "" if isinstance(t, ox.DefaultGraph) else str(t)

    lines = sorted(" ".join(x for x in (term(q.subject), term(q.predicate), term(q.object), term(q.graph_name)) if x)
                   + " .\n" for q in (*store.quads_for_pattern(node, None, None, None),
                                       *store.quads_for_pattern(None, None, node, None)))
    return hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()


def _canonical(store: ox.Store, group: list, pinned: dict[str, str]) -> list[ox.Quad]:
    """The group's quads with RDFC-1.0 blank node labels, prefixed for the group; a pinned
    blank node takes part under a fixed name and comes out labelled by its hash."""
    def pin(t):
        return ox.NamedNode(PIN + pinned[t.value]) if isinstance(t, ox.BlankNode) and t.value in pinned else t

    dataset = ox.Dataset(ox.Quad(pin(q.subject), q.predicate, pin(q.object), q.graph_name)
                         for graph in group for q in store.quads_for_pattern(None, None, None, graph))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    prefix = "g" + hashlib.sha256(_key(group[0]).encode("utf-8")).hexdigest()[:12] + "_"

    # Only the names made here go back to blank nodes: an IRI of the data equal to one would
    # have to embed the SHA-256 of the pinned node's own quads.
    names = {PIN + digest: ox.BlankNode("s" + digest[:24]) for digest in pinned.values()}

    def label(term):
        if isinstance(term, ox.BlankNode):
            return ox.BlankNode(prefix + term.value)
        if isinstance(term, ox.NamedNode):
            return names.get(term.value, term)
        return term

    return [ox.Quad(label(q.subject), q.predicate, label(q.object), label(q.graph_name)) for q in dataset]


class _Runs:
    """Lines (N-Quads or N-Triples) gathered from every group, sorted in runs on disk; merged,
    they are sorted and unique as a whole."""

    def __init__(self, folder: Path, name: str) -> None:
        self.folder, self.name = folder, name
        self.pending: set[bytes] = set()
        self.size = 0
        self.files: list[Path] = []

    def add(self, text: bytes) -> None:
        for line in text.splitlines():
            if line.strip() and line not in self.pending:
                self.pending.add(line)
                self.size += len(line) + 50
        if self.size >= RUN_BYTES:
            self._spill()

    def _spill(self) -> None:
        if not self.pending:
            return
        path = self.folder / f"{self.name}-{len(self.files):05}"
        with open(path, "wb") as out:
            out.writelines(line + b"\n" for line in sorted(self.pending))
        self.files.append(path)
        self.pending, self.size = set(), 0

    def merged(self) -> Iterator[bytes]:
        """Every line once, in byte order (that of code points), each ending in a newline."""
        self._spill()
        files = [open(path, "rb") for path in self.files]
        try:
            previous = None
            for line in heapq.merge(*files):
                if line != previous:
                    yield line
                previous = line
        finally:
            for f in files:
                f.close()


class _Chunks:
    """A Turtle, TriG or RDF/XML document written chunk by chunk: every chunk is serialised
    with the same prefixes, so the first one's header stands for all and the others' is cut."""

    def __init__(self, out: BinaryIO | None, fmt: ox.RdfFormat, table: dict[str, str]) -> None:
        self.out, self.fmt, self.table = out, fmt, table
        self.started = False
        self.xml = fmt == ox.RdfFormat.RDF_XML

    def add(self, items: list) -> None:
        if self.out is None or (not items and self.started):
            return
        text = ox.serialize(items, format=self.fmt, prefixes=self.table)
        lines = text.splitlines(keepends=True)
        if self.xml:  # <?xml …?>, <rdf:RDF …>, the body, </rdf:RDF>
            head, body = lines[:2], [line for line in lines[2:] if line.strip() != b"</rdf:RDF>"]
        else:
            n = next((i for i, line in enumerate(lines) if not line.startswith(b"@prefix ")), len(lines))
            head, body = lines[:n], lines[n:]
        if not self.started:
            self.out.writelines(head)
            self.started = True
        self.out.writelines(body)

    def close(self) -> None:
        if self.out is None:
            return
        self.add([])  # an empty store still gets a document with its header
        if self.xml:
            self.out.write(b"</rdf:RDF>\n")


def _write_triples(lines: Iterable[bytes], targets: dict[str, BinaryIO], table: dict[str, str]) -> None:
    """N-Triples as they come; Turtle and RDF/XML from chunks of them cut between subjects."""
    nt = targets.get(NTRIPLES.key)
    writers = [_Chunks(targets[k], RDF_BY_KEY[k].oxigraph, table) for k in (TURTLE.key, RDFXML.key) if k in targets]
    chunk: list[bytes] = []
    subject = b""

    def flush() -> None:
        if chunk and writers:
            triples = list(ox.parse(b"".join(chunk), format=ox.RdfFormat.N_TRIPLES))
            for w in writers:
                w.add(triples)
        chunk.clear()

    for line in lines:
        if nt is not None:
            nt.write(line)
        if not writers:
            continue
        this = line.split(b" ", 1)[0]
        if len(chunk) >= CHUNK_TRIPLES and this != subject:
            flush()
        chunk.append(line)
        subject = this
    flush()
    for w in writers:
        w.close()


class _JsonLd:
    """JSON-LD compacted against the project's @context: rdflib compacts each graph group (it
    holds the group in memory, not the store) and the groups' nodes and named graphs go into
    one top-level @graph."""

    def __init__(self, out: BinaryIO, iris: Iris) -> None:
        self.out, self.iris = out, iris
        self.context = jsonld_context(iris)
        self.first = True
        out.write(b'{\n  "@context": ' + _indented(self.context) + b',\n  "@graph": [')

    def add(self, quads: list[ox.Quad]) -> None:
        from rdflib import Dataset  # only JSON-LD needs rdflib's compaction

        ds = Dataset()
        terms: dict = {}  # each term converted once (IRIs and literals repeat through a group)
        graphs: dict = {}

        def term(t):
            found = terms.get(t)
            if found is None:
                found = terms[t] = rdflib_term(t)
            return found

        for quad in quads:
            graph = graphs.get(quad.graph_name)
            if graph is None:
                name = quad.graph_name
                graph = graphs[name] = ds.default_context if isinstance(name, ox.DefaultGraph) else ds.graph(term(name))
            graph.add((term(quad.subject), term(quad.predicate), term(quad.object)))
        for p, uri in sorted(prefixes(self.iris).items()):
            ds.bind(p, uri, override=True)
        doc = json.loads(ds.serialize(format="json-ld", context=self.context, encoding="utf-8"))
        doc.pop("@context", None)
        items = doc["@graph"] if set(doc) == {"@graph"} else [doc] if doc else []
        for item in items:
            self.out.write((b"\n    " if self.first else b",\n    ") + _indented(item, 4))
            self.first = False

    def close(self) -> None:
        self.out.write(b"\n  ]\n}\n")


def rdflib_term(term, plain_strings: bool = True):
    """An Oxigraph term as rdflib's, a blank node keeping its label (rdflib's parsers would give
    it a random one, and an export would change on every write). ``plain_strings``: an
    ``xsd:string`` literal without its datatype, as rdflib's parsers read one (graph/validation.py
    keeps the datatype its rules were written against)."""
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if plain_strings and term.datatype.value == _XSD_STRING:
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def _indented(value: object, depth: int = 2) -> bytes:
    text = json.dumps(value, ensure_ascii=False, indent=2)
    return text.replace("\n", "\n" + " " * depth).encode("utf-8")
