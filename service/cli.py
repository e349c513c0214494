"""The ``esgkg`` command line: one entry point for building, checking and serving."""
from __future__ import annotations

import sys

import click

from esgkg.graph.errors import EsgkgError


class _Group(click.Group):
    """Turns library errors into one clear message and exit status 1, never a traceback."""

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except EsgkgError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)


@click.group(cls=_Group)
@click.version_option(package_name="esgkg")
def main() -> None:
    """esgkg: ESG reports as a knowledge graph, checked with SHACL and served over SPARQL."""


def _register() -> None:
    from esgkg.service import commands

    for command in commands.ALL:
        main.add_command(command)


_register()

if __name__ == "__main__":  # pragma: no cover
    main()
