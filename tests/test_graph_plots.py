"""Pictures: valid PNG and SVG of sensible size, bilingual when a CJK font is installed."""
from __future__ import annotations

import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from esgkg.graph import named_queries, plots
from esgkg.graph.namespaces import Iris
from esgkg.graph.projection import build_projection
from esgkg.graph.sparql import StoreSparql
from esgkg.graph.store import StoreRoot
from esgkg.service.cli import main

REPO = Path(__file__).resolve().parents[1]

CASES = [("materiality", None), ("network", None), ("coverage", None), ("trend", "employees-total")]


@pytest.fixture(scope="module")
def data(bundled_store: StoreRoot):
    store, info = bundled_store.open_read_only()
    query = StoreSparql(store).select
    return build_projection(query, info.version, str(Iris().esg)), query


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("kind,metric", CASES)
def test_png_and_svg(data, kind: str, metric: str | None) -> None:
    projection, query = data
    png = plots.render(kind, "png", projection, query, "oneconnect-2024", metric)
    width, height = png_size(png)
    assert 600 <= width <= 2500 and 350 <= height <= 2500, (width, height)
    assert 20_000 < len(png) < 3_000_000
    svg = plots.render(kind, "svg", projection, query, "oneconnect-2024", metric)
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg") and 20_000 < len(svg) < 5_000_000
    # Same graph, same bytes: pictures are cacheable and diffable.
    assert plots.render(kind, "svg", projection, query, "oneconnect-2024", metric) == svg


def test_chinese_labels_need_a_cjk_font() -> None:
    # Debian: fonts-noto-cjk. Without it the pictures fall back to English and say so.
    if plots.cjk_font() is None:
        pytest.skip(f"no CJK font installed; pictures use English labels ({plots.NO_CJK_NOTE})")
    assert "CJK" in plots.cjk_font() or "Han" in plots.cjk_font()


