"""One metric's values by year: the ``trend`` picture, one line per report section so a
report that disagrees with itself shows it."""
from __future__ import annotations

from matplotlib.figure import Figure

from . import named_queries
from .plots_fonts import both_names
from .plots_style import PlotError, footnote
from .projection import Projection
from .sparql import QueryFn


def trend(query: QueryFn, metric: str, report: str | None, projection: Projection | None = None) -> Figure:
    """One metric by year: every section's values as its own line, so disagreements show."""
    params = {"metric": metric, **({"report": report} if report else {})}
    table = named_queries.run(named_queries.get("metric-trend"), query, params)
    rows = [{k: v["value"] for k, v in r.items()} for r in table.rows]
    if not rows:
        raise PlotError(f"no values for metric {metric!r}" + (f" in report {report!r}" if report else ""))
    fig = Figure(figsize=(10, 5.5))
    ax = fig.add_subplot()
    series: dict[tuple[str, str], list[tuple[int, float]]] = {}
    for r in rows:
        series.setdefault((r["report"], r["section"]), []).append((int(r["year"][:4]), float(r["value"])))
    markers = "osD^v<>pX*"
    labelled: set[tuple[int, float]] = set()
    count = len(series)
    for i, ((rep, section), points) in enumerate(sorted(series.items())):
        points.sort()
        company = projection.report_name(rep) if projection else rep
        label = f"section {section}" + (f" ({company})" if not report and len({k[0] for k in series}) > 1 else "")
        # Shift each section's line a little sideways: equal values would hide each other.
        shift = (i - (count - 1) / 2) * 0.06
        ax.plot([p[0] + shift for p in points], [p[1] for p in points], marker=markers[i % len(markers)],
                linewidth=1.5, markersize=7, alpha=0.85, label=label)
        for year, value in points:
            if (year, value) not in labelled:
                labelled.add((year, value))
                ax.annotate(f"{value:,.6g}", (year + shift, value), xytext=(6, 4), textcoords="offset points", fontsize=8)
    years = sorted({int(r["year"][:4]) for r in rows})
    ax.set_xticks(years, [str(y) for y in years])
    if len(years) == 1:
        ax.set_xlim(years[0] - 1, years[0] + 1)
    first = rows[0]
    ax.set_ylabel(first.get("unit", ""))
    name = both_names(first.get("metric_as_printed", ""), first.get("metric_en", "")) or metric
    ax.set_title(name.strip())
    ax.legend(frameon=False)
    ax.grid(alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    values = {(r["year"], r["value"]) for r in rows}
    stated_years = {r["year"] for r in rows}
    note = "sections disagree for some year" if len(values) > len(stated_years) else "all sections agree"
    shown = sorted({k[0] for k in series})
    names = "; ".join(f"{projection.report_name(r) if projection else r}" for r in shown)
    footnote(fig, f"metric: {metric}; {'report' if len(shown) == 1 else 'reports'}: {names}; {note}")
    return fig

