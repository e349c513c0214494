"""What the HTTP server alone costs: a constant WSGI answer on each candidate server, beside
``oxigraph serve`` answering a real ``ASK`` (engine included), driven by wrk on loopback.

The candidates: esgkg's hardened waitress (service/server.py, exactly as ``esgkg serve``
configures it), gunicorn's threaded worker, granian's WSGI interface (a Rust HTTP server),
uvicorn with httptools and uvloop in front of the WSGI app through a2wsgi's ASGI->WSGI bridge
(threads for the app, as Flask needs), and granian with two worker processes.
The answer is the 29-byte JSON of an ASK, so the numbers are the ceiling each server puts on
the cheapest SPARQL request before Flask, the worker hop or the engine add anything.

Run: python bench/http_servers.py [--seconds 3] [--rounds 2] [--store DIR]
     python bench/http_servers.py --guarantees   (granian alone: which of the slow-client
     guarantees of service/server.py its own options give, probed on loopback)
(needs wrk; gunicorn, granian, uvicorn[standard] and a2wsgi from PyPI, optional: a missing
one is skipped)
"""
from __future__ import annotations

import argparse
import os
import shutil
import socket
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


GUARDED = '''
LIMIT = 10000
def app(environ, start_response):
    # The app's own request-size check: refuse on Content-Length without reading the body.
    if int(environ.get("CONTENT_LENGTH") or 0) > LIMIT:
        start_response("413 Payload Too Large", [("Content-Length", "0")])
        return [b""]
    body = environ["wsgi.input"].read() if environ["REQUEST_METHOD"] == "POST" else b""
    start_response("200 OK", [("Content-Length", str(len(body)))])
    return [body]
'''


def _hung_up(sock: socket.socket, trickle: bytes | None, wait: float) -> str:
    """How a connection ends within ``wait`` seconds, trickling ``trickle`` every 0.5 s."""
    start = time.monotonic()
    sock.settimeout(0.5)
    while time.monotonic() - start < wait:
        try:
            if trickle:
                sock.sendall(trickle)
            data = sock.recv(100)
            took = time.monotonic() - start
            if not data:
                return f"closed after {took:.1f} s"
            status = data.split(b"\r")[0].decode()
            return f"answered {status} after {took:.1f} s"
        except socket.timeout:
            continue
        except OSError as exc:
            return f"{exc} after {time.monotonic() - start:.1f} s"
    return f"still open after {wait:g} s"


def probe_guarantees(folder: Path, env: dict[str, str]) -> None:
    """Start granian with a 3 s header-read timeout, once per ``--http`` mode, and try each
    slow-client attack on it: the mode matters, because with ``auto`` (the default) the
    connection waits for protocol detection, which has no timer, before hyper's header-read
    timer starts (hyperium/hyper#3185 made that timer start at accept for HTTP/1)."""
    (folder / "guarded.py").write_text(textwrap.dedent(GUARDED))
    modes = ("auto", "1")
    outcomes = {mode: _attack_granian(folder, env, mode) for mode in modes}
    print("| attack on granian (header-read timeout 3 s) | " + " | ".join(f"`--http {m}`" for m in modes)
          + " |\n| --- |" + " --- |" * len(modes))
    for what in outcomes[modes[0]]:
        print(f"| {what} | " + " | ".join(outcomes[m][what] for m in modes) + " |")


def _attack_granian(folder: Path, env: dict[str, str], http: str) -> dict[str, str]:
    """What each slow-client attack gets from granian started with ``--http <http>``."""
    port = free_port()
    exe = Path(sys.executable).with_name("granian")
    proc = subprocess.Popen([str(exe), "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port),
                             "--http", http, "--blocking-threads", "8", "--http1-header-read-timeout", "3000",
                             "guarded:app"],
                            cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        _wait(f"http://127.0.0.1:{port}/", proc)

        def conn(first: bytes = b"") -> socket.socket:
            sock = socket.create_connection(("127.0.0.1", port), timeout=10)
            if first:
                sock.sendall(first)
            return sock

        get = b"GET / HTTP/1.1\r\nHost: x\r\n"
        idle = conn(get + b"\r\n")
        idle.recv(1000)
        rows = {"idle keep-alive after one answer": _hung_up(idle, None, 8)}  # first: timed from now
        rows["headers trickled, a line per 0.5 s"] = _hung_up(conn(get), b"X-a: b\r\n", 8)
        rows["connection that never sends a byte"] = _hung_up(conn(), None, 8)
        rows["Content-Length 50 MB, 1 kB sent"] = _hung_up(
            conn(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 50000000\r\n\r\n" + b"#" * 1000), None, 5)
        rows["Content-Length 1 TB, Expect: 100-continue"] = _hung_up(
            conn(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000000\r\n"
                 b"Expect: 100-continue\r\n\r\n"), None, 5)
        rows["body of 5,000 bytes at 2 bytes/s"] = _hung_up(
            conn(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n"), b"a", 8)
        rows["a GET while 9 bodies trickle at 2 bytes/s (8 threads)"] = _get_under_trickle(port, conn, 9)
        return rows
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, 15)
            proc.wait(10)


def _get_under_trickle(port: int, conn, bodies: int) -> str:
    """Whether a plain GET is answered while ``bodies`` uploads trickle: a WSGI server that
    hands a request to a thread before its body has arrived loses a thread to each."""
    import threading

    socks = [conn(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n") for _ in range(bodies)]
    stop = threading.Event()

    def trickle() -> None:
        while not stop.wait(0.5):
            for sock in socks:
                try:
                    sock.sendall(b"a")
                except OSError:
                    pass

    feeder = threading.Thread(target=trickle, daemon=True)
    feeder.start()
    try:
        time.sleep(1.0)
        start = time.monotonic()
        try:
            status = requests.get(f"http://127.0.0.1:{port}/", timeout=3).status_code
            return f"answered {status} after {time.monotonic() - start:.1f} s"
        except requests.RequestException:
            return f"no answer within {time.monotonic() - start:.0f} s"
    finally:
        stop.set()
        feeder.join(2)
        for sock in socks:
            sock.close()


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
    parser.add_argument("--guarantees", action="store_true", help="probe granian's slow-client behaviour")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="esgkg-http-"))
    (folder / "hello.py").write_text(textwrap.dedent(APP))
    (folder / "waitress_app.py").write_text(textwrap.dedent(WAITRESS))
    (folder / "bridged.py").write_text(textwrap.dedent(BRIDGED))
    env = {**os.environ, "PYTHONPATH": str(folder)}
    if args.guarantees:
        probe_guarantees(folder, env)
        shutil.rmtree(folder, ignore_errors=True)
        return
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
