"""The ``materiality`` picture: one panel per report, drawing only what the report's data holds.

* Every topic has a position (``importance_to_stakeholders`` and ``importance_to_company``):
  the report's matrix, on its own axis labels (``esg:stakeholderAxis`` / ``esg:companyAxis``).
* Every topic has an order of listing (``esg:matrixOrder``) but no position: the topics in
  that order, one row each, with a dot in the column of their pillar, so where each pillar
  falls in the order shows; nothing suggests a position the report did not print.
* Neither: the topics grouped by pillar, with no order.
"""
from __future__ import annotations

from dataclasses import dataclass

from matplotlib.figure import Figure

from . import named_queries
from .plots_fonts import both_names, cjk_font
from .plots_style import (GOAL_COLOUR, PILLAR_COLOURS, PlotError, footnote, pillar_legend, pillar_name,
                          reports_note, shorten, text_colour)
from .projection import Projection
from .sparql import QueryFn

PILLARS = ("E", "S", "G")
LABEL_WIDTH = 48


@dataclass
class Topic:
    """One material topic as the materiality picture needs it."""

    label: str
    pillar: str
    order: int | None
    company: float | None
    stakeholders: float | None

    @property
    def colour(self) -> str:
        return PILLAR_COLOURS.get(self.pillar, GOAL_COLOUR)


def _topics(rows: list[dict[str, str]]) -> list[Topic]:
    def number(row: dict[str, str], key: str) -> float | None:
        return float(row[key]) if row.get(key) else None

    return [Topic(both_names(r.get("topic_as_printed", ""), r.get("topic_en", "")).strip(), r["pillar"],
                  int(r["matrix_order"]) if r.get("matrix_order") else None,
                  number(r, "importance_to_company"), number(r, "importance_to_stakeholders")) for r in rows]


def what_it_shows(topics: list[Topic]) -> str:
    """'matrix' (every topic has a position), 'order' (every topic has an order of listing)
    or 'pillars' (only the pillar is known for every topic)."""
    if all(t.company is not None and t.stakeholders is not None for t in topics):
        return "matrix"
    if all(t.order is not None for t in topics):
        return "order"
    return "pillars"


def axis_labels(query: QueryFn, esg: str) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """(report, 'companyAxis' | 'stakeholderAxis') -> [(language, label as printed)]."""
    table = query(f"""PREFIX esg: <{esg}>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT DISTINCT ?report ?axis ?label WHERE {{
  VALUES ?axis {{ esg:companyAxis esg:stakeholderAxis }}
  ?scheme ?axis ?label ; skos:hasTopConcept ?topic ; esg:report/dcterms:identifier ?report .
  ?topic a esg:MaterialTopic .
}} ORDER BY ?report ?axis ?label""")
    found: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for row in table.rows:
        key = (row["report"]["value"], row["axis"]["value"].rsplit("#", 1)[-1])
        found.setdefault(key, []).append((row["label"].get("xml:lang", ""), row["label"]["value"]))
    return found


def _axis_label(labels: list[tuple[str, str]], fallback: str) -> str:
    en = next((text for lang, text in labels if lang.lower().startswith("en")), "")
    own = next((text for lang, text in labels if not lang.lower().startswith("en")), "")
    return both_names(own, en) if (own or en) else fallback


def materiality(projection: Projection, query: QueryFn, report: str | None) -> Figure:
    """Material topics, one panel per report titled with its company and year (each report
    ranks its own topics); what each panel draws depends on what the report gives (module doc)."""
    table = named_queries.run(named_queries.get("topics-by-pillar"), query, {"report": report} if report else {})
    by_report: dict[str, list[dict[str, str]]] = {}
    for r in table.rows:
        # Only the topics the projection holds: a part of it (traversal.restrict) draws a part.
        if r.get("topic", {}).get("value") in projection.nodes:
            by_report.setdefault(r["report"]["value"], []).append({k: v["value"] for k, v in r.items()})
    if not by_report:
        raise PlotError("no material topics to draw")
    panels = {rep: _topics(rows) for rep, rows in sorted(by_report.items())}
    kinds = {rep: what_it_shows(topics) for rep, topics in panels.items()}
    # Panels stacked, each as tall as its rows need: a report of 2 topics beside one of 25 would
    # otherwise get rows ten times as far apart, and side by side they outgrow any screen.
    rows = [max(len(t), 12) if kinds[rep] == "matrix" else len(t) for rep, t in panels.items()]
    heights = [0.27 * n + 1.3 for n in rows]
    fig = Figure(figsize=(9, sum(heights) + 1.0), layout="constrained")
    fig.get_layout_engine().set(rect=(0, 0.45 / (sum(heights) + 1.0), 1, 1))  # the footnote's line
    axes = fig.subplots(len(panels), 1, squeeze=False, height_ratios=heights)[:, 0]
    labels = axis_labels(query, projection.esg) if "matrix" in kinds.values() else {}
    for ax, (rep, topics) in zip(axes, panels.items()):
        if kinds[rep] == "matrix":
            shows = _matrix_panel(ax, topics, labels.get((rep, "companyAxis"), []),
                                  labels.get((rep, "stakeholderAxis"), []))
        else:
            shows = _list_panel(ax, topics, ordered=kinds[rep] == "order")
        ax.set_title(f"{projection.report_name(rep)}: material topics{' 實質性議題' if cjk_font() else ''}\n{shows}",
                     fontsize=11, loc="left")
    fig.esgkg_metadata = {"Title": "Material topics: " + "; ".join(projection.report_name(r) for r in panels)}
    footnote(fig, _note(projection, report, set(kinds.values())))
    return fig


