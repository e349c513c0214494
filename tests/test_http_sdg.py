"""The /sdg pages on the real app (worker pool on the bundled store)."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import requests


def test_sdg_pages(client) -> None:
    overview = client.get("/sdg").get_data(as_text=True)
    for img in ("/sdg/coverage.svg", "/sdg/network.svg", "/sdg/materiality.svg"):
        assert f'src="{img}"' in overview
    assert "betweenness" in overview
    topic = client.get("/sdg/topic/climate-change?report=oneconnect-2024")
    assert topic.status_code == 200
    html = topic.get_data(as_text=True)
    assert "壹起行动保护地球" in html and "SDG 13 (Climate action)" in html
    doc = client.get("/sdg/topic/應對氣候變化.json").get_json()
    assert [g["goal"]["number"] for g in doc["goals"]] == ["12", "13"]
    assert client.get("/sdg/goal/SDG%2013").status_code == 200
    assert client.get("/sdg/goal/13.json?report=oneconnect-2024").get_json()["topics"][0]["topic"]["label"]["zh"] == "應對氣候變化"
    assert client.get("/sdg/stakeholder/employees").status_code == 200
    assert client.get("/sdg/trace?name=SDG+13").headers["Location"].endswith("/sdg/goal/13")
    assert client.get("/sdg/topic/no-such-topic").status_code == 404
    for url in ("/sdg/network.png", "/sdg/coverage.svg", "/sdg/trend/employees-total.svg"):
        assert client.get(url).status_code == 200, url
    assert client.get("/sdg/trend/no-such-metric.png").status_code == 404


def test_screenshot_of_the_sdg_page(server: str, tmp_path: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("chromium is not installed (Debian package: chromium)")
    # ESGKG_SCREENSHOT_DIR keeps the picture for a person to look at; default: a temp dir.
    folder = Path(os.environ.get("ESGKG_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    shot = folder / "sdg-page.png"
    shot.unlink(missing_ok=True)
    requests.get(server + "/sdg", timeout=60)  # warm the picture cache so the browser does not wait
    subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}", "--window-size=1280,2000",
         server + "/sdg"],
        check=True, capture_output=True, timeout=90)
    data = shot.read_bytes()
    assert data[:4] == b"\x89PNG" and len(data) > 50_000  # a page with pictures, not a blank one


def test_a_name_in_several_reports_is_never_resolved_silently(client) -> None:
    """Search and trace pages list every report's match with its company and year; the JSON
    twin asks for report= instead of picking one company."""
    overview = client.get("/sdg.json").get_json()
    by_slug: dict[str, set[str]] = {}
    for trace in overview["stakeholders"]:
        node = trace["stakeholder"]
        by_slug.setdefault(node["iri"].rsplit("/", 1)[-1], set()).add(node["iri"].split("/id/", 1)[1].split("/", 1)[0])
    shared = sorted(slug for slug, reports in by_slug.items() if len(reports) > 1)
    if not shared:
        pytest.skip("no stakeholder group name is shared by two reports in this store")
    slug = shared[0]
    page = client.get(f"/sdg/stakeholder/{slug}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert all(f"({report})" in html for report in by_slug[slug]), html
    search = client.get(f"/sdg/trace?name={slug}")
    assert search.status_code == 200 and all(f"({report})" in search.get_data(as_text=True) for report in by_slug[slug])
    ambiguous = client.get(f"/sdg/stakeholder/{slug}.json")
    assert ambiguous.status_code == 400 and "report=" in ambiguous.get_data(as_text=True)
    one = sorted(by_slug[slug])[0]
    assert client.get(f"/sdg/stakeholder/{slug}.json?report={one}").status_code == 200


def _without_other_language(html: str) -> str:
    import re

    return re.sub(r'<span class="other-lang">.*?</span>', "", html, flags=re.S)


@pytest.mark.parametrize("url, english", [
    ("/sdg", ["Trace a topic", "Coverage: which topic", "Betweenness centrality", "stakeholder group</th>",
              "SDGs reached through", "One panel per report", ">all</a>", "Report:"]),
    ("/sdg/topic/climate-change?report=oneconnect-2024", ["Reaches ", "Stakeholder groups who care", "None in the data",
                                                           "Also concerning", "context, not paths", ">targets ", "triples</summary>"]),
    ("/sdg/goal/13", ["material topic(s) behind this goal", "triples</summary>"]),
])
def test_the_chinese_view_of_the_sdg_pages_is_chinese(client, url: str, english: list[str]) -> None:
    """?lang=zh (or Accept-Language: zh) gives every UI string in Chinese; the English words
    remain only as the other-language glosses beside headings."""
    en = client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    sep = "&" if "?" in url else "?"
    zh = client.get(url + sep + "lang=zh").get_data(as_text=True)
    negotiated = client.get(url, headers={"Accept-Language": "zh-TW,zh;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en">' in en
    for page in (zh, negotiated):
        assert '<html lang="zh-Hant">' in page
        shown = _without_other_language(page)
        for words in english:
            assert words in en, words
            assert words not in shown, words
    assert "lang=en" in zh and "lang=zh" in en  # each page links to the other language


def test_the_navigation_speaks_the_pages_language(client) -> None:
    """The site's navigation bar is part of the page: in the Chinese view it names every area
    in Chinese (the names of service/home.py's AREAS), in the English view in English."""
    from markupsafe import escape

    from esgkg.service.home import AREAS

    def nav(html: str) -> str:
        return html[html.index("<nav>"):html.index("</nav>")]

    zh = nav(client.get("/sdg?lang=zh").get_data(as_text=True))
    en = nav(client.get("/sdg", headers={"Accept-Language": "en"}).get_data(as_text=True))
    for area in AREAS:
        assert f">{escape(area.name_zh)}</a>" in zh, area.path
        assert f">{escape(area.name)}</a>" in en, area.path
        if area.name != area.name_zh:
            assert f">{escape(area.name)}</a>" not in zh, area.path


def test_sdg_targets_are_written_one_way_everywhere(client) -> None:
    """The UN KOS gives 12.5 two notations ("12.05" padded, "12.5" compact): every page shows 12.5."""
    from esgkg.graph.named_queries import sdg_notation

    assert sdg_notation("http://metadata.un.org/sdg/12.5") == "12.5"
    assert sdg_notation("http://metadata.un.org/sdg/13") == "13"
    assert sdg_notation("https://example.org/12.5") is None
    for url in ("/sdg/topic/climate-change?report=oneconnect-2024", "/id/oneconnect-2024/topic/climate-change",
                "/id/oneconnect-2024/sdg-contribution/climate-change--12"):
        html = client.get(url, headers={"Accept": "text/html"}).get_data(as_text=True)
        assert "12.5" in html and "12.05" not in html, url


def test_a_report_with_no_sdg_link_draws_no_false_coverage_and_embeds_no_broken_network(client) -> None:
    """A report whose topics reach no SDG (chalco-2019 in the bundled data): its heat map's empty
    cells are the scale's lightest colour, as "no link" is for every other report, not its
    middle; and its page says there is no network instead of embedding a picture that is a 404."""
    from esgkg.graph import plots_sdg, traversal
    from esgkg.service.state import current_state

    unlinked = [r for r in ("baidu-2021", "chalco-2019", "oneconnect-2024")
                if client.get(f"/sdg/network.svg?report={r}").status_code == 404]
    linked = [r for r in ("baidu-2021", "chalco-2019", "oneconnect-2024") if r not in unlinked]
    assert unlinked and linked
    with client.application.app_context():
        projection = current_state().projection(unlinked[0])
    assert not any(map(any, traversal.coverage_matrix(projection, unlinked[0]).counts))
    image = plots_sdg.coverage(projection, unlinked[0]).axes[0].images[0]
    assert image.cmap(image.norm(0)) == image.cmap(0.0)  # the lightest colour, not the middle
    for report in unlinked:
        html = client.get(f"/sdg?report={report}").get_data(as_text=True)
        assert f'src="/sdg/network.svg?report={report}"' not in html and "no network to draw" in html
    for report in linked:
        assert f'src="/sdg/network.svg?report={report}"' in client.get(f"/sdg?report={report}").get_data(as_text=True)
