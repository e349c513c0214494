"""What the downloads' writer (graph/dumps.py) keeps beside the downloads of a version, before
them, because each needs far less memory than they do: the dataset's VoID counts, the search
index (graph/search_index.py), the all-reports answers of the named queries the front door
and /compare ask, and the KPIs that have values (the chooser of /compare). Each is counted without the service's limits, once per version, and written
atomically (``.part`` then rename); the service reads them where asking inline is beyond its
limits (docs/decisions.md §34).
"""
from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import Callable

from . import kpi_values, named_queries, search_index, sitemap
from .disjoint_graphs import scopes_reports
from .namespaces import Iris
from .sparql import StoreSparql

STATISTICS = "statistics.json"
DOCUMENTS = "documents.txt"
# Named queries whose all-reports answer is kept, each in a file of its own and the smallest
# first (a writer stopped by its cap keeps those it finished): what the front door and
# /compare ask of every report (kpi-across-companies, 10^5 rows at 1,000 reports, is not kept).
KEPT_ANSWERS = ("report-summary", "sdgs-per-company", "hkex-coverage")
# kpi-across-companies over every report, by provision (graph/kpi_values.py: 10^5 rows at 1,000
# reports, beyond the service's row cap), and the chooser's summary of it: a few dozen KPIs.
KPI_VALUES = kpi_values.KPI_VALUES
KPI_CHOICES = "kpi-choices.json"
KINDS = (STATISTICS, DOCUMENTS, search_index.SEARCH_INDEX, *(f"answer-{name}.json" for name in KEPT_ANSWERS[:2]),
         KPI_VALUES, KPI_CHOICES, *(f"answer-{name}.json" for name in KEPT_ANSWERS[2:]))


def write_all(store_root, cache_root: Path, version: str, iris: Iris) -> None:
    """Everything kept for ``version`` that is not there yet (``store_root``: a StoreRoot),
    each into a ``.part`` file renamed into place when complete."""
    union, info = store_root.open_union_read_only()
    if info.version != version:
        return  # published in between: the next request asks for the new one
    values = cache_root / f"{version}.{KPI_VALUES}"
    writers = {STATISTICS: _statistics, DOCUMENTS: _documents, search_index.SEARCH_INDEX: _search_index,
               KPI_VALUES: lambda source, part, iris: kpi_values.write(source.store, part, iris),
               KPI_CHOICES: lambda source, part, iris: _kpi_choices(values, part),
               **{f"answer-{name}.json": _answer(name) for name in KEPT_ANSWERS}}
    for name in KINDS:
        write = writers[name]
        target = cache_root / f"{version}.{name}"
        if target.is_file():
            continue
        part = cache_root / f".{version}.{name}.part"
        part.unlink(missing_ok=True)
        # No row cap: the writer is bounded by its own memory and CPU caps (graph/dumps.py).
        write(StoreSparql(union, max_rows=10**12, union_store=union, meta=info.meta), part, iris)
        os.replace(part, target)


def _statistics(source: StoreSparql, part: Path, iris: Iris) -> None:
    """The dataset's VoID counts: pages that describe the dataset read them here when
    counting inline is beyond the service's limits."""
    from .dataset_description import statistics  # it imports graph/dumps.py, which imports this

    # The source is the union copy, whose default graph holds every triple once.
    part.write_text(json.dumps(asdict(statistics(source, iris, default_graph_is_a_set=True))), encoding="utf-8")


def _documents(source: StoreSparql, part: Path, iris: Iris) -> None:
    """The IRIs the dataset mints, one a line, for /sitemap.xml (graph/sitemap.py)."""
    with open(part, "w", encoding="utf-8") as out:
        for iri in sitemap.minted_iris(source.store, iris):
            out.write(iri + "\n")


def _search_index(source: StoreSparql, part: Path, iris: Iris) -> None:
    """The version's labels for /search (graph/search_index.py)."""
    search_index.write(source.store, part, iris)


