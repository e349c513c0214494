"""Graph answers (CONSTRUCT/DESCRIBE) declare exactly the prefixes their IRIs use."""
from __future__ import annotations

import pyoxigraph as ox

from esgkg.service.backends.results import serialize_triples

PREFIXES = {
    "ex": "http://example.org/",
    "exid": "http://example.org/id/",  # nested in ex: both apply to an IRI under /id/
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "unused": "http://unused.example/",  # inside an IRI, not at its start: not used
    "lit": "http://literal.example/",  # appears only inside a literal: not an IRI of the output
}


def test_only_the_prefixes_of_iris_in_the_answer_are_declared():
    triples = [
        ox.Triple(ox.NamedNode("http://example.org/id/a"), ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                  ox.Literal("see http://literal.example/x")),
        ox.Triple(ox.BlankNode("b"), ox.NamedNode("http://other.example/p?of=http://unused.example/"),
                  ox.NamedNode("http://example.org/id/c")),
    ]
    body = serialize_triples(triples, "text/turtle", 100, PREFIXES).body.decode()
    declared = {line.split()[1].rstrip(":") for line in body.splitlines() if line.startswith("@prefix")}
    assert declared == {"ex", "exid", "rdfs"}
    assert len(list(ox.parse(body.encode(), format=ox.RdfFormat.TURTLE))) == 2
