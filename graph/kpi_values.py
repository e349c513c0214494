"""Every HKEX ESG Code KPI's values over every report, kept in SQLite by the downloads' writer.

``/compare?kpi=A1.2`` over every report is kpi-across-companies asked by its provision: at
1,000 reports that is 9,332 rows and 8.5 s of lookups in the engine, and some KPIs are past
the service's row cap. The writer of a version's downloads (graph/derived.py) runs the
query's all-HKEX form once, without the service's limits, and keeps its rows here in answer
order, indexed by provision; the page then reads one KPI's rows in milliseconds. They are the
named query's own rows: the provision= form filters the same rows, in the same ORDER BY.
"""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Iterator

import pyoxigraph as ox

from . import named_queries
from .namespaces import Iris

KPI_VALUES = "kpi-values.sqlite"
QUERY = "kpi-across-companies"


def write(store: ox.Store, target: Path, iris: Iris) -> int:
    """The all-HKEX answer of kpi-across-companies on ``store`` (a union copy: its default
    graph is the union) into a new SQLite file ``target``, streamed; returns the rows."""
    text = named_queries.bind(named_queries.get(QUERY, base=iris.base), {})
    db = sqlite3.connect(target)
    try:
        db.execute("CREATE TABLE kpi_rows (provision TEXT NOT NULL, row TEXT NOT NULL)")  # rowid: answer order
        result = store.query(text)
        names = [v.value for v in result.variables]

        def rows() -> Iterator[tuple[str, str]]:
            for solution in result:
                row = {n: solution[n].value for n in names if solution[n] is not None}
                yield row["provision"], json.dumps(row, ensure_ascii=False)

        db.executemany("INSERT INTO kpi_rows VALUES (?, ?)", rows())
        db.execute("CREATE INDEX kpi_rows_by_provision ON kpi_rows (provision)")
        count = db.execute("SELECT COUNT(*) FROM kpi_rows").fetchone()[0]
        db.commit()
    finally:
        db.close()
    return count


def rows(index: Path, provision: str | None = None) -> list[dict[str, str]]:
    """The kept rows of one provision (every HKEX provision: None), in answer order."""
    db = sqlite3.connect(f"file:{index}?mode=ro", uri=True)
    try:
        found = (db.execute("SELECT row FROM kpi_rows ORDER BY rowid") if provision is None else
                 db.execute("SELECT row FROM kpi_rows WHERE provision = ? ORDER BY rowid", (provision,)))
        return [json.loads(r) for (r,) in found]
    finally:
        db.close()