# Kept answers asked one report at a time and concatenated in (company, report) order: their
# ORDER BY starts with ?company_en ?report, so that is the whole answer's order, and over every
# report at once the engine's GROUP BY held 3.5 GB for hkex-coverage's 73,000 rows at 1,000
# reports, past the writer's cap. One report's form reads that report's graphs (§32).
PER_REPORT = ("hkex-coverage", "sdgs-per-company")
REPORTS = """PREFIX esg: <{esg}> PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?report (MIN(?label) AS ?company_en) WHERE {{
  ?r a esg:Report ; dcterms:identifier ?report ; esg:aboutOrganisation ?org .
  OPTIONAL {{ ?org rdfs:label ?label FILTER(LANGMATCHES(LANG(?label), "en")) }}
}} GROUP BY ?report ORDER BY ?company_en ?report"""


def _answer(name: str) -> Callable[[StoreSparql, Path, Iris], None]:
    """The writer of one KEPT_ANSWERS query's all-reports answer (rows of plain values), run
    without the service's limits: the front door and /compare read it where asking inline is
    beyond those limits. Streamed from the engine into the file row by row (a table of 10^5
    rows of term dicts took the writer past its memory cap at 1,000 reports)."""
    def write(source: StoreSparql, part: Path, iris: Iris) -> None:
        query = named_queries.get(name, base=iris.base)
        if name in PER_REPORT and scopes_reports(source.meta):
            ids = [r["report"] for r in source.solutions(REPORTS.format(esg=iris.esg))]
            texts = [named_queries.bind(query, {"report": report}) for report in ids]
        else:
            texts = [named_queries.bind(query, {})]
        with open(part, "w", encoding="utf-8") as out:
            out.write("[")
            first = True
            for text in texts:
                for row in source.solutions(text):
                    out.write(("" if first else ",") + json.dumps(row, ensure_ascii=False))
                    first = False
            out.write("]")
    return write


def _kpi_choices(values: Path, part: Path) -> None:
    """The HKEX KPIs that have values over every report, counted from the kept KPI values."""
    from .plots_compare import choices_from_rows

    choices = choices_from_rows(kpi_values.rows(values))
    part.write_text(json.dumps([asdict(c) for c in choices], ensure_ascii=False), encoding="utf-8")


def kept(cache_root: Path, version: str, name: str) -> bool:
    """Whether the writer has kept ``name`` (one of KINDS) for ``version``: a stat, for hot paths
    that only need to know (ETags, cache keys), not the file's content."""
    return (cache_root / f"{version}.{name}").is_file()


def read_documents(cache_root: Path, version: str) -> list[str] | None:
    """The minted IRIs the writer kept for ``version``, or None."""
    try:
        return (cache_root / f"{version}.{DOCUMENTS}").read_text(encoding="utf-8").split()
    except OSError:
        return None


def read_answer(cache_root: Path, version: str, name: str) -> list[dict[str, str]] | None:
    """A named query's all-reports answer as the writer kept it for ``version``, or None."""
    try:
        found = json.loads((cache_root / f"{version}.answer-{name}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return found if isinstance(found, list) else None


def read_kpi_choices(cache_root: Path, version: str) -> list | None:
    """The KPI choices the writer kept for ``version`` (KpiChoice), or None."""
    from .plots_compare import KpiChoice

    try:
        records = json.loads((cache_root / f"{version}.{KPI_CHOICES}").read_text(encoding="utf-8"))
        return [KpiChoice(**{k: tuple(v) if isinstance(v, list) else v for k, v in r.items()}) for r in records]
    except (OSError, ValueError, TypeError):
        return None


def read_statistics(cache_root: Path, version: str):
    """The VoID counts a writer kept for ``version``, or None."""
    from .dataset_description import Statistics

    try:
        record = json.loads((cache_root / f"{version}.{STATISTICS}").read_text(encoding="utf-8"))
        return Statistics(**{k: [tuple(x) for x in v] if isinstance(v, list) else v for k, v in record.items()})
    except (OSError, ValueError, TypeError):
        return None
