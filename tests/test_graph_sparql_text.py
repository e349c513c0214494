"""The SPARQL lexer and the checks built on it (graph/sparql_text.py)."""
from __future__ import annotations

import pytest

from esgkg.graph.sparql_text import (_unescape, add_using, forbidden_keyword, has_dataset_clause, has_from_clause,
                                      only_silent_loads, query_form)


def test_query_form_and_forbidden_keywords():
    assert query_form("PREFIX s: <http://x/select#> # SELECT\nCONSTRUCT WHERE { ?s ?p ?o }") == "CONSTRUCT"
    assert forbidden_keyword('SELECT * { ?s ?p "SERVICE" . ?s ex:service ?load } # LOAD') is None
    assert forbidden_keyword("select * { service <http://x/> { ?s ?p ?o } }") == "SERVICE"
    assert forbidden_keyword("SELECT * { \\u0053ERVICE <http://x/> {} }") == "SERVICE"
    assert forbidden_keyword("LOAD SILENT <http://x/>") == "LOAD"


def test_add_using_and_conflicts():
    update = "INSERT { ?s a <t> } WHERE { { SELECT ?s WHERE { ?s ?p ?o } } } ; DELETE WHERE { ?s <p> ?o }"
    rewritten = add_using(update, ["http://g/1"], ["http://g/2"])
    assert rewritten.count("USING <http://g/1> USING NAMED <http://g/2> WHERE") == 1
    assert rewritten.endswith("DELETE WHERE { ?s <p> ?o }")
    assert has_dataset_clause("WITH <g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }")
    assert not has_dataset_clause('INSERT DATA { <a> <b> "with using" }')


# Each of these ran SERVICE or LOAD in the engine (Oxigraph) while the old lexer saw nothing:
# keywords glued to the next word, comments ended by \r alone, prefixed names whose prefix
# begins with the keyword, and prefixed names whose \' or # made us see a string that the
# engine does not.
PORT_URL = "http://127.0.0.1:9/x"
SERVICE_ATTACKS = [
    f"SELECT * WHERE {{ SERVICESILENT<{PORT_URL}> {{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ # comment\rSERVICE <{PORT_URL}> {{ ?s ?p ?o }} }}",
    "PREFIX ex: <http://127.0.0.1:9/> SELECT * WHERE { SERVICEex:z { ?s ?p ?o } }",
    "PREFIX serviceex: <a:> PREFIX ex: <http://127.0.0.1:9/> SELECT * WHERE { serviceex:z { ?s ?p ?o } }",
    f"SELECT * WHERE {{ ?s ?p trueSERVICE<{PORT_URL}> {{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ ?s ?p true.SERVICE<{PORT_URL}> {{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ ?s ?p 1e5SERVICE<{PORT_URL}> {{ ?s ?p ?o }} }}",
    "PREFIX ex: <http://127.0.0.1:9/> SELECT * WHERE { ?s ?p true.SERVICEex:z { ?s ?p ?o } }",
    f'PREFIX ex: <http://e/> SELECT * WHERE {{ ?s ?p ex:a#"""\nSERVICE <{PORT_URL}> {{ ?s ?p ?o }}\n#"""\n}}',
    f"PREFIX ex: <http://e/> SELECT * WHERE {{ ?s ?p ex:a\\' SERVICE <{PORT_URL}> {{ ?s ?p ?o }} #'\n}}",
    f"SELECT * WHERE {{ \\u0053ERVICESILENT<{PORT_URL}> {{ ?s ?p ?o }} }}",
    f"INSERT {{ <a:s> <a:p> ?o }} WHERE {{ SERVICESILENT<{PORT_URL}> {{ ?s ?p ?o }} }}",
]
LOAD_ATTACKS = [
    f"LOADSILENT<{PORT_URL}>",
    f"# comment\rLOAD <{PORT_URL}>",
    f"LOAD<{PORT_URL}>",
    "PREFIX ex: <http://127.0.0.1:9/> LOADex:z",
    "PREFIX ex: <http://127.0.0.1:9/> LOADSILENTex:z",
    "PREFIX loader: <a:> PREFIX er: <http://127.0.0.1:9/> loader:x",
    f"INSERT DATA {{ <a:s> <a:p> true }};LOAD <{PORT_URL}> INTO GRAPH <a:g>",
    "PREFIX er: <http://127.0.0.1:9/> CLEAR SILENT ALL ; loader:x ;",
    f"\\u004COAD <{PORT_URL}>",
]


