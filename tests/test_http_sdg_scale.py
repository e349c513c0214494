"""/sdg on a store whose whole projection is beyond the service's limits, and the projection
of one report read from that report's graphs.

The limit is the real one: the service's row cap, set between what one bundled report's
projection needs and what all of them need together, so the pages meet the same refusal a
store of many reports gives them.
"""
from __future__ import annotations

import re

import pytest

from esgkg.graph import traversal
from esgkg.graph.namespaces import Iris
from esgkg.graph.projection import _queries, build_projection, report_query
from esgkg.graph.sparql import StoreSparql


@pytest.fixture(scope="module")
def local_select(bundled_store):
    store, info = bundled_store.open_union_read_only()
    return StoreSparql(store, union_store=store, meta=info.meta).select


@pytest.fixture(scope="module")
def reports(local_select) -> list[str]:
    found = sorted(local_select(_queries(str(Iris().esg))["reports"]).values("report"))
    assert len(found) >= 2, "needs a store of several reports"
    return found


def _overview(projection, report):
    return {"coverage": traversal.coverage_matrix(projection, report).as_json(),
            "ranking": [r.as_json() for r in traversal.rank_topics(projection, report)],
            "stakeholders": [traversal.trace_stakeholder(projection, g.iri).as_json()
                             for g in projection.of_kind("stakeholder", report)]}


def test_one_reports_projection_read_from_its_graphs_is_the_whole_ones_restricted(local_select, reports) -> None:
    esg = str(Iris().esg)
    whole = build_projection(local_select, "v", esg)
    for report in reports:
        own = build_projection(report_query(local_select, report, Iris().base), "v", esg)
        assert own.reports() == [report]
        assert _overview(own, report) == _overview(whole, report), report
        for topic in own.of_kind("topic", report):
            assert traversal.trace_topic(own, topic.iri).as_json() == traversal.trace_topic(whole, topic.iri).as_json()
        for goal in own.goals():
            assert (traversal.trace_goal(own, goal.iri, report).as_json()
                    == traversal.trace_goal(whole, goal.iri, report).as_json()), (report, goal.number)


@pytest.fixture(scope="module")
def capped(bundled_config, local_select, reports):
    """The app with a row cap that one report's projection fits under and the store's does not."""
    from sparql_support import app_client

    base = Iris().base
    texts = _queries(str(Iris().esg)).values()
    one = max(len(report_query(local_select, r, base)(t)) for r in reports for t in texts)
    whole = max(len(local_select(t)) for t in texts)
    assert whole > one
    with app_client(bundled_config.with_(max_rows=one)) as client:
        yield client


def test_sdg_of_a_store_beyond_the_limits_offers_its_reports(capped, reports) -> None:
    page = capped.get("/sdg", headers={"Accept": "text/html"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "beyond this service's limits" in html and "row cap" in html
    for report in reports:
        assert f'href="/sdg?report={report}"' in html
    doc = capped.get("/sdg.json").get_json()
    assert [r["report"] for r in doc["reports"]] == reports and "row cap" in doc["beyond_limits"]
    # A second visit does not spend the limit again: the outcome is kept for the version.
    assert capped.get("/sdg.json").get_json() == doc


def test_each_report_of_such_a_store_has_its_whole_sdg_pages(capped, client, reports) -> None:
    drawn = {"coverage": 0, "network": 0, "materiality": 0, "goal links": 0}
    for report in reports:
        mine = capped.get(f"/sdg.json?report={report}").get_json()
        assert mine == client.get(f"/sdg.json?report={report}").get_json(), report
        assert mine["coverage"]["rows"], report
        html = capped.get(f"/sdg?report={report}").get_data(as_text=True)
        assert f'src="/sdg/coverage.svg?report={report}"' in html
        for other in reports:  # the picker still lists every report
            assert f"/sdg?report={other}" in html
        for kind in ("coverage", "network", "materiality"):
            r = capped.get(f"/sdg/{kind}.svg?report={report}")
            # As without the cap: a picture, or the 404 of a report that gives nothing to draw.
            assert r.status_code == client.get(f"/sdg/{kind}.svg?report={report}").status_code, (kind, report)
            drawn[kind] += r.status_code == 200 and r.data.lstrip().startswith(b"<?xml")
        # The goals it links to keep the report, so each can be read too.
        goals = set(re.findall(r'href="(/sdg/goal/[^"]*)"', html))
        assert all(g.endswith(f"?report={report}") for g in goals), goals
        for url in sorted(goals)[:3]:
            assert capped.get(url).status_code == 200, url
        drawn["goal links"] += len(goals)
    assert all(drawn.values()), drawn


def test_a_picture_of_every_report_beyond_the_limits_names_the_parameter(capped) -> None:
    r = capped.get("/sdg/coverage.svg", headers={"Accept": "text/plain"})
    assert r.status_code == 413
    text = r.get_data(as_text=True)
    assert "report=" in text and "/queries/reports" in text and "LIMIT" not in text
    goal = capped.get("/sdg/goal/13", headers={"Accept": "text/plain"})
    assert goal.status_code == 413 and "report=" in goal.get_data(as_text=True)
