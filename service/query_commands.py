"""CLI commands for the named queries, the topic–SDG traversal and the pictures.

``esgkg query``, ``esgkg trace`` and ``esgkg plot`` (registered by service/commands.py
because their names end in ``_command``). They read the embedded store directly; the web
pages run the same library code through the service backend.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table as RichTable

from esgkg.graph import named_queries, plots, traversal
from esgkg.graph.errors import EsgkgError
from esgkg.graph.projection import Projection, projection_for
from esgkg.graph.query_results import QueryError, QueryFn, store_query_fn
from esgkg.graph.result_format import cell_text, is_iri_column, to_csv, to_json
from esgkg.graph.store import StoreRoot

_store = click.option("--store", "store_path", type=click.Path(file_okay=False, path_type=Path), default=None,
                      help="Store folder (default: $ESGKG_STORE or ./.esgkg/store).")
_report = click.option("--report", default=None, help="Only this report (its id, e.g. oneconnect-2024).")


def _open(store_path: Path | None) -> tuple[QueryFn, str]:
    """A query function on the store (built first if there is none) and its version."""
    from esgkg.service.commands import ensure_store  # here: commands imports this module

    root = StoreRoot(store_path)
    ensure_store(root)
    store, info = root.open_read_only()
    return store_query_fn(store), info.version


def _projection(store_path: Path | None) -> tuple[Projection, QueryFn]:
    query, version = _open(store_path)
    return projection_for(query, version), query


# -- esgkg query ------------------------------------------------------------------------------

def print_query_list(console: Console) -> None:
    table = RichTable(title="Named queries (esgkg query NAME)", show_lines=False)
    for col in ("name", "question", "問題", "parameters"):
        table.add_column(col, overflow="fold")
    for q in named_queries.load_all().values():
        params = ", ".join(f"{p.name} ({p.type}{'' if p.default is None else ', default ' + p.default})"
                           for p in q.params)
        table.add_row(q.name, q.title, q.title_zh, params)
    console.print(table)


def print_table(console: Console, query: named_queries.NamedQuery, result, show_iris: bool, width: int) -> None:
    columns = [v for v in result.variables if show_iris or not is_iri_column(result, v)]
    table = RichTable(title=f"{query.title}\n{query.title_zh}".strip(), caption=f"{len(result)} row(s)")
    for col in columns:
        table.add_column(col, overflow="fold")
    for row in result.rows:
        table.add_row(*(cell_text(row.get(c), width) for c in columns))
    console.print(table)


@click.command("query")
@click.argument("name", required=False)
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE", help="A parameter value (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@click.option("--list", "list_", is_flag=True, help="List the named queries and their parameters.")
@click.option("--show-sparql", is_flag=True, help="Print the SPARQL as run (parameters bound) and exit.")
@click.option("--iris", "show_iris", is_flag=True, help="Table: also show the IRI columns.")
@click.option("--width", default=80, show_default=True, help="Table: cut cells to this many characters (0: never).")
@_store
def query_command(name: str | None, params: tuple[str, ...], fmt: str, list_: bool, show_sparql: bool,
                  show_iris: bool, width: int, store_path: Path | None) -> None:
    """Run a named query from queries/ (see `esgkg query --list`)."""
    console = Console()
    if list_ or not name:
        print_query_list(console)
        return
    query = named_queries.get(name)
    values = named_queries.parse_assignments(params)
    sparql = named_queries.bind(query, values)
    if show_sparql:
        click.echo(sparql)
        return
    run, _ = _open(store_path)
    try:
        result = run(sparql)
    except QueryError as exc:
        raise EsgkgError(f"query {name} failed: {exc}") from exc
    if fmt == "json":
        click.echo(json.dumps(to_json(query, values, result), ensure_ascii=False, indent=2))
    elif fmt == "csv":
        sys.stdout.write(to_csv(result))
    else:
        print_table(console, query, result, show_iris, width)


# -- esgkg trace ------------------------------------------------------------------------------

def _path_lines(path: traversal.Path, indent: str = "    ") -> list[str]:
    return [f"{indent}- [{path.kind}] {path.explanation['zh']}",
            f"{indent}  {path.explanation['en']}"]


def _reach_lines(reaches: list[traversal.GoalReach]) -> list[str]:
    lines = []
    for reach in reaches:
        targets = f"  targets: {', '.join(t.number for t in reach.targets)}" if reach.targets else ""
        lines.append(f"  {reach.goal.label('zh')} · {reach.goal.label('en')}{targets}")
        for path in reach.paths:
            lines.extend(_path_lines(path))
    return lines


def trace_text(projection: Projection, node) -> str:
    """A trace as readable text in both languages."""
    if node.kind == "topic":
        trace = traversal.trace_topic(projection, node.iri)
        goals = ", ".join(g.goal.number for g in trace.goals) or "none"
        lines = [f"{node.zh} · {node.en}  [pillar {node.pillar}, report {node.report}]",
                 f"reaches {len(trace.goals)} SDG(s): {goals}", ""]
        lines += _reach_lines(trace.goals)
        lines += ["", f"stakeholder groups who care ({len(trace.stakeholders)}):"]
        lines += [line for p in trace.stakeholders for line in _path_lines(p, "  ")] or ["  (none in the data)"]
        counts = ", ".join(f"{len(v)} {k}(s)" for k, v in trace.context.items())
        lines += ["", f"also concerning this topic (no SDG edge in the data model): {counts}"]
    elif node.kind == "goal":
        trace = traversal.trace_goal(projection, node.iri, node.report)
        lines = [f"{node.label('zh')} · {node.label('en')}", f"{len(trace.topics)} topic(s) behind it", ""]
        for topic, paths in trace.topics:
            lines.append(f"  {topic.zh} · {topic.en}  [pillar {topic.pillar}, report {topic.report}]")
            for path in paths:
                lines.extend(_path_lines(path))
    else:
        trace = traversal.trace_stakeholder(projection, node.iri)
        goals = ", ".join(g.goal.number for g in trace.goals) or "none"
        lines = [f"{node.zh} · {node.en}  [stakeholder group, report {node.report}]",
                 f"reaches {len(trace.goals)} SDG(s) through its concerns: {goals}", ""]
        lines += _reach_lines(trace.goals)
    return "\n".join(lines)


def trace_json(projection: Projection, node) -> dict:
    if node.kind == "topic":
        return traversal.trace_topic(projection, node.iri).as_json()
    if node.kind == "goal":
        return traversal.trace_goal(projection, node.iri, node.report).as_json()
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
@_report
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_store
def trace_command(name: str, report: str | None, fmt: str, store_path: Path | None) -> None:
    """Trace a topic, SDG or stakeholder group: every SDG path, explained, with sections.

    NAME is an IRI, an id (climate-change), a label in either language (應對氣候變化) or,
    for goals, a number ("13", "SDG 13").
    """
    projection, _ = _projection(store_path)
    nodes = resolve_one_name(projection, name, report)
    if fmt == "json":
        docs = [trace_json(projection, n) for n in nodes]
        click.echo(json.dumps(docs[0] if len(docs) == 1 else docs, ensure_ascii=False, indent=2))
    else:
        click.echo("\n\n".join(trace_text(projection, n) for n in nodes))


# -- esgkg plot -------------------------------------------------------------------------------

@click.command("plot")
@click.argument("kind", type=click.Choice(list(plots.KINDS)))
@click.option("--metric", default=None, help="Metric id, for the trend picture (e.g. employees-total).")
@_report
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="File to write; .png or .svg.")
@_store
def plot_command(kind: str, metric: str | None, report: str | None, output: Path, store_path: Path | None) -> None:
    """Draw a picture from the graph: materiality, network, coverage or trend."""
    fmt = plots.suffix_format(output.name)
    projection, query = _projection(store_path)
    data = plots.render(kind, fmt, projection, query, report, metric)
    output.write_bytes(data)
    note = "" if plots.cjk_font() else f" ({plots.NO_CJK_NOTE})"
    Console(stderr=True).print(f"wrote {len(data)} bytes to {output}{note}", highlight=False)
