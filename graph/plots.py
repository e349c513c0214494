"""Pictures drawn from the graph with matplotlib: PNG or SVG bytes.

Kinds (:data:`KINDS`): ``materiality`` (the topics in matrix order, coloured by pillar),
``network`` (bipartite topic–SDG graph), ``coverage`` (topic × SDG heat map) and ``trend``
(one metric's values by year, one line per report section so contradictions show).

Labels are bilingual when a CJK font is installed (Debian ``fonts-noto-cjk``); without
one, Chinese glyphs would render as empty boxes, so the charts fall back to English labels
and say so in a footnote. Figures are built with :class:`matplotlib.figure.Figure`
directly (no pyplot state), so rendering is safe in a threaded web server.
"""
from __future__ import annotations

import io
from functools import lru_cache

import matplotlib

matplotlib.use("Agg")  # never open a window; the service has no display

from matplotlib import font_manager
from matplotlib.figure import Figure

from . import named_queries
from .errors import EsgkgError
from .projection import Node, Projection
from .sparql import QueryFn
from .traversal import coverage_matrix

KINDS = ("materiality", "network", "coverage", "trend")
FORMATS = {"png": "image/png", "svg": "image/svg+xml"}
PILLAR_COLOURS = {"E": "#2e8b57", "S": "#e08a1e", "G": "#3b6fb6"}
PILLAR_NAMES = {"E": ("環境", "Environmental"), "S": ("社會", "Social"), "G": ("管治", "Governance")}
GOAL_COLOUR = "#7a7f8c"
CJK_FAMILIES = ("Noto Sans CJK TC", "Noto Sans CJK HK", "Noto Sans CJK SC", "Noto Sans CJK JP",
                "Source Han Sans TC", "Source Han Sans", "WenQuanYi Zen Hei", "AR PL UMing TW",
                "PingFang TC", "Microsoft JhengHei")
NO_CJK_NOTE = "Chinese labels omitted: no CJK font installed (Debian package fonts-noto-cjk)."


class PlotError(EsgkgError):
    """A picture cannot be drawn (unknown kind, format or metric; no data)."""


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The family name of an installed font with Traditional Chinese glyphs, or None."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in installed:
            return family
    return None


def both_names(printed: str, english: str) -> str:
    """The report's own wording and the English label, once when they are the same (an
    English report) and English alone when the printed script cannot be drawn."""
    if not printed or printed == english:
        return english
    if not printed.isascii() and not cjk_font():
        return english or printed
    return f"{printed} {english}".strip()


def _rc() -> dict:
    family = cjk_font()
    return {
        "font.family": [family, "DejaVu Sans"] if family else ["DejaVu Sans"],
        "svg.hashsalt": "esgkg",  # stable ids: the same graph gives the same SVG bytes
        "axes.unicode_minus": False,
    }


def _name(node: Node, width: int = 0) -> str:
    """'zh / en' when Chinese can be drawn, else en."""
    en = node.en or node.slug
    text = f"{node.zh} {en}" if cjk_font() and node.zh else en
    if width and len(text) > width:
        text = text[: width - 1] + "…"
    return text


def _goal_name(goal: Node) -> str:
    return f"{goal.number} {goal.zh}" if cjk_font() and goal.zh else f"{goal.number} {goal.en}"


def _save(fig: Figure, fmt: str) -> bytes:
    buf = io.BytesIO()
    metadata = {"Date": None} if fmt == "svg" else {"Software": None}
    fig.savefig(buf, format=fmt, dpi=100, bbox_inches="tight", metadata=metadata)
    return buf.getvalue()


def _footnote(fig: Figure, text: str) -> None:
    if not cjk_font():
        text = f"{text}  {NO_CJK_NOTE}" if text else NO_CJK_NOTE
    if text:
        fig.text(0.01, 0.005, text, fontsize=8, color="#555", ha="left", va="bottom", wrap=True)


def _pillar_legend(ax, **where) -> None:
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], marker="o", linestyle="", color=c, markersize=9,
                      label=(f"{PILLAR_NAMES[p][0]} {PILLAR_NAMES[p][1]}" if cjk_font() else PILLAR_NAMES[p][1]))
               for p, c in PILLAR_COLOURS.items()]
    ax.legend(handles=handles, frameon=False, **(where or {"loc": "upper left"}))


# -- the four pictures -------------------------------------------------------------------------

