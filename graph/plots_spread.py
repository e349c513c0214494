"""A panel of /compare's picture with more reports than colours: each year's spread of values
(a box plot over a strip of every value) instead of a line and a legend entry per report."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .plots_style import shorten, value_label, value_scale

if TYPE_CHECKING:
    from .plots_compare import Panel

def many(panel: "Panel", colours: int) -> bool:
    """Whether a panel has more reports than a line each can show apart (one of ``colours`` each)."""
    return len({s.report for s in panel.series}) > colours


def spread(ax, panel: "Panel") -> None:
    """A panel of many reports: per year, a box plot of the values (each series' first
    value of the year) over a strip of every value, and how many there are. Lines and a legend
    per report stop informing past a handful of them."""
    by_year: dict[int, list[float]] = {}
    for s in panel.series:
        for year, values in s.by_year().items():
            by_year.setdefault(year, []).append(values[0])
    years = sorted(by_year)
    ax.boxplot([by_year[y] for y in years], positions=years, widths=0.5, showfliers=False, manage_ticks=False,
               medianprops={"color": "#d62728", "linewidth": 1.6}, boxprops={"color": "#1f77b4"},
               whiskerprops={"color": "#1f77b4"}, capprops={"color": "#1f77b4"})
    for year in years:
        values = by_year[year]
        # A fixed spread rather than random jitter: the same data draws the same picture.
        xs = [year + ((i * 7) % 23 - 11) * 0.012 for i in range(len(values))]
        ax.scatter(xs, values, s=7, color="#1f77b4", alpha=0.35, linewidths=0, zorder=1)
        ax.annotate(f"n = {len(values)}", (year, 0), xycoords=("data", "axes fraction"), xytext=(0, 3),
                    textcoords="offset points", ha="center", fontsize=7, color="#555")
    ax.set_xticks(years, [str(y) for y in years])
    ax.set_xlim(years[0] - 0.6, years[-1] + 0.6)
    from matplotlib.ticker import FuncFormatter

    scale = value_scale(ax, [v for vs in by_year.values() for v in vs])
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: value_label(v)))
    ax.set_ylabel(shorten(panel.unit, 40))
    reports = len({s.report for s in panel.series})
    ax.set_title(f"in {panel.unit}{scale}: {len(panel.series)} metrics of {reports} reports, spread per year",
                 fontsize=10, loc="left")
    ax.grid(alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
