"""The README's "## Commands" table keeps up with the CLI.

* Its command names are exactly those `esgkg --help` lists.
* Every option of every command is named in that command's row, or in a docs/*.md page that
  mentions `esgkg <command>` (e.g. `esgkg serve`'s limits are in docs/sparql-endpoint.md).

So a command or an option added without documentation fails here.
"""
from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from esgkg.service.cli import main

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = {path.name: path.read_text(encoding="utf-8") for path in sorted((ROOT / "docs").glob("*.md"))}


def _readme_rows() -> dict[str, str]:
    """Command name -> its row in the README's "## Commands" table."""
    section = README.split("\n## Commands\n", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        match = re.match(r"\| `esgkg ([\w-]+)", line)
        if match:
            assert match.group(1) not in rows, f"two README rows for esgkg {match.group(1)}"
            rows[match.group(1)] = line
    return rows


def _help_commands() -> list[str]:
    """The command names in `esgkg --help`, as a user sees them."""
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0, result.output
    listing = result.output.split("\nCommands:\n", 1)[1]
    return [line.split()[0] for line in listing.splitlines() if line.startswith("  ") and line.strip()]


def _names(option: str, text: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", text) is not None


def test_readme_commands_are_the_cli_commands() -> None:
    assert sorted(_readme_rows()) == sorted(_help_commands())


def test_help_lists_every_registered_command() -> None:
    assert sorted(_help_commands()) == sorted(main.commands)


@pytest.mark.parametrize("name", sorted(main.commands))
def test_every_option_is_documented(name: str) -> None:
    row = _readme_rows().get(name, "")
    pages = [text for text in DOCS.values() if re.search(rf"`esgkg {re.escape(name)}\b", text)]
    missing = []
    for param in main.commands[name].params:
        if not isinstance(param, click.Option):
            continue
        spellings = [*param.opts, *param.secondary_opts]
        if not any(_names(s, row) or any(_names(s, page) for page in pages) for s in spellings):
            missing.append("/".join(spellings))
    assert missing == [], (f"esgkg {name}: document {', '.join(missing)} in its README row "
                           "or in a docs/*.md page that mentions `esgkg " + name + "`")


def test_the_checks_notice_an_undocumented_command_and_option(monkeypatch: pytest.MonkeyPatch) -> None:
    @click.command("frobnicate")
    @click.option("--wobble", is_flag=True)
    def frobnicate(wobble: bool) -> None:
        """Not a real command."""

    monkeypatch.setitem(main.commands, "frobnicate", frobnicate)
    assert "frobnicate" in _help_commands() and "frobnicate" not in _readme_rows()
    with pytest.raises(AssertionError, match="--wobble"):
        test_every_option_is_documented("frobnicate")


def _documented_urls() -> set[str]:
    """The URL patterns in the first column of the README's URLs table."""
    section = README.split("## URLs", 1)[1].split("\n## ", 1)[0]
    found: set[str] = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            found |= set(re.findall(r"`([^`]+)`", line.split(" | ", 1)[0]))
    return found


def _rule_pattern(rule: str) -> str:
    """A werkzeug rule as the README writes it: converters dropped (``<any(a, b):kind>`` is ``<kind>``)."""
    return re.sub(r"<(?:[a-z_]+(?:\([^)]*\))?:)?([a-z_]+)>", r"<\1>", rule)


def test_every_route_is_in_the_readme_url_table() -> None:
    from esgkg.service.app import create_app
    from esgkg.service.config import Config

    app = create_app(Config(store="/nonexistent"), backend=object())  # type: ignore[arg-type]
    routes = {_rule_pattern(r.rule) for r in app.url_map.iter_rules()}
    documented = _documented_urls()
    assert routes - documented == set(), "routes missing from the README's URLs table"
    assert documented - routes == set(), "the README's URLs table names routes that do not exist"