def materiality(projection: Projection, query: QueryFn, report: str | None) -> Figure:
    """Topics by materiality, one panel per report (each report ranks its own topics). Real axes
    when the report gives importance values; else the order of listing."""
    table = named_queries.run(named_queries.get("topics-by-pillar"), query, {"report": report} if report else {})
    rows = [{k: v["value"] for k, v in r.items()} for r in table.rows]
    if not rows:
        raise PlotError("no material topics to draw")
    by_report: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        by_report.setdefault(r["report"], []).append(r)
    tallest = max(len(v) for v in by_report.values())
    fig = Figure(figsize=(11 * len(by_report), max(6.0, min(10.0, 0.4 * tallest + 2))))
    unpositioned = False
    for index, (rep, items) in enumerate(sorted(by_report.items()), start=1):
        ax = fig.add_subplot(1, len(by_report), index)
        unpositioned |= not _materiality_panel(ax, items)
        ax.set_title(f"{projection.report_name(rep)}\n" + ax.get_title(), fontsize=11)
        _pillar_legend(ax)
    if unpositioned:
        fig.text(0.5, 0.97, "Not a report's matrix where no positions are printed: the data keeps only the "
                 "order of listing and the pillar.", ha="center", fontsize=9, color="#a33")
    _footnote(fig, _reports_note(projection, report))
    return fig


def _materiality_panel(ax, rows: list[dict[str, str]]) -> bool:
    """One report's topics; True when they have real matrix positions."""
    positioned = all("importance_to_stakeholders" in r and "importance_to_company" in r for r in rows)
    rows.sort(key=lambda r: int(r.get("matrix_order", 0) or 0))
    for i, r in enumerate(rows, start=1):
        if positioned:
            x, y = float(r["importance_to_company"]), float(r["importance_to_stakeholders"])
        else:
            x = y = float(r.get("matrix_order") or i)
        colour = PILLAR_COLOURS.get(r["pillar"], GOAL_COLOUR)
        ax.scatter([x], [y], s=90, color=colour, zorder=3)
        label = both_names(r.get("topic_as_printed", ""), r.get("topic_en", ""))
        # Alternate sides so neighbouring labels on the diagonal do not collide.
        left = i % 2 == 0
        ax.annotate(f"{int(r.get('matrix_order') or i)}. {label.strip()}", (x, y),
                    xytext=(-10 if left else 10, 0), textcoords="offset points",
                    ha="right" if left else "left", va="center", fontsize=9)
    if positioned:
        ax.set_xlabel("importance to the company")
        ax.set_ylabel("importance to stakeholders")
        ax.set_title("Materiality matrix")
    else:
        n = len(rows)
        ax.plot([0.5, n + 0.5], [0.5, n + 0.5], color="#ccc", linewidth=1, zorder=1)
        ax.set_xlim(-n * 0.55, n * 1.6)
        ax.set_ylim(0, n + 1)
        ax.set_xticks([])
        ax.set_ylabel("order in the report's matrix listing (1 = listed first)")
        ax.set_title("Material topics in matrix order, coloured by pillar"
                     + ("\n實質性議題（按矩陣列出次序，按範疇著色）" if cjk_font() else ""))
    ax.spines[["top", "right"]].set_visible(False)
    return positioned


def _reports_note(projection: Projection, report: str | None) -> str:
    """The footnote that names the company and year of every report a picture draws."""
    if report:
        return f"report: {projection.report_name(report)} ({report})"
    return "reports: " + "; ".join(projection.report_name(r) for r in projection.reports())


def _topic_name(projection: Projection, node: Node, report: str | None, width: int) -> str:
    """A topic's name; prefixed by its company and year when the picture mixes reports."""
    if report or len(projection.reports()) < 2:
        return _name(node, width)
    return _name(node, width) + f" · {projection.report_name(node.report)}"


