"""The search index a version's writer keeps answers exactly what queries/search.rq answers."""
from __future__ import annotations

import pytest

from esgkg.graph import named_queries, search_index
from esgkg.graph.namespaces import Iris
from esgkg.graph.sparql import StoreSparql

# Latin, CJK, codes, a two-character text (no trigram: a scan), one that matches nothing, one
# that matches hundreds, a quote (FTS5 syntax), and case.
TEXTS = ["climate", "Climate Change", "溫室", "氣候變化", "A1.2", "305-1", "SDG 13", "e", "zz", "no such text",
         'say "x"', "emissions", "員工", "13"]
NOTHING = {"zz", "no such text", 'say "x"'}


@pytest.fixture(scope="module")
def index(bundled_store, tmp_path_factory):
    union, _ = bundled_store.open_union_read_only()
    target = tmp_path_factory.mktemp("search") / search_index.SEARCH_INDEX
    assert search_index.write(union, target, Iris()) > 1000
    return target


@pytest.mark.parametrize("text", TEXTS)
def test_the_index_answers_as_the_named_query(bundled_store, index, text: str) -> None:
    union, info = bundled_store.open_union_read_only()
    select = StoreSparql(union, union_store=union, meta=info.meta).select
    table = named_queries.run(named_queries.get("search"), select, {"q": text})
    expected = [{k: v["value"] for k, v in row.items()} for row in table.rows]
    found = search_index.search(index, text)
    assert bool(expected) == (text not in NOTHING), text  # the comparison is not of empty lists
    assert found == expected, text  # the same rows in the same order (the order is total)


def test_search_beyond_the_limits_is_answered_from_the_index_once_written(bundled_config, client, tmp_path) -> None:
    """/search on a store whose labels are too many to scan within the limits (here: a row cap
    of 3) says the index is being written, then answers as an unlimited scan does."""
    import time

    from sparql_support import app_client

    expected = client.get("/search.json?q=climate").get_json()["results"]
    assert len(expected) > 3
    config = bundled_config.with_(max_rows=3, dumps_dir=str(tmp_path / "dumps"))
    with app_client(config) as capped:
        first = capped.get("/search.json?q=climate")
        assert first.status_code == 503 and first.headers["Retry-After"] == "60"
        assert "search index is being written" in first.get_json()["error"]
        deadline = time.monotonic() + 180
        while (r := capped.get("/search.json?q=climate")).status_code == 503 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert r.status_code == 200 and r.get_json()["results"] == expected
        assert any((tmp_path / "dumps").glob(f"*.{search_index.SEARCH_INDEX}"))
