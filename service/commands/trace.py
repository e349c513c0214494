"""``esgkg trace``: every path from a topic, SDG or stakeholder group, explained in both languages."""
from __future__ import annotations

import json
from pathlib import Path

import click

from esgkg.graph import traversal
from esgkg.graph.errors import EsgkgError
from esgkg.graph.projection import Projection

from .common import open_projection, report_option, store_option


def _path_lines(path: traversal.Path, indent: str = "    ") -> list[str]:
    lines = [f"{indent}- [{path.kind}] {path.explanation['zh']}",
             f"{indent}  {path.explanation['en']}"]
    record = path.nodes[1] if len(path.nodes) == 3 and path.kind.startswith("statement") else None
    if record is not None and traversal.statement_count(record) > 1:
        # Each language's statements as the data holds them (unpaired: see traversal.explain).
        for lang, name in (("zh", "陳述"), ("en", "statements")):
            lines += [f"{indent}    {name}: 「{q}」" if lang == "zh" else f"{indent}    {name}: “{q}”"
                      for q in traversal.quoted(record, lang)]
    return lines


def _reach_lines(reaches: list[traversal.GoalReach]) -> list[str]:
    lines = []
    for reach in reaches:
        targets = f"  targets: {', '.join(t.number for t in reach.targets)}" if reach.targets else ""
        lines.append(f"  {reach.goal.label('zh')} · {reach.goal.label('en')}{targets}")
        for path in reach.paths:
            lines.extend(_path_lines(path))
    return lines


def trace_text(projection: Projection, node, report: str | None = None) -> str:
    """A trace as readable text in both languages."""
    if node.kind == "topic":
        trace = traversal.trace_topic(projection, node.iri)
        goals = ", ".join(g.goal.number for g in trace.goals) or "none"
        lines = [f"{node.zh} · {node.en}  [pillar {node.pillar}, report {projection.report_name(node.report)}]",
                 f"reaches {len(trace.goals)} SDG(s): {goals}", ""]
        lines += _reach_lines(trace.goals)
        lines += ["", f"stakeholder groups who care ({len(trace.stakeholders)}):"]
        lines += [line for p in trace.stakeholders for line in _path_lines(p, "  ")] or ["  (none in the data)"]
        counts = ", ".join(f"{len(v)} {k}(s)" for k, v in trace.context.items())
        lines += ["", f"also concerning this topic (no SDG edge in the data model): {counts}"]
    elif node.kind == "goal":
        trace = traversal.trace_goal(projection, node.iri, report)
        lines = [f"{node.label('zh')} · {node.label('en')}", f"{len(trace.topics)} topic(s) behind it", ""]
        for topic, paths in trace.topics:
            lines.append(f"  {topic.zh} · {topic.en}  [pillar {topic.pillar}, report {projection.report_name(topic.report)}]")
            for path in paths:
                lines.extend(_path_lines(path))
    else:
        trace = traversal.trace_stakeholder(projection, node.iri)
        goals = ", ".join(g.goal.number for g in trace.goals) or "none"
        lines = [f"{node.zh} · {node.en}  [stakeholder group, report {projection.report_name(node.report)}]",
                 f"reaches {len(trace.goals)} SDG(s) through its concerns: {goals}", ""]
        lines += _reach_lines(trace.goals)
    return "\n".join(lines)


def trace_json(projection: Projection, node, report: str | None = None) -> dict:
    if node.kind == "topic":
        return traversal.trace_topic(projection, node.iri).as_json()
    if node.kind == "goal":
        return traversal.trace_goal(projection, node.iri, report).as_json()
    return traversal.trace_stakeholder(projection, node.iri).as_json()


def resolve_one_name(projection: Projection, name: str, report: str | None) -> list:
    """The nodes a name means; several only when it is the same id in several reports."""
    nodes = traversal.resolve(projection, name, report)
    if not nodes:
        raise EsgkgError(f"nothing named {name!r}" + (f" in report {report}" if report else "")
                         + ": give a topic, stakeholder group or SDG by id, label or number")
    if len({(n.kind, n.slug) for n in nodes}) > 1:
        options = "; ".join(f"{n.kind} {n.slug} ({n.zh} / {n.en})" for n in nodes[:12])
        raise EsgkgError(f"{name!r} is ambiguous: {options}")
    return nodes


@click.command("trace")
@click.argument("name")
@report_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@store_option
def trace(name: str, report: str | None, fmt: str, store_path: Path | None) -> None:
    """Trace a topic, SDG or stakeholder group: every SDG path, explained, with sections.

    NAME is an IRI, an id (climate-change), a label in either language (應對氣候變化) or,
    for goals, a number ("13", "SDG 13").
    """
    projection, _ = open_projection(store_path)
    nodes = resolve_one_name(projection, name, report)
    if fmt == "json":
        docs = [trace_json(projection, n, report) for n in nodes]
        click.echo(json.dumps(docs[0] if len(docs) == 1 else docs, ensure_ascii=False, indent=2))
    else:
        click.echo("\n\n".join(trace_text(projection, n, report) for n in nodes))
