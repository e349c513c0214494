"""Pictures drawn from the graph with matplotlib: PNG or SVG bytes.

Kinds (:data:`KINDS`): ``materiality`` (the topics in matrix order, coloured by pillar),
``network`` (bipartite topic–SDG graph), ``coverage`` (topic × SDG heat map), ``trend``
(one metric's values by year, one line per report section so contradictions show) and
``compare`` (one KPI across companies: one panel per canonical unit, one line per company
and metric; :func:`kpi_comparison` is the table behind it, also used by /compare and
``esgkg compare``).

Labels are bilingual when a CJK font is installed (Debian ``fonts-noto-cjk``); without
one, Chinese glyphs would render as empty boxes, so the charts fall back to English labels
and say so in a footnote. Figures are built with :class:`matplotlib.figure.Figure`
directly (no pyplot state), so rendering is safe in a threaded web server.
"""
from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

import matplotlib

matplotlib.use("Agg")  # never open a window; the service has no display

from matplotlib import font_manager
from matplotlib.figure import Figure

from . import named_queries
from .errors import EsgkgError
from .namespaces import Iris
from .projection import Node, Projection
from .sparql import QueryFn
from .traversal import coverage_matrix

KINDS = ("materiality", "network", "coverage", "trend", "compare")
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
    # A picture that can mix reports names them in its metadata too (SVG dc:title and
    # dc:description, PNG text chunks), so they are readable without drawing it.
    metadata.update(getattr(fig, "esgkg_metadata", {}))
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
    # Only the topics the projection holds: a part of it (traversal.restrict) draws a part.
    rows = [{k: v["value"] for k, v in r.items()} for r in table.rows if r.get("topic", {}).get("value") in projection.nodes]
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


# -- one KPI across companies ------------------------------------------------------------------

HKEX_SCHEME = "hkex-esg-code"
_KPI = re.compile(r"^(?:(?P<scheme>[A-Za-z0-9][A-Za-z0-9-]{0,40}):)?(?P<code>[A-Za-z0-9][A-Za-z0-9 ._()-]{0,60})$")
_KPI_IRI = re.compile(r'^https?://[^\s<>"{}|^`\\]+$')
COMPANY_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf",
                   "#7f7f7f", "#bcbd22")


class KpiError(EsgkgError):
    """A KPI parameter that is not a provision code (``A1.2``, ``scheme:code`` or an IRI)."""


def parse_kpi(text: str | None) -> str:
    """The KPI as the named query takes it: ``A1.2`` -> ``hkex-esg-code:A1.2``; ``gri:305-1``
    and provision IRIs as they are. KpiError when it is none of these."""
    text = (text or "").strip()
    if _KPI_IRI.match(text):
        return text
    match = _KPI.match(text)
    if not match:
        raise KpiError(f"kpi: {text!r} is not a provision code; write an HKEX code (A1.2), "
                       "scheme:code (gri:305-1) or the provision's IRI")
    return f"{(match['scheme'] or HKEX_SCHEME).lower()}:{match['code']}"


@dataclass(frozen=True)
class Value:
    """One stated value of a KPI metric: canonical value, and as printed."""

    year: int
    value: float
    section: str
    value_as_printed: str
    unit_as_printed: str


@dataclass
class Series:
    """One company's metric in one report, over the years (several values a year when the
    report's sections disagree)."""

    company: str
    company_as_printed: str
    report: str
    metric_id: str
    metric: str
    metric_as_printed: str
    values: list[Value] = field(default_factory=list)

    def who(self, own: bool = False) -> str:
        """'Company (report)', with the company's own-language name too when ``own``."""
        company = both_names(self.company_as_printed, self.company) if own else self.company
        return f"{company} ({self.report})"

    def label(self) -> str:
        return f"{self.who()}: {self.metric}"

    def legend(self, own: bool = False) -> str:
        """Two lines for a legend: company (report), then the metric."""
        return f"{self.who(own)}\n  {_short(self.metric, 60)}"

    def by_year(self) -> dict[int, list[float]]:
        """Distinct values per year, in order of first statement."""
        years: dict[int, list[float]] = {}
        for v in self.values:
            seen = years.setdefault(v.year, [])
            if v.value not in seen:
                seen.append(v.value)
        return dict(sorted(years.items()))