def network(projection: Projection, report: str | None) -> Figure:
    """Bipartite topic–SDG network: topics left (pillar colours), goals right; edge width = paths."""
    matrix = coverage_matrix(projection, report)
    links = [(t, g, c) for t, row in zip(matrix.topics, matrix.counts) for g, c in zip(matrix.goals, row) if c]
    topics = [t for t in matrix.topics if any(lt is t for lt, _, _ in links)]
    goals = [g for g in matrix.goals if any(lg is g for _, lg, _ in links)]
    if not links:
        raise PlotError("no topic is linked to an SDG")
    height = max(6.0, 0.38 * max(len(topics), len(goals)))
    fig = Figure(figsize=(12, height))
    ax = fig.add_subplot()
    ty = {t.iri: 1 - i / max(1, len(topics) - 1) for i, t in enumerate(topics)}
    gy = {g.iri: 1 - i / max(1, len(goals) - 1) for i, g in enumerate(goals)}
    for t, g, c in links:
        ax.plot([0, 1], [ty[t.iri], gy[g.iri]], color=PILLAR_COLOURS.get(t.pillar, GOAL_COLOUR),
                alpha=0.55, linewidth=0.8 + 0.9 * c, zorder=1)
    for t in topics:
        ax.scatter([0], [ty[t.iri]], s=70, color=PILLAR_COLOURS.get(t.pillar, GOAL_COLOUR), zorder=3)
        ax.text(-0.03, ty[t.iri], _topic_name(projection, t, report, 40), ha="right", va="center", fontsize=9)
    for g in goals:
        ax.scatter([1], [gy[g.iri]], s=120, color=GOAL_COLOUR, marker="s", zorder=3)
        ax.text(1.03, gy[g.iri], f"SDG {_goal_name(g)}", ha="left", va="center", fontsize=9)
    ax.set_xlim(-1.1, 2.0)
    ax.set_ylim(-0.06, 1.06)
    ax.axis("off")
    ax.set_title("Material topics → UN SDGs (line width: amount of evidence)"
                 + ("\n實質性議題與可持續發展目標" if cjk_font() else ""))
    _pillar_legend(ax, loc="upper center", bbox_to_anchor=(0.5, -0.01), ncol=3)
    _footnote(fig, f"{_reports_note(projection, report)}; evidence = company actions + quoted contribution statements")
    return fig


def coverage(projection: Projection, report: str | None) -> Figure:
    """Heat map of topic × goal path counts, all 17 goals, so gaps show."""
    matrix = coverage_matrix(projection, report)
    if not matrix.topics:
        raise PlotError("no material topics to draw")
    fig = Figure(figsize=(13, max(6.0, 0.34 * len(matrix.topics) + 2)))
    ax = fig.add_subplot()
    image = ax.imshow(matrix.counts, cmap="Blues", aspect="auto", vmin=0)
    ax.set_xticks(range(len(matrix.goals)), [g.number for g in matrix.goals])
    ax.set_yticks(range(len(matrix.topics)), [f"[{t.pillar}] {_topic_name(projection, t, report, 44)}" for t in matrix.topics], fontsize=9)
    for label, topic in zip(ax.get_yticklabels(), matrix.topics):
        label.set_color(PILLAR_COLOURS.get(topic.pillar, "#000"))
    for i, row in enumerate(matrix.counts):
        for j, c in enumerate(row):
            if c:
                ax.text(j, i, str(c), ha="center", va="center", fontsize=8, color="white" if c >= 3 else "#123")
    ax.set_xlabel("UN Sustainable Development Goal")
    ax.xaxis.set_label_position("top")
    ax.xaxis.tick_top()
    from matplotlib.ticker import MaxNLocator

    bar = fig.colorbar(image, ax=ax, shrink=0.6, label="evidence (actions + quoted statements)")
    bar.locator = MaxNLocator(integer=True)
    bar.update_ticks()
    ax.set_title("Topic × SDG coverage" + (" 議題與目標覆蓋" if cjk_font() else ""), pad=28)
    _footnote(fig, f"{_reports_note(projection, report)}; cell = company actions + quoted contribution statements linking the pair; empty = no link")
    return fig


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
    _footnote(fig, f"metric: {metric}; {'report' if len(shown) == 1 else 'reports'}: {names}; {note}")
    return fig


# -- rendering with a cache keyed by store version --------------------------------------------

def draw(kind: str, projection: Projection, query: QueryFn, report: str | None = None,
         metric: str | None = None) -> Figure:
    """The figure of ``kind`` (see :data:`KINDS`)."""
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
    raise PlotError(f"no picture kind {kind!r}; kinds: {', '.join(KINDS)}")


def render(kind: str, fmt: str, projection: Projection, query: QueryFn, report: str | None = None,
           metric: str | None = None) -> bytes:
    """PNG or SVG bytes of one picture."""
    if fmt not in FORMATS:
        raise PlotError(f"unknown image format {fmt!r}; use png or svg")
    with matplotlib.rc_context(_rc()):
        fig = draw(kind, projection, query, report, metric)
        return _save(fig, fmt)


def suffix_format(filename: str) -> str:
    """'png' or 'svg' from a file name, or PlotError."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ext not in FORMATS:
        raise PlotError(f"cannot tell the format of {filename!r}: name it .png or .svg")
    return ext


