"""The front door and /compare on a store too large for their whole-store questions: each part
beyond the service's limits is left out and named, the rest of the page still answers.

The /compare limit is the real row cap of the service, set above what any one bundled report
needs and below what all of them need for at least one section.
"""
from __future__ import annotations

import pytest

from esgkg.graph import named_queries
from esgkg.graph.errors import QueryError
from esgkg.graph.sparql import StoreSparql

SECTIONS = {"kpis": "kpi-across-companies", "hkex_coverage": "hkex-coverage", "sdgs": "sdgs-per-company",
            "shared_topics": "shared-material-topics"}


@pytest.fixture(scope="module")
def counts(bundled_store) -> tuple[dict[str, int], dict[str, int], list[str]]:
    """Rows of each section's query over the whole store, the most any one report needs, the reports."""
    store, info = bundled_store.open_union_read_only()
    select = StoreSparql(store, union_store=store, meta=info.meta).select
    reports = sorted(named_queries.run(named_queries.get("reports"), select).values("report"))
    whole, one = {}, {}
    for section, name in SECTIONS.items():
        query = named_queries.get(name)
        whole[section] = len(named_queries.run(query, select))
        one[section] = max(len(named_queries.run(query, select, {"report": r})) for r in reports)
    return whole, one, reports


@pytest.fixture(scope="module")
def capped(bundled_config, counts, tmp_path_factory):
    from sparql_support import app_client

    whole, one, _ = counts
    cap = max(one.values())
    assert any(n > cap for n in whole.values()), (whole, one)
    # Nothing can be kept for this service (its downloads' folder cannot be made: a file is in
    # the way), so what is beyond the limits stays left out (the kept answers: the last test).
    blocked = tmp_path_factory.mktemp("no-dumps") / "a-file"
    blocked.write_text("")
    with app_client(bundled_config.with_(max_rows=cap, dumps_dir=str(blocked / "dumps"))) as client:
        yield client, cap


def test_compare_leaves_out_the_sections_beyond_the_limits_and_names_them(capped, counts) -> None:
    client, cap = capped
    whole, _, reports = counts
    doc = client.get("/compare.json").get_json()
    beyond = {s for s, n in whole.items() if n > cap}
    assert set(doc["left_out"]) == beyond and all("row cap" in why for why in doc["left_out"].values())
    page = client.get("/compare", headers={"Accept": "text/html"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count("Left out: over every report this section is beyond this service's limits") == len(beyond)
    # A section left out says nothing of what it would have held ("no topic is shared" is false).
    empty = {"shared_topics": "No topic is shared", "kpis": "No report links a metric"}
    for section in beyond & set(empty):
        assert empty[section] not in html, section
    for report in reports:  # one report at a time, every section is there
        mine = client.get(f"/compare.json?report={report}").get_json()
        assert mine["left_out"] == {}, report
        assert mine["hkex_coverage"] and mine["sdgs"], report


def test_the_front_door_lists_the_reports_when_counting_them_all_is_beyond_the_limits(client, monkeypatch) -> None:
    from esgkg.service.state import State

    rows = State.rows

    def refusing(self, name, params=None):
        if name == "report-summary" and not params:
            raise QueryError("Query timed out: it ran longer than the 10 s limit of this service and was stopped. "
                             "Narrow the query.", 503, limited=True)
        return rows(self, name, params)

    monkeypatch.setattr(State, "rows", refusing)
    doc = client.get("/.json").get_json()
    assert doc["counts_left_out"].startswith("Query timed out")
    assert [r["report"] for r in doc["reports"]] == sorted(r["report"] for r in doc["reports"])
    assert len(doc["reports"]) >= 2 and all(r["frameworks"] is not None for r in doc["reports"])
    html = client.get("/", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "are left out" in html and "10 s limit" in html
    for r in doc["reports"]:
        assert f'href="/queries/report-summary?report={r["report"]}"' in html


def test_the_writer_keeps_the_whole_store_answers_the_pages_need(bundled_config, client, tmp_path) -> None:
    """Beyond the limits (here: a row cap of 2, under the 3 reports), the front door and the
    sections of /compare that the downloads' writer keeps answers for (graph/derived.py) come
    back complete once it has run, equal to what an unlimited service shows."""
    import time

    from sparql_support import app_client

    home = client.get("/.json").get_json()
    compare = client.get("/compare.json").get_json()
    a12 = client.get("/compare.json?kpi=A1.2").get_json()
    with app_client(bundled_config.with_(max_rows=2, dumps_dir=str(tmp_path / "dumps"))) as capped:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            r, kept = capped.get("/.json"), capped.get("/compare.json").get_json()
            if r.status_code == 200 and r.get_json()["counts_left_out"] is None and not (
                    {"hkex_coverage", "sdgs", "kpis"} & set(kept["left_out"])):  # (the last ones it writes)
                break
            time.sleep(0.5)
        assert r.status_code == 200 and r.get_json()["reports"] == home["reports"]
        assert not {"hkex_coverage", "sdgs", "kpis"} & set(kept["left_out"]), kept["left_out"]
        assert kept["hkex_coverage"] == compare["hkex_coverage"] and kept["sdgs"] == compare["sdgs"]
        assert kept["kpis"] == compare["kpis"] and len(kept["kpis"]) > 3
        # An HKEX KPI over every report (28 rows, past the cap of 2) from the kept KPI values,
        # as the unlimited service answers it, and its chart; a KPI of another scheme is still
        # asked inline (and refused by the cap).
        assert capped.get("/compare.json?kpi=A1.2").get_json() == a12 and len(a12["rows"]) > 2
        assert capped.get("/compare/A1.2.svg").status_code == 200
        assert capped.get("/compare.json?kpi=gri:305-2").status_code == 413
        # The chooser of a KPI page (one of 2 values) lists them too, from the same kept file.
        page = capped.get("/compare?kpi=gri:305-1", headers={"Accept": "text/html"}).get_data(as_text=True)
        assert all(f'<option value="{c["url"].split("=", 1)[1]}"' in page for c in compare["kpis"])
        assert "shared_topics" in kept["left_out"]  # not kept: still named
