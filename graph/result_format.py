"""Named-query results as CSV, JSON and short display text (shared by the CLI and HTTP)."""
from __future__ import annotations

import csv
import io
from typing import Mapping

from .named_queries import NamedQuery
from .sparql import Table, Term


def cell_text(term: Term | None, limit: int = 0) -> str:
    """A term's lexical value, cut to ``limit`` characters (0: whole)."""
    if not term:
        return ""
    text = term["value"]
    if limit and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def is_iri_column(table: Table, variable: str) -> bool:
    """True when every bound cell of the column is an IRI (display may hide such columns)."""
    cells = [row[variable] for row in table.rows if variable in row]
    return bool(cells) and all(c.get("type") == "uri" for c in cells)


def to_csv(table: Table) -> str:
    """RFC 4180 CSV: a header of variable names, then lexical values (empty when unbound)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.variables)
    for row in table.rows:
        writer.writerow([cell_text(row.get(v)) for v in table.variables])
    return out.getvalue()


def to_json(query: NamedQuery, params: Mapping[str, str], table: Table) -> dict:
    """A plain JSON document: the question, the parameters used, and rows of strings."""
    return {
        "query": query.name,
        "title": {"en": query.title, "zh": query.title_zh},
        "parameters": dict(params),
        "variables": table.variables,
        "rows": [{v: row[v]["value"] for v in table.variables if v in row} for row in table.rows],
    }