@dataclass
class Panel:
    """The series of one canonical unit: only these share a y axis."""

    unit: str
    unit_iri: str
    series: list[Series] = field(default_factory=list)


@dataclass
class Comparison:
    """A KPI across companies and years: the rows of ``kpi-across-companies``, grouped."""

    kpi: str  # as asked, normalised by parse_kpi
    code: str  # scheme:code, as the data spells it
    provision: str
    label: str
    report: str | None
    rows: list[dict[str, str]]

    def panels(self) -> list[Panel]:
        panels: dict[tuple[str, str], Panel] = {}
        series: dict[tuple[str, str, str, str], Series] = {}
        for r in self.rows:
            unit = r.get("unit") or r["unit_iri"].rsplit("/", 1)[-1]
            panel = panels.setdefault((r["unit_iri"], unit), Panel(unit, r["unit_iri"]))
            key = (r["unit_iri"], unit, r["report"], r["metric_id"])
            if key not in series:
                series[key] = Series(r.get("company_en", r["report"]), r.get("company_as_printed", ""), r["report"],
                                     r["metric_id"], r.get("metric_en", r["metric_id"]), r.get("metric_as_printed", ""))
                panel.series.append(series[key])
            series[key].values.append(Value(int(r["year"][:4]), float(r["value"]), r.get("section", ""),
                                            r.get("value_as_printed", ""), r.get("unit_as_printed", "")))
        # The panel that compares the most companies first (stable: then in order of appearance).
        return sorted(panels.values(), key=lambda p: -len({s.company for s in p.series}))

    def companies(self) -> list[str]:
        """Company (report) names, in order of first appearance."""
        return list(dict.fromkeys(f"{r.get('company_en', r['report'])} ({r['report']})" for r in self.rows))

    def as_json(self) -> dict:
        return {
            "kpi": self.code, "asked": self.kpi, "provision": self.provision, "label": self.label,
            "report": self.report, "companies": self.companies(),
            "units": [{"unit": p.unit, "unit_iri": p.unit_iri,
                       "series": [{"company": s.company, "company_as_printed": s.company_as_printed, "report": s.report,
                                   "metric_id": s.metric_id, "metric": s.metric, "metric_as_printed": s.metric_as_printed,
                                   "values": [{"year": v.year, "value": v.value, "section": v.section,
                                               "value_as_printed": v.value_as_printed,
                                               "unit_as_printed": v.unit_as_printed} for v in s.values]}
                                  for s in p.series]} for p in self.panels()],
            "rows": [{"company": r.get("company_en"), "company_as_printed": r.get("company_as_printed"), "report": r["report"],
                      "year": int(r["year"][:4]), "metric_id": r["metric_id"], "metric": r.get("metric_en"),
                      "metric_as_printed": r.get("metric_as_printed"), "value": float(r["value"]), "unit": r.get("unit"),
                      "unit_iri": r["unit_iri"], "value_as_printed": r.get("value_as_printed"),
                      "unit_as_printed": r.get("unit_as_printed"), "section": r.get("section"),
                      "language": r.get("language")} for r in self.rows],
        }


def _plain(table) -> list[dict[str, str]]:
    return [{k: v["value"] for k, v in r.items()} for r in table.rows]


def kpi_comparison(query: QueryFn, kpi: str, report: str | None = None, base: str | None = None) -> Comparison:
    """One KPI across every report (or ``report``); KpiError for a malformed KPI, PlotError
    (naming the KPI) when no report gives a value for it."""
    asked = parse_kpi(kpi)
    params = {"kpi": asked, **({"report": report} if report else {})}
    rows = _plain(named_queries.run(named_queries.get("kpi-across-companies", base=base), query, params))
    if not rows:
        where = f" in report {report!r}" if report else " in any report"
        known = _provision_exists(query, asked)
        raise PlotError(f"kpi: no values for {kpi!r}{where}" if known else
                        f"kpi: no provision {kpi!r} (read as {asked}); /compare and `esgkg compare` list the KPIs that have values")
    first = rows[0]
    return Comparison(asked, first["kpi_code"], first["provision"], first.get("provision_en", ""), report, rows)


