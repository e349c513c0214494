"""What a cheap request costs while the endpoint is under attack, measured from outside.

Starts ``esgkg serve`` (or takes ``--url`` of a running server) on loopback and runs each
scenario for ``--seconds``: a probe sends a cheap ``ASK`` and fetches ``/static/esgkg.css``
every 50 ms and records latency and status, while attackers run beside it:

* ``baseline``      nothing else;
* ``slow-queries``  12 clients, each re-sending a query that runs until the time limit;
* ``crash-loop``    4 clients re-sending a query that aborts the engine (the ORDER BY bug);
* ``deep-queries``  4 clients re-sending 10,000-branch UNIONs (refused with 400);
* ``slowloris``     1,000 connections that send a header byte every 2 s and never finish;
* ``memory``        2 clients re-sending a 700-byte query that builds gigabytes of strings.

Every attack loop is bounded in time and stops by itself; traffic goes to 127.0.0.1 only.
Prints one table (p50 / p95 / max latency of the probe in ms, and its non-200 answers).

Run: python bench/attack.py [--store DIR] [--seconds 20] [--scenario NAME ...]
"""
from __future__ import annotations

import argparse
import socket
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from servers import start_esgkg  # noqa: E402

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
CRASH = "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?o LIMIT 3"
DEEP = "SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * 10_000) + " }"
MEMORY = ("SELECT (STRLEN(?a27) AS ?n) WHERE { BIND(\"0123456789abcdef\" AS ?a0) "
          + " ".join(f"BIND(CONCAT(?a{i}, ?a{i}) AS ?a{i + 1})" for i in range(27)) + " }")
CHEAP = "ASK { ?s ?p ?o }"


@dataclass
class Probe:
    """Cheap requests at a steady pace; what a legitimate user sees."""

    origin: str
    latencies: list[float] = field(default_factory=list)
    failures: dict[str, int] = field(default_factory=dict)

    def run(self, until: float) -> None:
        session = requests.Session()
        while time.monotonic() < until:
            for method, path, data in (("POST", "/sparql", {"query": CHEAP}), ("GET", "/static/esgkg.css", None)):
                started = time.monotonic()
                try:
                    r = session.request(method, self.origin + path, data=data, timeout=15)
                    status = str(r.status_code)
                except requests.RequestException as exc:
                    status = type(exc).__name__
                self.latencies.append((time.monotonic() - started) * 1000)
                if status != "200":
                    self.failures[status] = self.failures.get(status, 0) + 1
            time.sleep(0.05)


def query_loop(origin: str, text: str, until: float) -> None:
    session = requests.Session()
    while time.monotonic() < until:
        try:
            session.post(origin + "/sparql", data={"query": text}, timeout=30)
        except requests.RequestException:
            time.sleep(0.05)


def slowloris(origin: str, until: float, connections: int = 1000) -> None:
    host, port = origin.split("//", 1)[1].split(":")
    socks: list[socket.socket] = []
    for _ in range(connections):
        if time.monotonic() >= until:
            break
        try:
            s = socket.create_connection((host, int(port)), timeout=2)
            s.sendall(b"GET /sparql HTTP/1.1\r\nHost: x\r\n")
            socks.append(s)
        except OSError:
            time.sleep(0.01)
    while time.monotonic() < until:
        for s in list(socks):
            try:
                s.sendall(b"X: y\r\n")
            except OSError:
                socks.remove(s)
        time.sleep(2)
    for s in socks:
        s.close()


def scenario_threads(name: str, origin: str, until: float) -> list[threading.Thread]:
    plan = {
        "baseline": [],
        "slow-queries": [(query_loop, (origin, SLOW, until))] * 12,
        "crash-loop": [(query_loop, (origin, CRASH, until))] * 4,
        "deep-queries": [(query_loop, (origin, DEEP, until))] * 4,
        "slowloris": [(slowloris, (origin, until))],
        "memory": [(query_loop, (origin, MEMORY, until))] * 2,
    }[name]
    return [threading.Thread(target=f, args=a, daemon=True) for f, a in plan]


def run(origin: str, name: str, seconds: float) -> Probe:
    until = time.monotonic() + seconds
    attackers = scenario_threads(name, origin, until)
    for t in attackers:
        t.start()
    time.sleep(min(1.0, seconds / 4))  # let the attack take hold before measuring
    probe = Probe(origin)
    probe.run(until)
    for t in attackers:
        t.join(40)
    return probe


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) >= 2 else (values or [0])[0]


SCENARIOS = ("baseline", "slow-queries", "crash-loop", "deep-queries", "slowloris", "memory")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="origin of a running esgkg (default: start one)")
    parser.add_argument("--store", default=".esgkg/store", help="store to serve when starting one")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--scenario", action="append", choices=SCENARIOS)
    args = parser.parse_args()
    server = None
    origin = args.url
    if origin is None:
        server = start_esgkg(Path(args.store), Path(tempfile.mkdtemp(prefix="esgkg-attack-")))
        origin = server.origin
    try:
        print("| scenario | probe requests | p50 ms | p95 ms | max ms | not 200 |")
        print("| --- | ---: | ---: | ---: | ---: | --- |")
        for name in args.scenario or SCENARIOS:
            probe = run(origin, name, args.seconds)
            lat = probe.latencies
            failures = ", ".join(f"{k}×{v}" for k, v in sorted(probe.failures.items())) or "none"
            print(f"| {name} | {len(lat)} | {percentile(lat, 50):.1f} | {percentile(lat, 95):.1f} | "
                  f"{max(lat, default=0):.1f} | {failures} |", flush=True)
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
