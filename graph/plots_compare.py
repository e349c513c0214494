"""One KPI across companies: :func:`kpi_comparison` (the table behind /compare and ``esgkg
compare``) and :func:`compare` (its picture: a panel per canonical unit, a line per company
and metric)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from matplotlib.figure import Figure

from . import named_queries
from .errors import EsgkgError
from .namespaces import Iris
from .plots_fonts import both_names
from .plots_spread import many, spread
from .plots_style import PlotError, footnote, shorten, value_label, value_scale
from .sparql import QueryFn

HKEX_SCHEME = "hkex-esg-code"
_KPI = re.compile(r"^(?:(?P<scheme>[A-Za-z0-9][A-Za-z0-9-]{0,40}):)?(?P<code>[A-Za-z0-9][A-Za-z0-9 ._()-]{0,60})$")
_KPI_IRI = re.compile(r'^https?://[^\s<>"{}|^`\\]+$')
COMPANY_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf",
                   "#7f7f7f", "#bcbd22")


KeptRows = Callable[[str], "list[dict[str, str]] | None"]


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
        return f"{self.who(own)}\n  {shorten(self.metric, 60)}"

    @property
    def values_count(self) -> int:
        return len(self.values)

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


def _many(panel: Panel) -> bool:
    return many(panel, len(COMPANY_COLOURS))


def _plain(table) -> list[dict[str, str]]:
    return [{k: v["value"] for k, v in r.items()} for r in table.rows]


def kpi_comparison(query: QueryFn, kpi: str, report: str | None = None, base: str | None = None,
                   kept: KeptRows | None = None) -> Comparison:
    """One KPI across every report (or ``report``); KpiError for a malformed KPI, PlotError
    (naming the KPI) when no report gives a value for it.

    The KPI is first resolved to its provision in the reference data, and the named query is
    asked by ``provision=``: it then finds the metrics from the provision, where matching the
    text ``kpi=`` against every provision costs what the whole store costs (seconds at 100
    reports). ``kept(provision)``: the rows the downloads' writer kept for an HKEX provision over
    every report (graph/kpi_values.py), or None where it has not."""
    asked = parse_kpi(kpi)
    found = provisions(query, asked, base)
    # A code names one provision; the text match stays for anything else (several, or none
    # in the reference graph, e.g. a provision a report defines), with the same answer.
    params = {"provision": found[0]} if len(found) == 1 else {"kpi": asked}
    params.update({"report": report} if report else {})
    # The writer keeps the all-HKEX answer: asked about every report, an HKEX KPI is read there.
    rows = kept(found[0]) if kept and not report and len(found) == 1 and asked.startswith(HKEX_SCHEME + ":") else None
    if rows is None:
        rows = _plain(named_queries.run(named_queries.get("kpi-across-companies", base=base), query, params))
    if not rows:
        where = f" in report {report!r}" if report else " in any report"
        known = bool(found) or _provision_exists(query, asked)
        raise PlotError(f"kpi: no values for {kpi!r}{where}" if known else
                        f"kpi: no provision {kpi!r} (read as {asked}); /compare and `esgkg compare` list the KPIs that have values")
    first = rows[0]
    return Comparison(asked, first["kpi_code"], first["provision"], first.get("provision_en", ""), report, rows)


_PROVISION_TEXT = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?provision {from} WHERE {{
  ?provision skos:inScheme ?scheme ; skos:notation ?code .
  BIND(STRAFTER(STR(?scheme), "/scheme/") AS ?scheme_id)
  BIND(STR($kpi) AS ?asked)
  FILTER(IF(CONTAINS(?asked, "://"), STR(?provision) = ?asked,
            LCASE(?scheme_id) = LCASE(STRBEFORE(?asked, ":")) && UCASE(STR(?code)) = UCASE(STRAFTER(?asked, ":"))))
}} ORDER BY ?provision {limit}"""


def _provision_query(text: str) -> named_queries.NamedQuery:
    return named_queries.NamedQuery(name="provision", title="", title_zh="", description="",
                                    params=(named_queries.Param("kpi", "string", None, False, ""),), text=text)


def provisions(query: QueryFn, asked: str, base: str | None = None) -> list[str]:
    """The IRIs of the provisions ``asked`` (as :func:`parse_kpi` gives it) names, read from the
    reference graph alone: the frameworks are reference data, and every report's sections
    carry notations too, so the same match over the whole store grows with its reports. The
    KPI is bound by the named-query machinery, never pasted."""
    reference = Iris(base).graph("reference")
    probe = _provision_query(_PROVISION_TEXT.format(**{"from": f"FROM <{reference}>", "limit": ""}))
    return [r["provision"]["value"] for r in named_queries.run(probe, query, {"kpi": asked}).rows]