def _provision_exists(query: QueryFn, asked: str) -> bool:
    """Whether the reference data knows the provision (an answer with no values is then a 404 of
    another kind). The KPI is bound by the named-query machinery, never pasted."""
    probe = named_queries.NamedQuery(
        name="provision-exists", title="", title_zh="", description="",
        params=(named_queries.Param("kpi", "string", None, False, ""),),
        text="""PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?provision WHERE {
  ?provision skos:inScheme ?scheme ; skos:notation ?code .
  BIND(STRAFTER(STR(?scheme), "/scheme/") AS ?scheme_id)
  BIND(STR($kpi) AS ?asked)
  FILTER(IF(CONTAINS(?asked, "://"), STR(?provision) = ?asked,
            LCASE(?scheme_id) = LCASE(STRBEFORE(?asked, ":")) && UCASE(STR(?code)) = UCASE(STRAFTER(?asked, ":"))))
} LIMIT 1""")
    return len(named_queries.run(probe, query, {"kpi": asked})) > 0


def provision_value_counts(query: QueryFn, base: str | None = None) -> dict[str, int]:
    """Provision IRI -> how many stated values the reports' metrics linked to it have (any scheme)."""
    esg = Iris(base).esg
    table = query(f"""PREFIX esg: <{esg}>
SELECT ?provision (COUNT(?observation) AS ?values) WHERE {{
  ?m esg:disclosure ?provision . ?observation esg:metric ?m ; esg:value ?value .
}} GROUP BY ?provision""")
    return {r["provision"]["value"]: int(r["values"]["value"]) for r in table.rows}


@dataclass(frozen=True)
class KpiChoice:
    """An HKEX KPI that has values, for the chooser of /compare and ``esgkg compare``."""

    code: str
    label: str
    companies: tuple[str, ...]
    values: int
    units: tuple[str, ...]

    @property
    def short_code(self) -> str:
        return self.code.removeprefix(HKEX_SCHEME + ":")


def kpi_choices(query: QueryFn, report: str | None = None, base: str | None = None) -> list[KpiChoice]:
    """Every HKEX ESG Code provision that some report's metrics give values for."""
    rows = _plain(named_queries.run(named_queries.get("kpi-across-companies", base=base), query,
                                    {"report": report} if report else {}))
    by_code: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        by_code.setdefault(r["kpi_code"], []).append(r)

    def order(code: str) -> list:
        return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", code)]

    return [KpiChoice(code, rs[0].get("provision_en", ""),
                      tuple(dict.fromkeys(f"{r.get('company_en', r['report'])} ({r['report']})" for r in rs)),
                      len(rs), tuple(dict.fromkeys(r.get("unit", "") for r in rs)))
            for code, rs in sorted(by_code.items(), key=lambda item: order(item[0]))]


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _number(value: float) -> str:
    """A value as people read it: 68,623,000 rather than 6.8623e+07; 0.000747 as it is."""
    if value != 0 and abs(value) < 1e-3:
        return f"{value:.3g}"
    return f"{value:,.0f}" if abs(value) >= 1e5 else f"{value:,.6g}"


def _scale(ax, values: list[float]) -> str:
    """Log scale when the values of a panel span more than three orders of magnitude (a large
    company's total beside a small one's would otherwise be a flat line at zero); symlog when
    some are zero or negative. Returns the note for the panel's title."""
    positive = [abs(v) for v in values if v]
    if len(positive) < 2 or max(positive) / min(positive) <= 1000:
        ax.margins(y=0.12)  # room for the value labels at the top
        return ""
    top = max(positive) * 4
    if all(v > 0 for v in values):
        ax.set_yscale("log")
        ax.set_ylim(min(positive) / 2, top)
        return " (log scale)"
    ax.set_yscale("symlog", linthresh=min(positive))
    ax.set_ylim(0 if min(values) >= 0 else -top, top)
    if min(values) >= 0:  # 0 and the decades above the linear part: no crowded ticks at the bottom
        first = math.ceil(math.log10(min(positive)))
        ax.set_yticks([0] + [10.0 ** k for k in range(first, math.floor(math.log10(top)) + 1)])
    return f" (log scale above {_number(min(positive))}, linear below)"


