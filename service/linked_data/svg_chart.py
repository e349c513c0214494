"""A bar chart of a metric's values by year as inline SVG: no JavaScript, no image files."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from html import escape

WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 70, 20, 24, 44
COLOURS = ("#1f5fbf", "#e07b24", "#2a9d61", "#a23bb5")


def _number(value: str) -> float | None:
    try:
        return float(Decimal(value))
    except (InvalidOperation, ValueError):
        return None


def _nice_max(value: float) -> float:
    """A round axis maximum at or above ``value`` (1, 2, 2.5, 5 × a power of ten)."""
    if value <= 0:
        return 1.0
    power = 10 ** len(str(int(value))) / 10 if value >= 1 else 1.0
    while power > value:
        power /= 10
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 or value == int(value) else f"{value:,.2f}".rstrip("0").rstrip(".")


def bar_chart(points: list[tuple[str, str]], unit: str, title: str) -> str:
    """SVG markup for ``points`` = [(year, value as written in RDF)], one bar per point.

    Two values for one year (the report states them in two sections and they differ) get
    two bars side by side, so the disagreement is visible rather than averaged away.
    """
    data = [(year, _number(value)) for year, value in points]
    data = [(year, v) for year, v in data if v is not None]
    if not data:
        return ""
    years = sorted({year for year, _ in data})
    low = min(0.0, min(v for _, v in data))
    high = _nice_max(max(v for _, v in data)) if max(v for _, v in data) > 0 else 1.0
    span = (high - low) or 1.0
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / len(years)

    def y(v: float) -> float:
        return TOP + plot_h * (high - v) / span

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
             f'role="img" aria-label="{escape(title)}" class="chart">',
             f'<title>{escape(title)}</title>']
    for i in range(5):  # grid lines and axis labels
        v = low + span * i / 4
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#dde2ec"/>')
        parts.append(f'<text x="{LEFT - 8}" y="{y(v) + 4:.1f}" text-anchor="end" font-size="12" fill="#5b6478">{_fmt(v)}</text>')
    for index, year in enumerate(years):
        values = [v for yr, v in data if yr == year]
        bar_w = min(56.0, slot * 0.6 / len(values))
        start = LEFT + slot * index + (slot - bar_w * len(values)) / 2
        for k, v in enumerate(values):
            x = start + k * bar_w
            top, bottom = sorted((y(v), y(0)))
            parts.append(f'<rect x="{x:.1f}" y="{top:.1f}" width="{bar_w - 2:.1f}" height="{max(bottom - top, 1):.1f}" '
                         f'fill="{COLOURS[k % len(COLOURS)]}"><title>{escape(year)}: {_fmt(v)} {escape(unit)}</title></rect>')
            parts.append(f'<text x="{x + bar_w / 2 - 1:.1f}" y="{top - 5:.1f}" text-anchor="middle" font-size="12" '
                         f'fill="#1d2330">{_fmt(v)}</text>')
        parts.append(f'<text x="{LEFT + slot * index + slot / 2:.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle" '
                     f'font-size="13" fill="#1d2330">{escape(year)}</text>')
    parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(0):.1f}" y2="{y(0):.1f}" stroke="#5b6478"/>')
    parts.append(f'<text x="{LEFT}" y="{HEIGHT - 6}" font-size="12" fill="#5b6478">{escape(unit)}</text>')
    parts.append("</svg>")
    return "".join(parts)
