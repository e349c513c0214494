"""``/search``: labels in every language and codes, linked to their pages here."""
from __future__ import annotations

import pytest


def _results(client, q: str) -> list[dict]:
    response = client.get("/search.json", query_string={"q": q})
    assert response.status_code == 200, response.text
    return response.get_json()["results"]


def test_a_code_finds_its_kpi_first_and_the_link_opens_its_page(client) -> None:
    first = _results(client, "a1.2")[0]  # case ignored
    assert first["curie"].endswith("hkex-esg-code/A1.2") and "framework provision" in first["kinds"]
    assert first["href"] == "/id/scheme/hkex-esg-code/A1.2"
    assert client.get(first["href"], headers={"Accept": "text/html"}).status_code == 200


def test_labels_in_every_language_are_searched(client) -> None:
    english = _results(client, "emissions")
    assert english and all("emissions" in h["label"].lower() for h in english)
    assert len({h["report"] for h in english if h["report"]}) >= 2  # several reports' metrics
    chinese = _results(client, "溫室氣體")
    assert chinese and all("溫室氣體" in h["label"] for h in chinese)
    assert {h["language"] for h in chinese} == {"zh-hant"}


def test_one_line_per_resource_best_match_first(client) -> None:
    hits = _results(client, "emissions")
    assert len({h["resource"] for h in hits}) == len(hits)
    ranks = [0 if h["label"].lower() == "emissions" else 1 if h["label"].lower().startswith("emissions") else 2
             for h in hits]
    assert ranks == sorted(ranks)


@pytest.mark.parametrize("q", ['") } DROP ALL #', "\\", "'''", "${q}", "<x>", "%"])
def test_any_text_is_a_search_never_query_syntax(client, q: str) -> None:
    response = client.get("/search.json", query_string={"q": q})
    assert response.status_code == 200 and isinstance(response.get_json()["results"], list)


def test_bad_input_says_what_is_wrong(client) -> None:
    missing = client.get("/search.json")
    assert missing.status_code == 400 and "q" in missing.get_json()["error"]
    too_long = client.get("/search.json", query_string={"q": "x" * 201})
    assert too_long.status_code == 400 and "q:" in too_long.get_json()["error"]


def test_the_page_shows_results_and_a_miss_says_so(client) -> None:
    page = client.get("/search", query_string={"q": "emissions"}).get_data(as_text=True)
    assert 'href="/id/scheme/hkex-esg-code/A1"' in page and 'value="emissions"' in page
    miss = client.get("/search", query_string={"q": "zzqqxx-nothing"}).get_data(as_text=True)
    assert "Nothing is labelled" in miss
    escaped = client.get("/search", query_string={"q": "<script>alert(1)</script>"}).get_data(as_text=True)
    assert "<script>alert(1)" not in escaped
