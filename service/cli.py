"""The ``esgkg`` command line: one entry point for building, checking and serving."""
from __future__ import annotations

import sys

import click

from esgkg.graph.errors import EsgkgError

from .commands.build import build
from .commands.compare import compare
from .commands.draft import draft
from .commands.export import export
from .commands.plot import plot
from .commands.publish import publish
from .commands.push import push
from .commands.query import query
from .commands.review import review
from .commands.serve import serve
from .commands.trace import trace
from .commands.validate import validate


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


main.add_command(build)
main.add_command(export)
main.add_command(validate)
main.add_command(serve)
main.add_command(push)
main.add_command(query)
main.add_command(trace)
main.add_command(plot)
main.add_command(publish)
main.add_command(compare)
main.add_command(draft)
main.add_command(review)

if __name__ == "__main__":  # pragma: no cover
    main()
