"""Pictures: valid PNG and SVG of sensible size, bilingual when a CJK font is installed."""
from __future__ import annotations

import struct
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from esgkg.graph import plots
from esgkg.graph.namespaces import Iris
from esgkg.graph.projection import build_projection
from esgkg.graph.sparql import StoreSparql
from esgkg.graph.store import StoreRoot
from esgkg.service.cli import main

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