def compare(comparison: Comparison) -> Figure:
    """One KPI across companies: a panel per canonical unit (a total and an intensity never
    share an axis), a line per company and metric over the years, colour = company. A year
    whose sections state different values gets the other values as hollow markers. Panels
    with the most companies come first (:meth:`Comparison.panels`)."""
    from matplotlib.ticker import FuncFormatter

    panels = comparison.panels()
    own = True  # both_names leaves out a script that no installed font can draw
    fig = Figure(figsize=(12, 1.4 + 3.4 * len(panels)))
    axes = fig.subplots(len(panels), 1, squeeze=False)[:, 0]
    companies = sorted({s.company for p in panels for s in p.series})
    colour = {c: COMPANY_COLOURS[i % len(COMPANY_COLOURS)] for i, c in enumerate(companies)}
    markers = "osD^v<>pX*"
    disagree = False
    for ax, panel in zip(axes, panels):
        years: set[int] = set()
        # Every value is labelled while that stays readable; with many lines, only each line's last.
        label_all = len(panel.series) <= 3
        for i, s in enumerate(panel.series):
            by_year = s.by_year()
            years.update(by_year)
            xs, ys = list(by_year), [vs[0] for vs in by_year.values()]
            ax.plot(xs, ys, marker=markers[i % len(markers)], color=colour[s.company], linewidth=1.6,
                    markersize=6, alpha=0.9, label=s.legend(own))
            for x, vs in by_year.items():
                if label_all or x == xs[-1]:
                    ax.annotate(_number(vs[0]), (x, vs[0]), xytext=(5, 4), textcoords="offset points", fontsize=7,
                                color=colour[s.company])
                for other in vs[1:]:
                    disagree = True
                    ax.plot([x], [other], marker=markers[i % len(markers)], markerfacecolor="none",
                            color=colour[s.company], markersize=7, linestyle="")
                    if label_all:
                        ax.annotate(_number(other), (x, other), xytext=(5, -9), textcoords="offset points",
                                    fontsize=7, color=colour[s.company])
        ordered = sorted(years)
        ax.set_xticks(ordered, [str(y) for y in ordered])
        if len(ordered) == 1:
            ax.set_xlim(ordered[0] - 1, ordered[0] + 1)
        else:
            ax.set_xlim(ordered[0] - 0.4, ordered[-1] + 0.4)
        scale = _scale(ax, [v.value for s in panel.series for v in s.values])
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: _number(v)))
        ax.set_ylabel(_short(panel.unit, 40))
        ax.set_title(f"in {panel.unit}{scale}", fontsize=10, loc="left")
        ax.grid(alpha=0.3)
        ax.spines[["top", "right"]].set_visible(False)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    title = f"{comparison.code}: {_short(comparison.label, 90)}" if comparison.label else comparison.code
    fig.suptitle(title, fontsize=12)
    note = "Values in the canonical unit of their quantity; one panel per unit; colour = company."
    if disagree:
        note += " Hollow markers: another section of the same report states a different value for that year."
    _footnote(fig, note)
    names = comparison.companies()
    fig.esgkg_metadata = {"Title": f"{comparison.code} across companies: {', '.join(names)}",
                          "Description": "; ".join(f"{s.label()} in {p.unit}" for p in panels for s in p.series)}
    fig.tight_layout(rect=(0, 0.03, 1, 0.97))
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
    if kind == "compare":
        if not metric:
            raise PlotError("a comparison needs a KPI (--metric A1.2 / /compare/A1.2.svg)")
        return compare(kpi_comparison(query, metric, report))
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


