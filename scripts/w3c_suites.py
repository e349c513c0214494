"""The W3C SPARQL 1.1 query, update and Graph Store Protocol suites, esgkg beside oxigraph serve.

Both servers start empty on loopback, in update mode, with the standard dataset (the
default graph is the stored default graph: ``union_default_graph`` off for esgkg, no
``--union-default-graph`` for oxigraph), because the suites load each test's default graph
and named graphs separately. Every test (tests/w3c_support.py) runs against both; the
counts per suite are printed, then every test esgkg fails that oxigraph passes, which must
be none. The test suite runs a representative part of this (tests/test_clients_w3c_suites.py).

Run: python scripts/w3c_suites.py [suite ...] [--json out.json]     (about 5-10 minutes)
"""
from __future__ import annotations

import argparse
import collections
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

TESTS = Path(__file__).resolve().parent.parent / "tests"
sys.path.insert(0, str(TESTS))

from sparql_support import free_port, make_config, make_store, running_server  # noqa: E402
from w3c_support import GSP_SUITE, QUERY_SUITES, UPDATE_SUITES, Endpoint, Unsupported, cases  # noqa: E402

TOKEN = "w3c-suites-token"


def start_oxigraph(folder: Path) -> tuple[subprocess.Popen, Endpoint]:
    """``oxigraph serve`` on an empty store in ``folder``; its endpoint once it answers."""
    exe = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    port = free_port()
    process = subprocess.Popen([exe, "serve", "--location", str(folder), "--bind", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(url + "/query", params={"query": "ASK {}"}, timeout=2)
            break
        except requests.ConnectionError:
            time.sleep(0.1)
    return process, Endpoint("oxigraph", url + "/query", url + "/update", url + "/store")


def esgkg_endpoint(url: str) -> Endpoint:
    return Endpoint("esgkg", url + "/sparql", url + "/update", url + "/store",
                    {"Authorization": f"Bearer {TOKEN}"})


def outcome(case, endpoint: Endpoint) -> str:
    """``pass``, ``fail: why`` or ``unsupported: why``."""
    try:
        case.run(endpoint)
        return "pass"
    except Unsupported as exc:
        return f"unsupported: {exc}"
    except AssertionError as exc:
        return f"fail: {str(exc).splitlines()[0][:200] if str(exc) else 'results differ'}"
    except Exception as exc:  # a runner or transport error counts as a failure, with its name
        return f"fail: {type(exc).__name__}: {str(exc)[:200]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("suites", nargs="*", help="suite folders (default: all copied)")
    parser.add_argument("--json", type=Path, help="write every outcome here")
    args = parser.parse_args()
    suites = tuple(args.suites) or QUERY_SUITES + UPDATE_SUITES + (GSP_SUITE,)
    all_cases = cases(suites)
    results: dict[str, dict[str, str]] = collections.defaultdict(dict)
    with tempfile.TemporaryDirectory() as tmp:
        root = make_store(Path(tmp) / "esgkg")
        config = make_config(root, allow_update=True, update_token=TOKEN, union_default_graph=False, workers=2)
        process, oxigraph = start_oxigraph(Path(tmp) / "oxigraph")
        try:
            with running_server(config) as url:
                esgkg = esgkg_endpoint(url)
                for case in all_cases:
                    for endpoint in (esgkg, oxigraph):
                        results[case.id][endpoint.name] = outcome(case, endpoint)
        finally:
            process.terminate()
            process.wait(10)
    report(all_cases, results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, sort_keys=True), encoding="utf-8")


def report(all_cases, results: dict[str, dict[str, str]]) -> None:
    by_suite: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for case in all_cases:
        for name, result in results[case.id].items():
            by_suite[case.suite][f"{name} {result.split(':')[0]}"] += 1
    print(f"{'suite':22} {'tests':>5}  {'esgkg pass/fail/unsup':>22}  {'oxigraph pass/fail/unsup':>25}")
    totals: collections.Counter = collections.Counter()
    for suite, counts in by_suite.items():
        totals.update(counts)
        n = sum(1 for c in all_cases if c.suite == suite)
        cells = ["/".join(str(counts[f"{s} {k}"]) for k in ("pass", "fail", "unsupported")) for s in ("esgkg", "oxigraph")]
        print(f"{suite:22} {n:5}  {cells[0]:>22}  {cells[1]:>25}")
    cells = ["/".join(str(totals[f"{s} {k}"]) for k in ("pass", "fail", "unsupported")) for s in ("esgkg", "oxigraph")]
    print(f"{'total':22} {len(all_cases):5}  {cells[0]:>22}  {cells[1]:>25}")
    worse = [(c.id, results[c.id]["esgkg"]) for c in all_cases
             if results[c.id]["oxigraph"] == "pass" and results[c.id]["esgkg"] != "pass"]
    print(f"\nesgkg fails, oxigraph passes: {len(worse)}")
    for test_id, why in worse:
        print(f"  {test_id}: {why}")
    better = [c.id for c in all_cases if results[c.id]["esgkg"] == "pass" and results[c.id]["oxigraph"] != "pass"]
    print(f"esgkg passes, oxigraph fails: {len(better)}")
    for test_id in better:
        print(f"  {test_id}: {results[test_id]['oxigraph']}")


if __name__ == "__main__":
    main()
