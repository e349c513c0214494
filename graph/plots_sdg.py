"""The topic–SDG pictures: ``network`` (bipartite topic–goal graph) and ``coverage`` (topic ×
goal heat map), both from :func:`esgkg.graph.traversal.coverage_matrix`."""
from __future__ import annotations

from matplotlib.figure import Figure

from .plots_fonts import cjk_font
from .plots_style import (GOAL_COLOUR, PILLAR_COLOURS, PlotError, footnote, goal_name, pillar_legend,
                          reports_note, text_colour, topic_name)
from .projection import Projection
from .traversal import coverage_matrix

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
        ax.text(-0.03, ty[t.iri], topic_name(projection, t, report, 40), ha="right", va="center", fontsize=9)
    for g in goals:
        ax.scatter([1], [gy[g.iri]], s=120, color=GOAL_COLOUR, marker="s", zorder=3)
        ax.text(1.03, gy[g.iri], f"SDG {goal_name(g)}", ha="left", va="center", fontsize=9)
    ax.set_xlim(-1.1, 2.0)
    ax.set_ylim(-0.06, 1.06)
    ax.axis("off")
    ax.set_title("Material topics → UN SDGs (line width: amount of evidence)"
                 + ("\n實質性議題與可持續發展目標" if cjk_font() else ""))
    pillar_legend(ax, loc="upper center", bbox_to_anchor=(0.5, -0.01), ncol=3)
    footnote(fig, f"{reports_note(projection, report)}; evidence = company actions + quoted contribution statements")
    return fig


def coverage(projection: Projection, report: str | None) -> Figure:
    """Heat map of topic × goal path counts, all 17 goals, so gaps show."""
    matrix = coverage_matrix(projection, report)
    if not matrix.topics:
        raise PlotError("no material topics to draw")
    fig = Figure(figsize=(13, max(6.0, 0.34 * len(matrix.topics) + 2)))
    ax = fig.add_subplot()
    # At least 1 at the top: with no link at all, matplotlib spread 0..0 over the scale and
    # drew every empty cell mid-blue, as if each topic reached each goal.
    top = max((c for row in matrix.counts for c in row), default=0)
    image = ax.imshow(matrix.counts, cmap="Blues", aspect="auto", vmin=0, vmax=max(1, top))
    ax.set_xticks(range(len(matrix.goals)), [g.number for g in matrix.goals])
    ax.set_yticks(range(len(matrix.topics)), [f"[{t.pillar}] {topic_name(projection, t, report, 44)}" for t in matrix.topics], fontsize=9)
    for label, topic in zip(ax.get_yticklabels(), matrix.topics):
        label.set_color(PILLAR_COLOURS.get(topic.pillar, "#000"))
    for i, row in enumerate(matrix.counts):
        for j, c in enumerate(row):
            if c:
                # The cell's own colour decides: a count that is the maximum of a small matrix is dark.
                ax.text(j, i, str(c), ha="center", va="center", fontsize=8,
                        color=text_colour(image.cmap(image.norm(c))))
    ax.set_xlabel("UN Sustainable Development Goal")
    ax.xaxis.set_label_position("top")
    ax.xaxis.tick_top()
    from matplotlib.ticker import MaxNLocator

    bar = fig.colorbar(image, ax=ax, shrink=0.6, label="evidence (actions + quoted statements)")
    bar.locator = MaxNLocator(integer=True)
    bar.update_ticks()
    ax.set_title("Topic × SDG coverage" + (" 議題與目標覆蓋" if cjk_font() else ""), pad=28)
    footnote(fig, f"{reports_note(projection, report)}; cell = company actions + quoted contribution statements linking the pair; empty = no link")
    return fig
