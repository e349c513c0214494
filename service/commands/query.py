"""``esgkg query``: run a named query from queries/ on the embedded store.

It reads the store directly; the web pages run the same library code through the service
backend.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.console import Console

from esgkg.graph import named_queries
from esgkg.graph.disjoint_graphs import scopes_reports
from esgkg.graph.errors import EsgkgError
from esgkg.graph.sparql import QueryError
from esgkg.graph.result_format import cell_text, is_iri_column, to_csv, to_json

from .common import err_console, open_query_fn, print_rows, store_option


def print_query_list(console: Console) -> None:
    rows = []
    for q in named_queries.load_all().values():
        params = ", ".join(f"{p.name} ({p.accepted() if p.choices else p.type})" for p in q.params)
        rows.append([q.name, f"{q.title}\n{q.title_zh}".strip(), params])
    print_rows(console, ["name", "question / 問題", "parameters"], rows, title="Named queries (esgkg query NAME)")


def print_table(console: Console, named: named_queries.NamedQuery, result, show_iris: bool, width: int) -> None:
    columns = [v for v in result.variables if show_iris or not is_iri_column(result, v)]
    rows = [[cell_text(row.get(c), width) for c in columns] for row in result.rows]
    print_rows(console, columns, rows, title=f"{named.title}\n{named.title_zh}".strip(), caption=f"{len(result)} row(s)")


@click.command("query")
@click.argument("name", required=False)
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE", help="A parameter value (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@click.option("--list", "list_", is_flag=True, help="List the named queries and their parameters.")
@click.option("--show-sparql", is_flag=True, help="Print the SPARQL as run (parameters bound) and exit.")
@click.option("--iris", "show_iris", is_flag=True, help="Table: also show the IRI columns.")
@click.option("--width", default=80, show_default=True, help="Table: cut cells to this many characters (0: never).")
@store_option
def query(name: str | None, params: tuple[str, ...], fmt: str, list_: bool, show_sparql: bool,
          show_iris: bool, width: int, store_path: Path | None) -> None:
    """Run a named query from queries/ (see `esgkg query --list`)."""
    console = Console()
    if list_ or not name:
        print_query_list(console)
        return
    named = named_queries.get(name)
    values = named_queries.parse_assignments(params)
    for key in values:
        named.param(key)  # an unknown name: refused, with the names it accepts
    if show_sparql:
        click.echo(named_queries.bind(named, values))
        return
    run, info = open_query_fn(store_path)
    try:
        result = run(named_queries.prepare(named, values, run, scopes_reports(info.meta)))
    except QueryError as exc:
        raise EsgkgError(f"query {name} failed: {exc}") from exc
    if not len(result):
        err_console.print(named_queries.empty_hint(named, values), highlight=False)
    if fmt == "json":
        click.echo(json.dumps(to_json(named, values, result), ensure_ascii=False, indent=2))
    elif fmt == "csv":
        sys.stdout.write(to_csv(result))
    else:
        print_table(console, named, result, show_iris, width)