def _provision_exists(query: QueryFn, asked: str) -> bool:
    """Whether the store knows the provision anywhere (an answer with no values is then a 404
    of another kind than an unknown KPI)."""
    probe = _provision_query(_PROVISION_TEXT.format(**{"from": "", "limit": "LIMIT 1"}))
    return len(named_queries.run(probe, query, {"kpi": asked})) > 0


def provision_value_counts(query: QueryFn, provisions: list[str], base: str | None = None) -> dict[str, int]:
    """Provision IRI -> how many stated values the reports' metrics linked to it have, for
    ``provisions`` (any scheme): each counted from its own metrics, found from the provision."""
    if not provisions:
        return {}
    for iri in provisions:
        if not _KPI_IRI.match(iri):
            raise KpiError(f"kpi: {iri!r} is not a provision IRI")
    esg = Iris(base).esg
    table = query(f"""PREFIX esg: <{esg}>
SELECT ?provision (COUNT(?observation) AS ?values) WHERE {{
  VALUES ?provision {{ {" ".join(f"<{iri}>" for iri in provisions)} }}
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
    return choices_from_rows(_plain(named_queries.run(named_queries.get("kpi-across-companies", base=base), query,
                                                      {"report": report} if report else {})))


def choices_from_rows(rows: list[dict[str, str]]) -> list[KpiChoice]:
    """The KPI choices of kpi-across-companies rows (its all-HKEX form)."""
    by_code: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        by_code.setdefault(r["kpi_code"], []).append(r)

    def order(code: str) -> list:
        return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", code)]

    return [KpiChoice(code, rs[0].get("provision_en", ""),
                      tuple(dict.fromkeys(f"{r.get('company_en', r['report'])} ({r['report']})" for r in rs)),
                      len(rs), tuple(dict.fromkeys(r.get("unit", "") for r in rs)))
            for code, rs in sorted(by_code.items(), key=lambda item: order(item[0]))]


def _years_axis(ax, ordered: list[int]) -> None:
    ax.set_xticks(ordered, [str(y) for y in ordered])
    if len(ordered) == 1:
        ax.set_xlim(ordered[0] - 1, ordered[0] + 1)
    else:
        ax.set_xlim(ordered[0] - 0.4, ordered[-1] + 0.4)


def _note(panels: list[Panel], disagree: bool) -> str:
    """What the picture's marks mean, for the panels it has."""
    note = "Values in the canonical unit of their quantity; one panel per unit"
    note += "." if all(_many(p) for p in panels) else "; colour = company."
    if any(_many(p) for p in panels):
        note += (f" A panel of more than {len(COMPANY_COLOURS)} reports shows each year's spread: box = middle half of the"
                 " values, line = median, whiskers = the rest within 1.5 box lengths, dots = each value; the tables list them.")
    if disagree:
        note += " Hollow markers: another section of the same report states a different value for that year."
    return note


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
        if _many(panel):
            spread(ax, panel)
            continue
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
                    ax.annotate(value_label(vs[0]), (x, vs[0]), xytext=(5, 4), textcoords="offset points", fontsize=7,
                                color=colour[s.company])
                for other in vs[1:]:
                    disagree = True
                    ax.plot([x], [other], marker=markers[i % len(markers)], markerfacecolor="none",
                            color=colour[s.company], markersize=7, linestyle="")
                    if label_all:
                        ax.annotate(value_label(other), (x, other), xytext=(5, -9), textcoords="offset points",
                                    fontsize=7, color=colour[s.company])
        _years_axis(ax, sorted(years))
        scale = value_scale(ax, [v.value for s in panel.series for v in s.values])
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: value_label(v)))
        ax.set_ylabel(shorten(panel.unit, 40))
        ax.set_title(f"in {panel.unit}{scale}", fontsize=10, loc="left")
        ax.grid(alpha=0.3)
        ax.spines[["top", "right"]].set_visible(False)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    title = f"{comparison.code}: {shorten(comparison.label, 90)}" if comparison.label else comparison.code
    fig.suptitle(title, fontsize=12)
    footnote(fig, _note(panels, disagree))
    names = comparison.companies()
    who = ", ".join(names) if len(names) <= len(COMPANY_COLOURS) else f"{len(names)} reports"
    fig.esgkg_metadata = {"Title": f"{comparison.code} across companies: {who}",
                          "Description": "; ".join(f"{s.label()} in {p.unit}" for p in panels for s in p.series[:50])}
    fig.tight_layout(rect=(0, 0.03, 1, 0.97))
    return fig
