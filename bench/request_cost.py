"""Where the time of one cheap request goes, layer by layer, in the HTTP process.

Each layer is timed on its own, one request at a time, every request a distinct text (a
numbered comment line, so no answer cache helps: the cold case of ``bench/run.py
--per-request``):

* engine: ``Store.query`` plus Oxigraph's writer, in this process (what a worker does);
* worker hop: ``WorkerPool.run`` (the job to a worker process and its reply back, with the
  worker's own checks, the query and the writing);
* Flask: the whole WSGI app called with a ready ``environ`` (routing, protocol parsing,
  the checks of the HTTP process, negotiation, the hop, the response);

so Flask's own share is the difference of the last two, and the hop's the difference of
the first two. What waitress and the socket add is what wrk measures beyond the app
(``bench/run.py --per-request`` at 1 client). ``--profile`` prints cProfile's top functions
over the app calls.

Run: python bench/request_cost.py --store DIR [--requests 2000] [--profile]
"""
from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import sys
import time
from urllib.parse import quote

import pyoxigraph as ox

from esgkg.graph.store import StoreRoot
from esgkg.service.app import create_app
from esgkg.service.backends.factory import make_backend
from esgkg.service.backends.results import serialize_result
from esgkg.service.config import Config

SELECT_JSON = "application/sparql-results+json"
QUERIES = {
    "ASK": ("ASK { ?s ?p ?o }", SELECT_JSON),
    "DESCRIBE": ("DESCRIBE <https://w3id.org/esgkg/id/oneconnect-2024/metric/ghg-scope-2-location>",
                 "text/turtle"),
}


def _distinct(text: str, i: int) -> str:
    return f"#r{i}\n{text}"


def engine_us(store: ox.Store, text: str, media_type: str, n: int) -> float:
    times = []
    for i in range(n):
        t = time.perf_counter()
        result = store.query(_distinct(text, i))
        serialize_result(result, media_type, 10_000, {})
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1e6


def hop_us(backend, text: str, media_type: str, n: int) -> float:
    times = []
    for i in range(n):
        job = {"op": "query", "query": _distinct(text, i), "media_type": media_type,
               "default_graphs": [], "named_graphs": [], "base_iri": "http://127.0.0.1/sparql"}
        t = time.perf_counter()
        assert backend.run(job).status == 200
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1e6


def _environ(text: str, accept: str) -> dict:
    return {
        "REQUEST_METHOD": "GET", "SCRIPT_NAME": "", "PATH_INFO": "/sparql",
        "QUERY_STRING": "query=" + quote(text, safe=""), "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_ACCEPT": accept, "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr, "wsgi.multithread": True, "wsgi.multiprocess": False,
        "wsgi.run_once": False, "wsgi.version": (1, 0),
    }


def app_us(app, text: str, media_type: str, n: int, offset: int = 0) -> float:
    times = []

    def start_response(status, headers, exc_info=None):
        assert status.startswith("200"), status

    for i in range(n):
        environ = _environ(_distinct(text, offset + i), media_type)
        t = time.perf_counter()
        body = b"".join(app(environ, start_response))
        times.append(time.perf_counter() - t)
        assert body
    return statistics.median(times) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", required=True)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    config = Config.from_env(store=args.store, workers=2)
    backend = make_backend(config)
    try:
        app = create_app(config, backend=backend)
        root = StoreRoot(args.store)
        union = ox.Store.read_only(str(root.ensure_union(root.current())))
        n = args.requests
        print("| request | engine µs | worker hop µs (incl. engine) | Flask app µs (incl. hop) |")
        print("| --- | ---: | ---: | ---: |")
        for name, (text, media_type) in QUERIES.items():
            app_us(app, text, media_type, 200, offset=10**7)  # warm up: imports, first-request setup
            e = engine_us(union, text, media_type, n)
            h = hop_us(backend, text, media_type, n)
            a = app_us(app, text, media_type, n)
            print(f"| {name} | {e:.0f} | {h:.0f} | {a:.0f} |")
        if args.profile:
            profile = cProfile.Profile()
            text, media_type = QUERIES["ASK"]
            profile.enable()
            app_us(app, text, media_type, n, offset=2 * 10**7)
            profile.disable()
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(30)
            print(out.getvalue())
    finally:
        backend.close()


if __name__ == "__main__":
    main()
