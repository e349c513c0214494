"""Pictures drawn from the graph with matplotlib: PNG or SVG bytes.

Kinds (:data:`KINDS`): ``materiality`` (a report's matrix where it gives positions, else its
topics in its order of listing by pillar: :mod:`.plots_materiality`), ``network`` (bipartite
topic–SDG graph) and ``coverage`` (topic × SDG heat map: :mod:`.plots_sdg`), ``trend`` (one
metric's values by year, one line per report section so contradictions show:
:mod:`.plots_trend`) and ``compare`` (one KPI across companies: one panel per canonical unit,
one line per company and metric; :func:`kpi_comparison` is the table behind it, also used by
/compare and ``esgkg compare``: :mod:`.plots_compare`). This module is the one to import.

Labels are bilingual when a CJK font is installed (Debian ``fonts-noto-cjk``), found even when
matplotlib's font cache predates it (:mod:`.plots_fonts`); without one, Chinese glyphs would
render as empty boxes, so the charts fall back to English labels and say so in a footnote.
Figures are built with :class:`matplotlib.figure.Figure` directly (no pyplot state), so
rendering is safe in a threaded web server.
"""
from __future__ import annotations

import matplotlib
from matplotlib.figure import Figure

from .plots_compare import (HKEX_SCHEME, Comparison, KeptRows, KpiChoice, KpiError, Panel, Series, Value, compare,
                            kpi_choices, kpi_comparison, parse_kpi, provision_value_counts, provisions)
from .plots_fonts import CJK_FAMILIES, NO_CJK_NOTE, both_names, cjk_font
from .plots_materiality import materiality
from .plots_sdg import coverage, network
from .plots_style import (PILLAR_COLOURS, PILLAR_NAMES, PlotError, rc, relative_luminance, save,
                          text_colour)
from .plots_trend import trend
from .projection import Projection
from .sparql import QueryFn

__all__ = ["CJK_FAMILIES", "FORMATS", "HKEX_SCHEME", "KINDS", "NO_CJK_NOTE", "PILLAR_COLOURS", "PILLAR_NAMES",
           "Comparison", "KpiChoice", "KpiError", "Panel", "PlotError", "Series", "Value", "both_names", "cjk_font",
           "compare", "coverage", "draw", "kpi_choices", "kpi_comparison", "materiality", "network", "parse_kpi",
           "provision_value_counts", "provisions", "relative_luminance", "render", "suffix_format", "text_colour", "trend"]

KINDS = ("materiality", "network", "coverage", "trend", "compare")
FORMATS = {"png": "image/png", "svg": "image/svg+xml"}


# -- rendering (the cache keyed by store version is service/state.py's) ----------------------

def draw(kind: str, projection: Projection | None, query: QueryFn, report: str | None = None,
         metric: str | None = None, kept: KeptRows | None = None) -> Figure:
    """The figure of ``kind`` (see :data:`KINDS`); only ``compare`` draws without a projection."""
    if projection is None and kind != "compare":
        raise PlotError(f"a {kind} picture is drawn from the topic–SDG projection")
    if kind == "materiality":
        return materiality(projection, query, report)
    if kind == "network":
        return network(projection, report)
    if kind == "coverage":
        return coverage(projection, report)
    if kind == "trend":
        if not metric:
            raise PlotError("a trend picture needs a metric id (--metric / ?metric=)")
        return trend(query, metric, report, projection)
    if kind == "compare":
        if not metric:
            raise PlotError("a comparison needs a KPI (--metric A1.2 / /compare/A1.2.svg)")
        return compare(kpi_comparison(query, metric, report, kept=kept))
    raise PlotError(f"no picture kind {kind!r}; kinds: {', '.join(KINDS)}")


def render(kind: str, fmt: str, projection: Projection | None, query: QueryFn, report: str | None = None,
           metric: str | None = None, kept: KeptRows | None = None) -> bytes:
    """PNG or SVG bytes of one picture (``kept``: as for :func:`kpi_comparison`)."""
    if fmt not in FORMATS:
        raise PlotError(f"unknown image format {fmt!r}; use png or svg")
    with matplotlib.rc_context(rc()):
        fig = draw(kind, projection, query, report, metric, kept)
        return save(fig, fmt)


def suffix_format(filename: str) -> str:
    """'png' or 'svg' from a file name, or PlotError."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ext not in FORMATS:
        raise PlotError(f"cannot tell the format of {filename!r}: name it .png or .svg")
    return ext


