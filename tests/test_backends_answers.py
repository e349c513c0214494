"""Answers written by Oxigraph's writers under the caps, and the per-version answer cache."""
from __future__ import annotations

import json
import os

import pyoxigraph as ox
import pytest

from esgkg.service.backends.answers import AnswerCache
from esgkg.service.backends.reply import Reply
from esgkg.service.backends.results import RESULT_FORMATS, serialize_result

EX = "http://example.org/"


@pytest.fixture(scope="module")
def store() -> ox.Store:
    s = ox.Store()
    for i in range(60):
        # A line break inside a value: CSV quotes it, so counting lines would miscount rows.
        s.add(ox.Quad(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(EX + "p"), ox.Literal(f"line one\nline {i}")))
    return s


@pytest.mark.parametrize("media_type", sorted(RESULT_FORMATS))
def test_the_row_cap_holds_in_every_result_format(store, media_type):
    def answer(limit: int) -> Reply:
        solutions = store.query(f"SELECT ?s ?o WHERE {{ ?s ?p ?o }} LIMIT {limit}")
        return serialize_result(solutions, media_type, max_rows=50)

    assert answer(50).status == 200
    over = answer(51)
    assert over.status == 413 and over.headers["X-ESGKG-Row-Cap"] == "50"


def test_an_answer_is_refused_once_it_passes_the_byte_cap(store):
    solutions = store.query("SELECT ?s ?o WHERE { ?s ?p ?o }")
    reply = serialize_result(solutions, "application/sparql-results+json", 10_000, max_bytes=2_000)
    assert reply.status == 413 and "Result too large" in reply.body.decode()


def test_json_answers_are_standard_sparql_results(store):
    reply = serialize_result(store.query("SELECT ?o WHERE { ?s ?p ?o } LIMIT 1"),
                             "application/sparql-results+json", 10)
    doc = json.loads(reply.body)
    assert doc["head"]["vars"] == ["o"] and doc["results"]["bindings"][0]["o"]["type"] == "literal"
    ask = serialize_result(store.query("ASK { ?s ?p ?o }"), "application/sparql-results+json", 10)
    assert json.loads(ask.body) == {"head": {}, "boolean": True}


def _root_with_versions(tmp_path) -> str:
    for version in ("v1", "v2"):
        (tmp_path / "versions" / version).mkdir(parents=True)
    os.symlink(tmp_path / "versions" / "v1", tmp_path / "current")
    return str(tmp_path / "current")


def _publish(pointer: str, version: str) -> None:
    tmp = pointer + ".tmp"
    os.symlink(os.path.join(os.path.dirname(pointer), "versions", version), tmp)
    os.replace(tmp, pointer)


JOB = {"op": "query", "query": "SELECT * WHERE { ?s ?p ?o }", "media_type": "text/csv",
       "default_graphs": [], "named_graphs": [], "base_iri": "http://localhost/sparql"}


def test_a_kept_answer_is_served_only_while_its_version_is_current(tmp_path):
    pointer = _root_with_versions(tmp_path)
    cache = AnswerCache(pointer)
    answer = Reply(200, "text/csv", b"s,p,o\r\n", version="v1")
    cache.put(JOB, answer)
    assert cache.get(JOB) is answer
    assert cache.get({**JOB, "media_type": "text/tab-separated-values"}) is None
    assert cache.get({**JOB, "default_graphs": [EX + "g"]}) is None
    _publish(pointer, "v2")
    assert cache.get(JOB) is None  # a new version: the old answer no longer applies


def test_an_answer_computed_on_an_older_version_is_not_filed_under_the_new_one(tmp_path):
    pointer = _root_with_versions(tmp_path)
    cache = AnswerCache(pointer)
    _publish(pointer, "v2")  # published while the worker was still answering from v1
    cache.put(JOB, Reply(200, "text/csv", b"old\r\n", version="v1"))
    assert cache.get(JOB) is None


def test_errors_and_time_dependent_queries_are_never_kept(tmp_path):
    cache = AnswerCache(_root_with_versions(tmp_path))
    cache.put(JOB, Reply(503, "text/plain", b"Query timed out\n", version="v1"))
    assert cache.get(JOB) is None
    for text in ("SELECT (NOW() AS ?t) {}", "SELECT (rand () AS ?r) {}", "SELECT (STRUUID() AS ?u) {}"):
        assert not cache.cacheable({**JOB, "query": text})
    assert cache.cacheable(JOB)