@pytest.mark.parametrize("text", SERVICE_ATTACKS)
def test_service_is_seen_however_it_is_written(text):
    assert forbidden_keyword(text) == "SERVICE"


@pytest.mark.parametrize("text", LOAD_ATTACKS)
def test_load_is_seen_however_it_is_written(text):
    assert forbidden_keyword(text) == "LOAD"


@pytest.mark.parametrize("text", [
    "PREFIX ex: <http://e/> SELECT * { ?s ex:load ?o ; ex:service ?x . ?x ex:SERVICE ?loader }",
    "PREFIX loader: <http://e/> SELECT * { ?s loader:x ?o ; loader:y loader:z }",
    "PREFIX loader: <http://e/> INSERT DATA { GRAPH loader:g { loader:a loader:b loader:c } }",
    "PREFIX loader: <http://e/> CLEAR GRAPH loader:g ; DROP SILENT GRAPH loader:h",
    "PREFIX loader: <http://e/> WITH loader:g DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "PREFIX service: <http://e/> SELECT * { GRAPH service:g { ?s ?p ?o } }",
    "PREFIX download: <http://e/> SELECT * { ?s download:x ?o }",
    "SELECT * { ?s ?p 'SERVICE <http://x/> {}' , \"\"\"LOAD <x>\"\"\" } # SERVICE <http://x/>",
    "SELECT * { ?s <http://x/SERVICE> <http://x/#LOAD> }",
    'SELECT ("\\U0011FFFF" AS ?x) {}',
])
def test_names_strings_iris_and_comments_are_not_keywords(text):
    assert forbidden_keyword(text) is None


def test_a_lone_load_is_left_to_the_engine():
    # No IRI after it: a syntax error, so the client should get the engine's 400, not a 403.
    assert forbidden_keyword("LOAD ;") is None
    assert forbidden_keyword("LOAD") is None
    assert forbidden_keyword("LOAD SILENT") == "LOAD"


def test_invalid_codepoint_escapes_are_left_alone():
    assert _unescape('"\\U0011FFFF" \\u0041') == '"\\U0011FFFF" A'


def test_only_silent_loads():
    assert only_silent_loads("LOAD SILENT <http://x/a>")
    assert only_silent_loads("PREFIX ex: <http://x/> load silent ex:a INTO GRAPH <g> ; LOAD SILENT <b> ;")
    assert not only_silent_loads("LOAD <http://x/a>")
    assert not only_silent_loads("LOAD SILENT <http://x/a> ; INSERT DATA { <a> <b> <c> }")
    assert not only_silent_loads("LOAD SILENT ex:a")  # undeclared prefix: the engine's 400
    assert not only_silent_loads("LOAD SILENT <a> garbage")
    assert not only_silent_loads("")


def test_from_and_dataset_clauses_at_the_top_level_only():
    assert has_from_clause("SELECT * FROM <g> WHERE { ?s ?p ?o }")
    assert has_from_clause("CONSTRUCT { ?s ?p '{' } FROM NAMED <g> WHERE { ?s ?p ?o }")
    assert not has_from_clause("SELECT * WHERE { ?s <http://x/from> 'FROM' } # FROM <g>")
    assert not has_from_clause("PREFIX from: <x:> SELECT * { ?s from:x ?o }")
    assert has_dataset_clause("PREFIX ex: <x:> INSERT DATA { ex:a ex:b '}' } ; WITH <g> DELETE { ?s ?p ?o } WHERE {}")


def test_query_form_skips_the_prologue_and_comments():
    assert query_form("BASE <http://x/> PREFIX ask: <x:> # SELECT\r describe <a>") == "DESCRIBE"
    assert query_form("PREFIX x: <y:>") is None


def test_checks_are_cheap_on_a_large_query():
    import time

    text = "SELECT * WHERE { " + "?s ?p ?o . " * 80000 + "}"  # ~880 KB
    started = time.process_time()
    assert forbidden_keyword(text) is None and not has_from_clause(text) and query_form(text) == "SELECT"
    # The token-by-token lexer took ~2.5 s of CPU for these; the scanners take ~0.1 s.
    assert time.process_time() - started < 1.0
