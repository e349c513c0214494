"""The /queries pages on the real app (worker pool on the bundled store)."""
from __future__ import annotations


import pytest
import requests

from esgkg.graph import named_queries
from report_support import required_params


def test_query_list(client) -> None:
    page = client.get("/queries")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for name in named_queries.load_all():
        assert f'href="/queries/{name}"' in html
    listing = client.get("/queries.json").get_json()
    assert {q["name"] for q in listing} == set(named_queries.load_all())
    pillar = next(p for q in listing if q["name"] == "topics-by-pillar" for p in q["parameters"] if p["name"] == "pillar")
    assert pillar["one_of"] == ["E", "S", "G"] and pillar["accepts"] == "one of E, S, G"


@pytest.mark.parametrize("name", sorted(named_queries.load_all()))
def test_every_query_page_shows_a_table_and_its_sparql(client, name: str) -> None:
    needed = required_params(named_queries.get(name))
    if needed:  # asked without its required values, the page is the form that asks for them
        form = client.get(f"/queries/{name}")
        assert form.status_code == 200 and "to ask this question" in form.get_data(as_text=True)
        assert client.get(f"/queries/{name}.json").status_code == 400
    page = client.get(f"/queries/{name}", query_string=needed)
    assert page.status_code == 200, page.get_data(as_text=True)[:300]
    html = page.get_data(as_text=True)
    assert "<table class=\"result\">" in html and "<td" in html and "SELECT" in html


def test_query_twins_and_parameters(client) -> None:
    page = client.get("/queries/topic-sdgs?topic=climate-change").get_data(as_text=True)
    assert "應對氣候變化" in page and "氣候行動" in page and "VALUES ($topic) { (&#34;climate-change&#34;) }" in page
    doc = client.get("/queries/topic-sdgs.json?topic=climate-change").get_json()
    assert doc["parameters"] == {"topic": "climate-change"} and {r["goal"] for r in doc["rows"]} == {"12", "13"}
    csv = client.get("/queries/metric-trend.csv?metric=employees-total")
    assert csv.content_type.startswith("text/csv") and csv.get_data(as_text=True).startswith("report,metric_id,")
    assert client.get("/queries/topics-by-pillar?pillar=%22%20%7D").status_code == 400
    assert client.get("/queries/no-such-question").status_code == 404
    assert client.get("/queries/reports.png").status_code == 404  # no picture for that question


def test_query_pages_with_pictures(client) -> None:
    page = client.get("/queries/metric-trend?metric=employees-total").get_data(as_text=True)
    assert '<img src="/queries/metric-trend.svg?metric=employees-total"' in page
    svg = client.get("/queries/metric-trend.svg?metric=employees-total")
    assert svg.status_code == 200 and svg.content_type == "image/svg+xml" and b"<svg" in svg.data[:500]
    png = client.get("/queries/topics-by-pillar.png")
    assert png.status_code == 200 and png.data[:4] == b"\x89PNG"


def test_pages_over_a_real_server(server: str) -> None:
    for url in ("/queries", "/queries/sdg-topics?sdg=13", "/sdg", "/sdg/network.svg"):
        response = requests.get(server + url, timeout=30)
        assert response.status_code == 200, url


