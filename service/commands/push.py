"""``esgkg push``: load the built dataset into a remote engine through the Graph Store Protocol."""
from __future__ import annotations

import click

from esgkg.graph.store import StoreRoot


@click.command("push")
@click.argument("url")
@click.option("--store", default=None, help="Store root directory [ESGKG_STORE; .esgkg/store].")
def push(url: str, store: str | None) -> None:
    """Load the built dataset into a remote engine's Graph Store Protocol endpoint URL.

    Every graph is replaced (HTTP PUT), so pushing again gives the same remote dataset.
    """
    # Imported only to push: requests adds about 0.1 s to every `esgkg` start.
    from ..backends.remote import push as push_graphs

    root = StoreRoot(store) if store else StoreRoot()
    total = 0
    for graph, count in push_graphs(root, url):
        click.echo(f"{count:>9} triples  {graph}")
        total += count
    click.echo(f"pushed {total} triples to {url}")
