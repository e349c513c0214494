"""What each report's own completeness test needs: a store of that report alone, and a
query function returning plain rows. One report's counts never see another's."""
from __future__ import annotations

from typing import Callable

import pytest

from esgkg.graph.build import build
from esgkg.graph.namespaces import Iris
from esgkg.graph.reference import reports_dir
from esgkg.graph.store import StoreRoot
from esgkg.graph.validation import build_validator

PREFIXES = """
PREFIX esg: <https://w3id.org/esgkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX sdg: <http://metadata.un.org/sdg/>
"""

Rows = Callable[[str], list[dict[str, "str | None"]]]


def single_report_store(tmp_path_factory: pytest.TempPathFactory, report_id: str) -> StoreRoot:
    """A store built from one bundled report, validated as `esgkg build` does (a SHACL
    violation fails the build; warnings, e.g. the report disagreeing with itself, do not)."""
    reports = tmp_path_factory.mktemp(f"{report_id}-reports")
    (reports / report_id).symlink_to(reports_dir() / report_id, target_is_directory=True)
    root = StoreRoot(tmp_path_factory.mktemp(f"{report_id}-store"))
    build(root, reports_root=reports, iris=Iris(), validate=build_validator())
    return root


def rows_of(root: StoreRoot, prefixes: str = PREFIXES) -> Rows:
    """SELECT over the store's union graph, as rows of {variable: lexical value or None}."""
    store, _ = root.open_read_only()

    def run(query: str) -> list[dict[str, str | None]]:
        result = store.query(prefixes + query, use_default_graph_as_union=True)
        return [{v.value: (s[v].value if s[v] is not None else None) for v in result.variables} for s in result]
    return run


def required_params(query) -> dict[str, str]:
    """What a named query needs to run at all: its example's values when it has a required
    parameter (the search text of ``search``), else nothing."""
    from esgkg.graph import named_queries as nq

    if not any(p.required for p in query.params):
        return {}
    example = query.extra.get("example")
    assert example, f"{query.name}: a query with a required parameter needs an example"
    return nq.parse_assignments(example.split())
