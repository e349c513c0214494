"""What every picture of :mod:`esgkg.graph.plots` shares: colours, fonts, labels, footnotes,
the text colour of an annotated cell, and saving to PNG or SVG bytes."""
from __future__ import annotations

import io
import math

import matplotlib

matplotlib.use("Agg")  # never open a window; the service has no display

from matplotlib.colors import to_rgb
from matplotlib.figure import Figure

from .errors import EsgkgError
from .plots_fonts import NO_CJK_NOTE, cjk_font
from .projection import Node, Projection

PILLAR_COLOURS = {"E": "#2e8b57", "S": "#e08a1e", "G": "#3b6fb6"}
PILLAR_NAMES = {"E": ("環境", "Environmental"), "S": ("社會", "Social"), "G": ("管治", "Governance")}
GOAL_COLOUR = "#7a7f8c"
DARK_TEXT, LIGHT_TEXT = "#123", "white"


class PlotError(EsgkgError):
    """A picture cannot be drawn (unknown kind, format or metric; no data)."""


def rc() -> dict:
    """The rcParams every picture is drawn with."""
    family = cjk_font()
    return {
        "font.family": [family, "DejaVu Sans"] if family else ["DejaVu Sans"],
        "svg.hashsalt": "esgkg",  # stable ids: the same graph gives the same SVG bytes
        "axes.unicode_minus": False,
    }


def relative_luminance(colour) -> float:
    """WCAG 2 relative luminance (0 black … 1 white) of a matplotlib colour."""
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in to_rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def text_colour(background) -> str:
    """Dark or light text, whichever has the higher WCAG contrast on ``background``."""
    bg = relative_luminance(background)
    on_dark = 1.05 / (bg + 0.05)
    on_light = (bg + 0.05) / (relative_luminance(DARK_TEXT) + 0.05)
    return LIGHT_TEXT if on_dark > on_light else DARK_TEXT


def pillar_name(pillar: str) -> str:
    """'環境 Environmental' when Chinese can be drawn, else 'Environmental'."""
    zh, en = PILLAR_NAMES.get(pillar, ("", pillar))
    return f"{zh} {en}" if cjk_font() and zh else en


def node_name(node: Node, width: int = 0) -> str:
    """'zh en' when Chinese can be drawn, else en; cut to ``width`` with an ellipsis."""
    en = node.en or node.slug
    text = f"{node.zh} {en}" if cjk_font() and node.zh else en
    return shorten(text, width) if width else text


def shorten(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters, the cut marked with an ellipsis."""
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def goal_name(goal: Node) -> str:
    return f"{goal.number} {goal.zh}" if cjk_font() and goal.zh else f"{goal.number} {goal.en}"


def save(fig: Figure, fmt: str) -> bytes:
    """PNG or SVG bytes of ``fig``, with no date in them."""
    buf = io.BytesIO()
    metadata = {"Date": None} if fmt == "svg" else {"Software": None}
    # A picture that can mix reports names them in its metadata too (SVG dc:title and
    # dc:description, PNG text chunks), so they are readable without drawing it.
    metadata.update(getattr(fig, "esgkg_metadata", {}))
    fig.savefig(buf, format=fmt, dpi=100, bbox_inches="tight", metadata=metadata)
    return buf.getvalue()


def footnote(fig: Figure, text: str) -> None:
    """A grey note under the picture; it says so when Chinese labels had to be left out."""
    if not cjk_font():
        text = f"{text}  {NO_CJK_NOTE}" if text else NO_CJK_NOTE
    if text:
        fig.text(0.01, 0.005, text, fontsize=8, color="#555", ha="left", va="bottom", wrap=True)


def pillar_legend(ax, **where) -> None:
    """A legend of the three pillar colours."""
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], marker="o", linestyle="", color=c, markersize=9, label=pillar_name(p))
               for p, c in PILLAR_COLOURS.items()]
    ax.legend(handles=handles, frameon=False, **(where or {"loc": "upper left"}))


def reports_note(projection: Projection, report: str | None) -> str:
    """The footnote that names the company and year of every report a picture draws."""
    if report:
        return f"report: {projection.report_name(report)} ({report})"
    return "reports: " + "; ".join(projection.report_name(r) for r in projection.reports())


def topic_name(projection: Projection, node: Node, report: str | None, width: int) -> str:
    """A topic's name; prefixed by its company and year when the picture mixes reports."""
    if report or len(projection.reports()) < 2:
        return node_name(node, width)
    return node_name(node, width) + f" · {projection.report_name(node.report)}"


def value_label(value: float) -> str:
    """A value as people read it: 68,623,000 rather than 6.8623e+07; 0.000747 as it is."""
    if value != 0 and abs(value) < 1e-3:
        return f"{value:.3g}"
    return f"{value:,.0f}" if abs(value) >= 1e5 else f"{value:,.6g}"


def value_scale(ax, values: list[float]) -> str:
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
    return f" (log scale above {value_label(min(positive))}, linear below)"