def test_named_query_iri_dereferences_to_rdf(client) -> None:
    from rdflib import Graph

    response = client.get("/queries/topics-by-pillar", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.content_type.startswith("text/turtle")
    g = Graph().parse(data=response.get_data(as_text=True), format="turtle")
    assert any("queries/topics-by-pillar" in str(s) for s in g.subjects())
    assert client.get("/queries/topics-by-pillar.ttl").status_code == 200


@pytest.mark.parametrize("url, status, said", [
    ("/queries/metric-trend.csv?bogus=1", 400, "no parameter 'bogus'; it accepts: report, metric"),
    ("/queries/metric-trend?bogus=", 400, "no parameter 'bogus'"),
    ("/queries/topics-by-pillar.json?pillar=x", 400, "pillar is one of E, S, G"),
    ("/queries/topics-by-pillar?pillar=E&pillar=S", 400, "more than once"),
    ("/queries/metric-trend.json?metric=employes-total", 400, "closest (of "),
    ("/queries/topic-sdgs.csv?report=nope", 400, "oneconnect-2024"),
    ("/queries/sdg-topics.svg?sdg=13&report=nope", 400, "no report with that id"),
    ("/queries/sdg-topics.svg?bogus=1", 400, "no parameter 'bogus'"),
])
def test_bad_parameters_say_what_is_accepted(client, url: str, status: int, said: str) -> None:
    """Refused in the one error shape, never ignored: JSON for a .json URL or a client asking
    for JSON, HTML for a browser. (A page URL asked for as JSON is the query's RDF description.)"""
    path = url.split("?")[0]
    if "." in path.rsplit("/", 1)[-1]:
        as_json = client.get(url, headers={"Accept": "application/json"})
        assert as_json.status_code == status and said in as_json.get_json()["error"], as_json.data[:300]
    if not path.endswith(".json"):
        as_html = client.get(url, headers={"Accept": "text/html"})
        assert as_html.status_code == status and as_html.content_type.startswith("text/html")
        assert said.replace("'", "&#39;") in as_html.get_data(as_text=True)


def test_declared_values_in_any_case_and_empty_answers_say_why(client) -> None:
    doc = client.get("/queries/topics-by-pillar.json?pillar=e").get_json()
    assert doc["parameters"] == {"pillar": "E"} and doc["rows"] and {r["pillar"] for r in doc["rows"]} == {"E"}
    page = client.get("/queries/value-provenance?metric=employees-total&year=1999").get_data(as_text=True)
    assert "0 row(s)" in page and "No rows for metric=employees-total, year=1999" in page


def test_query_pictures_draw_the_parameters(client) -> None:
    whole = client.get("/queries/sdg-topics.svg")
    part = client.get("/queries/sdg-topics.svg?sdg=13")
    assert whole.status_code == part.status_code == 200 and whole.data != part.data
    assert client.get("/queries/sdg-topics.svg?sdg=13").data == part.data  # cached per parameters
    assert client.get("/queries/sdg-topics.svg?sdg=4").data not in (whole.data, part.data)
    pillar = client.get("/queries/topics-by-pillar.svg?pillar=E&report=oneconnect-2024")
    assert pillar.status_code == 200 and pillar.data != client.get("/queries/topics-by-pillar.svg?report=oneconnect-2024").data
    # A parameter the picture cannot draw: no picture, rather than one that only looks filtered.
    page = client.get("/queries/value-provenance?metric=employees-total&year=2024").get_data(as_text=True)
    assert "<img" not in page
    refused = client.get("/queries/value-provenance.svg?metric=employees-total&year=2024")
    assert refused.status_code == 404 and b"without year" in refused.data


def test_a_question_stopped_by_a_limit_says_which_parameters_narrow_it(bundled_config) -> None:
    """The endpoint's advice past a limit (patterns, LIMIT) is no use to someone who wrote no
    SPARQL: a named query's page names its unset parameters, report first."""
    from sparql_support import app_client

    with app_client(bundled_config.with_(max_rows=5)) as client:
        capped = client.get("/queries/metric-trend.json")
        assert capped.status_code == 413
        text = capped.get_data(as_text=True)
        assert "row cap" in text and "For this question that means: set report (" in text and "; metric (" in text
        narrowed = client.get("/queries/metric-trend.json?report=baidu-2021")
        assert narrowed.status_code == 413 and "set metric (" in narrowed.get_data(as_text=True)
        assert "set report" not in narrowed.get_data(as_text=True)
        # An unknown id is refused by a lookup; the ids that would be listed pass the cap.
        bad = client.get("/queries/metric-trend.json?metric=employes-total")
        assert bad.status_code == 400 and "too many ids to list here" in bad.get_data(as_text=True)
    with app_client(bundled_config.with_(query_timeout=0.001)) as client:
        late = client.get("/queries/metric-trend")
        assert late.status_code == 503 and "For this question that means: set report (" in late.get_data(as_text=True)
