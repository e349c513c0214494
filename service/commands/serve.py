"""``esgkg serve``: the SPARQL endpoint, query pages, linked-data pages and dumps on waitress."""
from __future__ import annotations

import click

from esgkg.graph.disjoint_graphs import scopes_reports
from esgkg.graph.store import StoreRoot

from ..config import Config
from .common import ensure_store


def _build_if_missing(store: str) -> None:
    """Run the build into ``store`` when nothing has been published there yet; say so when the
    published version is of an older layout (docs/decisions.md §32)."""
    root = StoreRoot(store)
    # Something published here and now damaged (e.g. a dangling `current`) is not rebuilt:
    # that would silently publish the bundled reports over whatever this store held; starting
    # fails instead, with the store's own message (exit status 1).
    if not root.pointer.is_symlink():
        ensure_store(root)
    info = root.current()
    if "reports" in info.meta and not scopes_reports(info.meta):  # made by `esgkg build`, before
        click.echo(f"note: store version {info.version} was built before each report's findings had a graph "
                   "of their own; named queries asked about one report read every report's data (right, "
                   "but slower on a large store) until `esgkg build` runs again", err=True)


@click.command("serve")
@click.option("--host", default=None, help="Interface to listen on [ESGKG_HOST; 127.0.0.1].")
@click.option("--port", type=int, default=None, help="Port [ESGKG_PORT; 8000].")
@click.option("--store", default=None,
              help="Store root directory, or the URL of a remote SPARQL 1.1 query endpoint [ESGKG_STORE].")
@click.option("--processes", type=int, default=None,
              help="Serving processes sharing the port [ESGKG_PROCESSES; one per core, 1 in update mode].")
@click.option("--workers", type=int, default=None,
              help="Query worker processes started up front, in all [ESGKG_WORKERS; max(4, cores)].")
@click.option("--max-workers", type=int, default=None,
              help="Most worker processes under load, in all [ESGKG_MAX_WORKERS; 4 x workers].")
@click.option("--threads", type=int, default=None,
              help="HTTP threads, in all [ESGKG_THREADS; max workers + 8 per process].")
@click.option("--query-timeout", type=float, default=None, help="Seconds per query [ESGKG_QUERY_TIMEOUT; 10].")
@click.option("--max-rows", type=int, default=None, help="Result row cap [ESGKG_MAX_ROWS; 10000].")
@click.option("--memory-quads", type=int, default=None,
              help="Query versions of at most this many quads from a copy in each worker's memory; "
                   "e.g. 250000 for ~300 MB a worker [ESGKG_MEMORY_QUADS; 0: never].")
@click.option("--max-body", type=int, default=None, help="Request body limit in bytes [ESGKG_MAX_BODY].")
@click.option("--allow-update", is_flag=True, default=None,
              help="Enable SPARQL Update and Graph Store writes (needs a token) [ESGKG_ALLOW_UPDATE].")
@click.option("--update-token", default=None,
              help="Bearer token for updates; prefer ESGKG_UPDATE_TOKEN, which `ps` does not show.")
@click.option("--remote-update", default=None, help="Remote mode: update endpoint URL [ESGKG_REMOTE_UPDATE].")
@click.option("--remote-store", default=None, help="Remote mode: Graph Store endpoint URL [ESGKG_REMOTE_STORE].")
def serve(**options: object) -> None:
    """Serve the SPARQL endpoint (and query page) on waitress."""
    if options.get("update_token"):
        click.echo("warning: --update-token is visible to every user of this machine in `ps`; "
                   "set ESGKG_UPDATE_TOKEN instead", err=True)
    try:
        config = Config.from_env(**options)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    if not config.remote:
        _build_if_missing(config.store)
    # Imported only to serve: flask and the app add about 0.1 s to every `esgkg` start.
    from ..app import create_app

    if config.processes > 1:
        from ..prefork import serve_processes

        raise SystemExit(serve_processes(config, create_app))
    from ..server import serve as run_server

    run_server(create_app(config), config)
