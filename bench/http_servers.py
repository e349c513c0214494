"""What the HTTP server alone costs: a constant WSGI answer on each candidate server, beside
``oxigraph serve`` answering a real ``ASK`` (engine included), driven by wrk on loopback.

The candidates: esgkg's hardened waitress (service/server.py, exactly as ``esgkg serve``
configures it), gunicorn's threaded worker, granian's WSGI interface (a Rust HTTP server),
uvicorn with httptools and uvloop in front of the WSGI app through a2wsgi's ASGI->WSGI bridge
(threads for the app, as Flask needs), and granian with two worker processes.
The answer is the 29-byte JSON of an ASK, so the numbers are the ceiling each server puts on
the cheapest SPARQL request before Flask, the worker hop or the engine add anything.

Run: python bench/http_servers.py [--seconds 3] [--rounds 2] [--store DIR]
(needs wrk; gunicorn, granian, uvicorn[standard] and a2wsgi from PyPI, optional: a missing
one is skipped)
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import requests

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from load import run_wrk, write_script  # noqa: E402
from queries import SELECT_JSON, BenchQuery  # noqa: E402
from servers import free_port  # noqa: E402

APP = '''
BODY = b'{"head": {}, "boolean": true}'
def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "application/sparql-results+json"),
                              ("Content-Length", str(len(BODY)))])
    return [BODY]
'''
BRIDGED = '''
from a2wsgi import WSGIMiddleware
from hello import app as wsgi_app
app = WSGIMiddleware(wsgi_app, workers=8)
'''
WAITRESS = '''
import sys
from hello import app
from esgkg.service.config import Config
from esgkg.service.server import make_server
make_server(app, Config(port=int(sys.argv[1]))).run()
'''


def _commands(folder: Path, port: int, store: Path | None) -> dict[str, list[str]]:
    bin_dir = Path(sys.executable).parent
    cmds = {"esgkg waitress (hardened)": [sys.executable, str(folder / "waitress_app.py"), str(port)]}
    if (bin_dir / "gunicorn").exists():
        cmds["gunicorn gthread"] = [str(bin_dir / "gunicorn"), "-b", f"127.0.0.1:{port}", "-w", "1",
                                    "-k", "gthread", "--threads", "8", "hello:app"]
    if (bin_dir / "granian").exists():
        cmds["granian wsgi"] = [str(bin_dir / "granian"), "--interface", "wsgi", "--host", "127.0.0.1",
                                "--port", str(port), "--workers", "1", "--blocking-threads", "8", "hello:app"]
        cmds["granian wsgi, 2 workers"] = [str(bin_dir / "granian"), "--interface", "wsgi", "--host",
                                           "127.0.0.1", "--port", str(port), "--workers", "2",
                                           "--blocking-threads", "8", "hello:app"]
    if (bin_dir / "uvicorn").exists():
        cmds["uvicorn httptools+uvloop, a2wsgi"] = [
            str(bin_dir / "uvicorn"), "--host", "127.0.0.1", "--port", str(port), "--http", "httptools",
            "--loop", "uvloop", "--no-access-log", "--log-level", "warning", "bridged:app"]
    exe = shutil.which("oxigraph")
    if store is not None and exe:
        cmds["oxigraph serve (real ASK)"] = [exe, "serve-read-only", "--location", str(store.resolve()),
                                             "--bind", f"127.0.0.1:{port}", "--union-default-graph"]
    return cmds


def _wait(url: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError(f"server did not start: {proc.args}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=3)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--store", type=Path, default=None, help="a published version dir for oxigraph")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="esgkg-http-"))
    (folder / "hello.py").write_text(textwrap.dedent(APP))
    (folder / "waitress_app.py").write_text(textwrap.dedent(WAITRESS))
    (folder / "bridged.py").write_text(textwrap.dedent(BRIDGED))
    env = {**os.environ, "PYTHONPATH": str(folder)}
    ask = BenchQuery("ask", "cheap", "ASK { ?s ?p ?o }", SELECT_JSON)
    best: dict[tuple[str, int], float] = {}
    for _ in range(args.rounds):
        port = free_port()
        for name, cmd in _commands(folder, port, args.store).items():
            proc = subprocess.Popen(cmd, cwd=folder, env=env, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, start_new_session=True)
            try:
                path = "/query" if name.startswith("oxigraph") else "/sparql"
                _wait(f"http://127.0.0.1:{port}{path}", proc)
                script = write_script([ask], path, folder / "ask.lua")
                for clients in (1, 16):
                    r = run_wrk(f"http://127.0.0.1:{port}", script, clients, args.seconds)
                    best[(name, clients)] = max(best.get((name, clients), 0.0), r.throughput)
            finally:
                if proc.poll() is None:
                    os.killpg(proc.pid, 15)
                    proc.wait(10)
    print("| server | 1 client req/s | 16 clients req/s |\n| --- | ---: | ---: |")
    for name in dict.fromkeys(n for n, _ in best):
        print(f"| {name} | {best[(name, 1)]:,.0f} | {best[(name, 16)]:,.0f} |")
    print(f"load average (1 min) at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