def test_trend_shows_every_section(data) -> None:
    projection, query = data
    figure = plots.draw("trend", projection, query, "oneconnect-2024", "employees-total")
    labels = [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    assert labels == ["section 3.2.1", "section 5.1", "section about-company"]  # 1,937 vs 1,899 in 2024


def test_bad_requests_are_plot_errors(data) -> None:
    projection, query = data
    with pytest.raises(plots.PlotError):
        plots.render("trend", "png", projection, query, None, "no-such-metric")
    with pytest.raises(plots.PlotError):
        plots.render("pie", "png", projection, query)
    with pytest.raises(plots.PlotError):
        plots.suffix_format("chart.jpg")


def test_cli_plot(bundled_store: StoreRoot, tmp_path) -> None:
    out = tmp_path / "network.svg"
    result = CliRunner().invoke(main, ["plot", "network", "--store", str(bundled_store.root), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert ET.fromstring(out.read_bytes()).tag.endswith("svg")
    png = tmp_path / "trend.png"
    result = CliRunner().invoke(main, ["plot", "trend", "--metric", "ghg-scope-2-location",
                                       "--store", str(bundled_store.root), "-o", str(png)])
    assert result.exit_code == 0, result.output
    png_size(png.read_bytes())
    bad = CliRunner().invoke(main, ["plot", "trend", "--store", str(bundled_store.root), "-o", str(tmp_path / "x.png")])
    assert bad.exit_code == 1 and "needs a metric" in bad.output


# -- materiality: only what the report's data holds ----------------------------------------------

def _contrast(a, b) -> float:
    la, lb = sorted((plots.relative_luminance(a), plots.relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _panels(figure) -> list:
    return [ax for ax in figure.axes if ax.get_title(loc="left")]


def test_materiality_without_positions_lists_topics_in_the_reports_order_by_pillar(data) -> None:
    projection, query = data
    (ax,) = _panels(plots.draw("materiality", projection, query, "oneconnect-2024"))
    title = ax.get_title(loc="left")
    assert title.startswith(projection.report_name("oneconnect-2024")) and "in the order the report lists them" in title
    names = [t.get_text() for t in ax.get_yticklabels()]
    assert len(names) == 25 and [n.split(".")[0] for n in names] == [str(i) for i in range(1, 26)]
    assert "Waste management" in names[0]  # matrix_order 1 in the report's sources
    # Each row's dot sits in its pillar's column, nowhere suggesting a position.
    columns = [t.get_text().split("\n")[-2] for t in ax.get_xticklabels()]
    assert columns == ["Environmental", "Social", "Governance"]
    dots = [tuple(c.get_offsets()[0]) for c in ax.collections]
    assert sorted(y for _, y in dots) == list(range(25)) and {x for x, _ in dots} <= {0, 1, 2}
    assert ax.get_xlabel() == "" and ax.get_ylabel() == ""


def test_materiality_without_order_groups_by_pillar_only(data) -> None:
    projection, query = data
    (ax,) = _panels(plots.draw("materiality", projection, query, "chalco-2019"))
    assert "grouped by pillar (the report gives no order)" in ax.get_title(loc="left")
    names = [t.get_text() for t in ax.get_yticklabels()]
    assert names and not any(n[0].isdigit() for n in names)  # no invented ranks
    pillars = [x for x, _ in (tuple(c.get_offsets()[0]) for c in ax.collections)]
    assert pillars == sorted(pillars)  # E rows, then S, then G


def test_materiality_of_many_reports_has_a_panel_per_report_titled_with_company_and_year(data) -> None:
    projection, query = data
    titles = [ax.get_title(loc="left") for ax in _panels(plots.draw("materiality", projection, query))]
    assert [t.split(":")[0] for t in titles] == [projection.report_name(r) for r in sorted(projection.reports())]


@pytest.fixture(scope="module")
def positioned(tmp_path_factory: pytest.TempPathFactory):
    """A store of the documented example report, whose topics have matrix positions."""
    from esgkg.graph.build import build

    reports = tmp_path_factory.mktemp("positioned-reports")
    (reports / "acme-2025").symlink_to(REPO / "docs" / "example-report" / "acme-2025", target_is_directory=True)
    root = StoreRoot(tmp_path_factory.mktemp("positioned-store"))
    build(root, reports_root=reports, iris=Iris())
    store, info = root.open_read_only()
    query = StoreSparql(store).select
    return build_projection(query, info.version, str(Iris().esg)), query


def test_materiality_with_positions_is_the_reports_matrix(positioned) -> None:
    projection, query = positioned
    (report,) = projection.reports()
    (ax,) = _panels(plots.draw("materiality", projection, query, report))
    assert "the report's materiality matrix" in ax.get_title(loc="left")
    rows = named_queries.run(named_queries.get("topics-by-pillar"), query, {"report": report}).rows
    expected = sorted((float(r["importance_to_company"]["value"]), float(r["importance_to_stakeholders"]["value"]))
                      for r in rows)
    assert sorted(tuple(c.get_offsets()[0]) for c in ax.collections) == expected
    assert "company" in ax.get_xlabel() and "stakeholders" in ax.get_ylabel()
    for png in (plots.render("materiality", "png", projection, query, report),):
        assert 400 <= png_size(png)[0] <= 2500


@pytest.mark.parametrize("report", ["oneconnect-2024", "example"])
def test_annotated_cells_are_readable(data, example_store: StoreRoot, report: str) -> None:
    """Every number drawn on a coloured cell or dot has WCAG contrast with it (a small report's
    only count is the darkest cell: dark text there was unreadable)."""
    if report == "example":
        store, info = example_store.open_read_only()
        query = StoreSparql(store).select
        projection = build_projection(query, info.version, str(Iris().esg))
        report = projection.reports()[0]
    else:
        projection, query = data
    figure = plots.draw("coverage", projection, query, report)
    image = figure.axes[0].images[0]
    cells = [(t, image.cmap(image.norm(int(t.get_text())))) for t in figure.axes[0].texts]
    assert cells
    for kind in ("materiality",):
        for ax in _panels(plots.draw(kind, projection, query, report)):
            dots = {tuple(c.get_offsets()[0]): c.get_facecolor()[0] for c in ax.collections}
            cells += [(t, dots[tuple(t.xy)]) for t in ax.texts if tuple(t.xy) in dots and t.get_text().isdigit()]
    for text, background in cells:
        # 3.9: the better of white and dark text never has less on any background.
        assert _contrast(text.get_color(), background) >= 3.9, (text.get_text(), text.get_color(), background)
