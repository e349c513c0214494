"""A store version's labels in SQLite, for ``/search`` on stores too large to scan per request.

queries/search.rq defines the search: every resource with a label, code or identifier that
contains the text, ignoring case, best matches first (the whole label, then labels that start
with the text, then shorter labels), at most 100 rows. Answering it scans every label of the
store, which at 1,000 reports takes longer than the service's time limit. So the process that
writes a version's downloads (graph/dumps.py) also writes its labels here once, with an FTS5
trigram index over their lower-case text, and :func:`search` answers the same question from
that file in milliseconds. ``EXTRACT`` is search.rq without its text test (the two are held
equal by tests/test_search_index.py); the ranking is search.rq's, in SQL.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pyoxigraph as ox

from .namespaces import Iris

SEARCH_INDEX = "search.sqlite"
LIMIT = 100  # as search.rq

EXTRACT = """PREFIX esg: <{esg}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT DISTINCT ?resource ?label ?label_language ?kind ?report WHERE {{
  ?resource rdfs:label|skos:prefLabel|skos:altLabel|skos:notation|dcterms:identifier ?label .
  FILTER(isIRI(?resource) && isLITERAL(?label))
  BIND(LANG(?label) AS ?label_language)
  OPTIONAL {{ ?resource esg:report/dcterms:identifier ?report }}
  OPTIONAL {{ ?resource a ?class . ?class rdfs:label ?kind FILTER(LANGMATCHES(LANG(?kind), "en")) }}
}}"""


def write(store: ox.Store, target: Path, iris: Iris) -> int:
    """Every label row of ``store`` (a union copy: its default graph is the union) into a new
    SQLite file ``target``, streamed from the engine; returns the rows."""
    db = sqlite3.connect(target)
    try:
        db.execute("CREATE TABLE labels (resource TEXT, label TEXT, lowered TEXT, language TEXT, kind TEXT, report TEXT)")

        def value(term: object) -> str | None:
            return None if term is None else term.value  # type: ignore[attr-defined]

        rows = ((s["resource"].value, s["label"].value, s["label"].value.lower(), value(s["label_language"]) or "",
                 value(s["kind"]), value(s["report"]))
                for s in store.query(EXTRACT.format(esg=iris.esg)))
        db.executemany("INSERT INTO labels VALUES (?, ?, ?, ?, ?, ?)", rows)
        db.execute("CREATE VIRTUAL TABLE trigrams USING fts5(lowered, content='labels', tokenize='trigram')")
        db.execute("INSERT INTO trigrams(rowid, lowered) SELECT rowid, lowered FROM labels")
        count = db.execute("SELECT COUNT(*) FROM labels").fetchone()[0]
        db.commit()
    finally:
        db.close()
    return count


def search(index: Path, text: str) -> list[dict[str, str]]:
    """search.rq's rows for ``text`` from ``index`` (a column left out where empty, as unbound)."""
    needle = text.lower()
    db = sqlite3.connect(f"file:{index}?mode=ro", uri=True)
    try:
        if len(needle) >= 3:  # a trigram index finds substrings of three characters or more
            where = "rowid IN (SELECT rowid FROM trigrams WHERE lowered MATCH ?)"
            arg = '"' + needle.replace('"', '""') + '"'
        else:
            where, arg = "instr(lowered, ?) > 0", needle
        found = db.execute(
            f"""SELECT resource, label, language, kind, report,
                       CASE WHEN lowered = ?1 THEN 0 WHEN substr(lowered, 1, length(?1)) = ?1 THEN 1 ELSE 2 END AS match
                FROM labels WHERE {where.replace('?', '?2')}
                ORDER BY match, length(label), label, resource, language, kind, report LIMIT {LIMIT}""",
            (needle, arg)).fetchall()
    finally:
        db.close()
    names = ("resource", "label", "label_language", "kind", "report", "match")
    # Unbound (NULL) columns are left out, as in a SPARQL row; an empty language is bound.
    return [{k: str(v) for k, v in zip(names, row) if v is not None} for row in found]