def _note(projection: Projection, report: str | None, kinds: set[str]) -> str:
    note = reports_note(projection, report)
    if "order" in kinds:
        note += "; no positions in the data: topics in the order the report lists them in its matrix, not placed on it"
    if "pillars" in kinds:
        note += "; where neither positions nor an order are given, topics are only grouped by pillar"
    return note


def _matrix_panel(ax, topics: list[Topic], company_axis: list[tuple[str, str]],
                  stakeholder_axis: list[tuple[str, str]]) -> str:
    """The report's matrix: a numbered dot per topic at its two importances, names beside them.
    Returns what the panel shows."""
    topics = sorted(topics, key=lambda t: (t.order or 0, t.label))
    for number, t in enumerate(topics, start=1):
        shown = t.order or number
        ax.scatter([t.company], [t.stakeholders], s=260, color=t.colour, zorder=3)
        ax.annotate(str(shown), (t.company, t.stakeholders), ha="center", va="center", fontsize=8,
                    color=text_colour(t.colour), zorder=4)
        ax.annotate(shorten(t.label, 30), (t.company, t.stakeholders), xytext=(10, 0), textcoords="offset points",
                    ha="left", va="center", fontsize=8)
    xs = [t.company for t in topics]
    ys = [t.stakeholders for t in topics]
    pad_x, pad_y = (max(xs) - min(xs) or 1) * 0.15, (max(ys) - min(ys) or 1) * 0.15
    ax.set_xlim(min(xs) - pad_x, max(xs) + 3 * pad_x)  # room for the names right of the dots
    ax.set_ylim(min(ys) - pad_y, max(ys) + pad_y)
    ax.set_xlabel(_axis_label(company_axis, "importance to the company"))
    ax.set_ylabel(_axis_label(stakeholder_axis, "importance to stakeholders"))
    ax.grid(alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    pillar_legend(ax, loc="lower right", fontsize=8)
    return "the report's materiality matrix"


def _list_panel(ax, topics: list[Topic], ordered: bool) -> str:
    """One row per topic (in the report's order, or grouped by pillar when there is none), a
    dot in its pillar's column; the rows' labels are the topics' names. Returns what the panel shows."""
    if ordered:
        topics = sorted(topics, key=lambda t: t.order or 0)
    else:
        topics = sorted(topics, key=lambda t: (PILLARS.index(t.pillar) if t.pillar in PILLARS else 3, t.label))
    columns = {p: i for i, p in enumerate(PILLARS)}
    for row, t in enumerate(topics):
        x = columns.get(t.pillar, len(PILLARS))
        ax.scatter([x], [row], s=200, color=t.colour, zorder=3)
        if ordered:
            ax.annotate(str(t.order), (x, row), ha="center", va="center", fontsize=7, color=text_colour(t.colour), zorder=4)
    names = [f"{t.order}. {shorten(t.label, LABEL_WIDTH)}" if ordered else shorten(t.label, LABEL_WIDTH) for t in topics]
    ax.set_yticks(range(len(topics)), names, fontsize=8)
    for label, t in zip(ax.get_yticklabels(), topics):
        label.set_color(t.colour)
    counts = {p: sum(t.pillar == p for t in topics) for p in PILLARS}
    ax.set_xticks(range(len(PILLARS)), [f"{pillar_name(p).replace(' ', chr(10))}\n{counts[p]}" for p in PILLARS],
                  fontsize=8)
    for tick, p in zip(ax.get_xticklabels(), PILLARS):
        tick.set_color(PILLAR_COLOURS[p])
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    ax.set_xlim(-0.6, len(PILLARS) - 0.4)
    ax.set_ylim(len(topics) - 0.5, -0.5)  # the first listed at the top
    ax.grid(axis="y", alpha=0.25)
    for x in range(len(PILLARS)):
        ax.axvspan(x - 0.45, x + 0.45, color=PILLAR_COLOURS[PILLARS[x]], alpha=0.06, zorder=0)
    ax.spines[:].set_visible(False)
    return ("in the order the report lists them in its matrix (no positions given)" if ordered
            else "grouped by pillar (the report gives no order)")
