"""`esgkg query` in a terminal of 80 columns: numbers and ids are never cut in two."""
from __future__ import annotations

import re

from click.testing import CliRunner

from esgkg.graph import named_queries
from esgkg.graph.store import StoreRoot
from esgkg.service.cli import main
from esgkg.service.commands.common import print_rows, unbreakable

BOX = "│┃┆╎|"


def _cells(output: str) -> list[str]:
    """Every cell fragment of every table line, stripped."""
    return [c.strip() for line in output.splitlines() for c in re.split(f"[{BOX}]", line)[1:-1]]


def test_columns_of_numbers_and_ids_are_unbreakable() -> None:
    assert unbreakable(["1937", "1,899", "44.45", "-3.2%"]) and unbreakable(["oneconnect-2024", "5.1", ""])
    assert not unbreakable(["Total number of employees", "1937"]) and not unbreakable(["", ""])


def test_a_narrow_table_keeps_every_number_and_word_whole() -> None:
    from rich.console import Console

    console = Console(width=80, record=True, color_system=None)
    rows = [["oneconnect-2024", "employees-total", "Total number of employees as stated in the table", "2024", "1937"],
            ["oneconnect-2024", "employees-total", "Total number of employees as stated on the about page", "2024", "1899"]]
    print_rows(console, ["report", "metric_id", "label", "year", "value"], rows)
    text = console.export_text()
    assert max(len(line) for line in text.splitlines()) <= 80
    cells = _cells(text)
    for whole in ("oneconnect-2024", "employees-total", "2024", "1937", "1899"):
        assert whole in cells, whole
    words = {w for c in cells for w in c.split()}
    assert {"Total", "number", "employees", "stated"} <= words  # folded between words, not inside them


def test_cli_tables_at_80_columns(bundled_store: StoreRoot) -> None:
    runner = CliRunner()
    store = ["--store", str(bundled_store.root)]
    listed = runner.invoke(main, ["query", "--list", *store], env={"COLUMNS": "80"})
    assert listed.exit_code == 0
    lines = listed.output.splitlines()
    assert max(len(line) for line in lines) <= 80
    for name in named_queries.load_all():
        assert name in _cells(listed.output), name  # every query name on one line
    trend = runner.invoke(main, ["query", "metric-trend", "-p", "metric=employees-total", *store], env={"COLUMNS": "80"})
    assert trend.exit_code == 0 and max(len(line) for line in trend.output.splitlines()) <= 80
    cells = _cells(trend.output)
    assert "1937" in cells and "1899" in cells and "employees-total" in cells
    assert "193" not in cells and "189" not in cells  # not 193 / 7 on two lines


def test_cli_refuses_bad_parameters_naming_what_is_accepted(bundled_store: StoreRoot) -> None:
    runner = CliRunner()
    store = ["--store", str(bundled_store.root)]
    for params, said in ((["-p", "bogus=1"], "it accepts: report, metric"),
                         (["-p", "metric=employes-total"], "closest"),
                         (["-p", "report=nope"], "oneconnect-2024")):
        result = runner.invoke(main, ["query", "metric-trend", *params, *store])
        assert result.exit_code == 1 and said in result.output and "Traceback" not in result.output, result.output
    pillar = runner.invoke(main, ["query", "topics-by-pillar", "-p", "pillar=x", *store])
    assert pillar.exit_code == 1 and "one of E, S, G" in pillar.output
    empty = runner.invoke(main, ["query", "value-provenance", "-p", "metric=employees-total", "-p", "year=1999", *store])
    assert empty.exit_code == 0 and "No rows for metric=employees-total, year=1999" in empty.output
