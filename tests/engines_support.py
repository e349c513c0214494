"""Real SPARQL engines for the remote-mode tests: `oxigraph serve` and Virtuoso Open Source.

Each engine runs as a child process of the test session, bound to 127.0.0.1 on free ports,
with its data in a temporary directory, and is killed when the fixture ends.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import requests

from sparql_support import free_port

OXIGRAPH_MISSING = "the `oxigraph` CLI (pip install oxigraph) is not installed"
VIRTUOSO_MISSING = ("Virtuoso Open Source is not installed (apt-get install virtuoso-opensource; "
                    ".ci/run installs it when run as root)")


@dataclass
class Engine:
    """A running engine: its process and the URLs a user would give esgkg."""

    process: subprocess.Popen
    query: str
    update: str
    store: str
    log: Path | None = None

    def stop(self) -> None:
        self.process.kill()
        self.process.wait(10)


def _wait_for(url: str, process: subprocess.Popen, name: str, log: Path | None = None,
              timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        if process.poll() is not None:
            detail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
            raise RuntimeError(f"{name} exited with {process.returncode}: {detail}")
        time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{name} did not start within {timeout:.0f} s")


def start_oxigraph(location: Path, union: bool = True, timeout_s: int = 5) -> Engine:
    """`oxigraph serve` on a free loopback port, data in ``location``; ``timeout_s`` is the
    engine's own query time limit."""
    port = free_port()
    # --timeout-s bounds what a query we gave up on may still cost the engine.
    # --union-default-graph matches the embedded mode's default graph; Oxigraph refuses it
    # together with USING in updates, so the update-mode engine runs without it.
    process = subprocess.Popen(
        ["oxigraph", "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}",
         "--timeout-s", str(timeout_s), *(["--union-default-graph"] if union else [])],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    _wait_for(url + "/query", process, "oxigraph serve")
    return Engine(process, url + "/query", url + "/update", url + "/store")


# What the tests change from Virtuoso's shipped virtuoso.ini, and why:
# - loopback only, free ports for SQL (isql) and HTTP, every file in one temporary folder;
# - ResultSetMaxRows: Virtuoso cuts answers at this many rows (10,000 in the shipped file)
#   with a 200, saying so only in an X-SPARQL-MaxRows header (SELECT) or not at all
#   (CONSTRUCT); esgkg's own row cap (10,000 by default) must be the lower one;
# - MaxQueryExecutionTime: the engine's own bound on a query esgkg gave up on (as
#   `oxigraph serve --timeout-s`);
# - no plugins, no VAD packages (the Conductor UI is not needed), small buffers.
VIRTUOSO_INI = """\
[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CheckpointInterval = 0
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = {d}

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {d}
ServerThreads = 10
MaxKeepAlives = 10
EnabledGzipContent = 0

[SPARQL]
ResultSetMaxRows = 20000
MaxQueryExecutionTime = {timeout_s}
MaxQueryCostEstimationTime = 0
"""


def virtuoso_available() -> bool:
    return shutil.which("virtuoso-t") is not None and shutil.which("isql-vt") is not None


def start_virtuoso(directory: Path, timeout_s: int = 5) -> Engine:
    """Virtuoso Open Source on free loopback ports with a fresh database in ``directory``.

    Its anonymous SPARQL user is granted SPARQL_UPDATE so that /sparql takes updates and
    /sparql-graph-crud takes writes, which is what a private engine behind esgkg needs.
    """
    sql_port, http_port = free_port(), free_port()
    ini = directory / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(d=directory, sql_port=sql_port, http_port=http_port,
                                       timeout_s=timeout_s))
    log = directory / "virtuoso.log"
    process = subprocess.Popen(["virtuoso-t", "+configfile", str(ini), "+foreground"], cwd=directory,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{http_port}"
    try:
        _wait_for(url + "/sparql", process, "virtuoso-t", log)
        # A fresh database's dba password is "dba"; the engine only listens on loopback.
        grant = subprocess.run(["isql-vt", f"127.0.0.1:{sql_port}", "dba", "dba",
                                'exec=GRANT SPARQL_UPDATE TO "SPARQL";'],
                               capture_output=True, text=True, timeout=30)
        if grant.returncode != 0 or "Error" in grant.stdout + grant.stderr:
            raise RuntimeError(f"isql-vt GRANT failed: {grant.stdout}{grant.stderr}")
    except BaseException:
        process.kill()
        process.wait(10)
        raise
    return Engine(process, url + "/sparql", url + "/sparql", url + "/sparql-graph-crud", log)


# -- comparing answers of different engines ----------------------------------------------------
# Only what the SPARQL 1.1 and RDF 1.1 specifications leave to the engine is normalised:
# - row order, unless the query has ORDER BY; then the sequence of sort keys must be equal
#   and only rows with equal keys may come in any order;
# - lexical forms of numbers and booleans ("1.50" and "1.5" are one xsd:decimal value;
#   Virtuoso writes xsd:boolean true as "1"), the datatype must stay the same;
# - the case of language tags (RDF 1.1 Concepts §3.3: they are compared case-insensitively;
#   Virtuoso writes them lower-case);
# - blank node labels (scoped to one result set);
# - GROUP_CONCAT: the order of the concatenated values (SPARQL 1.1 §18.5.1.7 leaves it
#   open) and the language tag of the result (its definition by CONCAT with a simple-literal
#   separator gives a simple literal; Oxigraph keeps a tag the values share);
# - SAMPLE: any value of the group is a right answer, so only whether it is bound is compared;
# - ORDER BY on language-tagged literals: SPARQL 1.1 defines `<` only for simple literals and
#   xsd:string (§15.1, §17.3), so two tagged labels may come in either order (Virtuoso does
#   not sort them by code point); the sort keys are compared up to the first tagged literal.
XSD = "http://www.w3.org/2001/XMLSchema#"
_DECIMALS = {XSD + t for t in ("integer", "decimal", "int", "long", "short", "byte", "nonNegativeInteger",
                               "positiveInteger", "negativeInteger", "nonPositiveInteger",
                               "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte")}
_FLOATS = {XSD + "double", XSD + "float"}
_AGGREGATE = re.compile(r"\b(GROUP_CONCAT|SAMPLE)\s*\(", re.IGNORECASE)
_SEPARATOR = re.compile(r";\s*separator\s*=\s*(\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*')", re.IGNORECASE)


def aggregate_columns(query: str) -> dict[str, tuple[str, str]]:
    """Variables bound to GROUP_CONCAT (with its separator) or SAMPLE: ``{name: (kind, sep)}``."""
    found: dict[str, tuple[str, str]] = {}
    for match in _AGGREGATE.finditer(query):
        depth, i = 1, match.end()
        while depth and i < len(query):
            depth += {"(": 1, ")": -1}.get(query[i], 0)
            i += 1
        alias = re.match(r"\s*AS\s+[?$](\w+)", query[i:], re.IGNORECASE)
        if not alias:
            continue
        sep = _SEPARATOR.search(query[match.end():i])
        found[alias.group(1)] = (match.group(1).upper(), json.loads('"' + sep.group(1)[1:-1] + '"') if sep else " ")
    return found


def order_variables(query: str) -> list[str]:
    """The variables of the outermost ORDER BY (the last one in the text), in order."""
    clauses = list(re.finditer(r"ORDER\s+BY(.*?)(?:LIMIT|OFFSET|\}|$)", query, re.IGNORECASE | re.DOTALL))
    return re.findall(r"[?$](\w+)", clauses[-1].group(1)) if clauses else []


def normal_term(term: object, aggregate: tuple[str, str] | None = None, empty_concat_unbound: bool = False):
    """A term as a value the comparison may see as equal across engines (see above)."""
    if term is None:
        return None
    if aggregate and aggregate[0] == "SAMPLE":
        return "(bound)"
    if isinstance(term, ox.BlankNode):
        return "_:"
    if not isinstance(term, ox.Literal):
        return str(term)
    if aggregate:
        if empty_concat_unbound and term.value == "":
            return None
        return ("concat", tuple(sorted(term.value.split(aggregate[1]))))
    datatype = term.datatype.value
    if datatype in _DECIMALS:
        return (datatype, Decimal(term.value))
    if datatype in _FLOATS:
        return (datatype, float(term.value))
    if datatype == XSD + "boolean":
        return (datatype, term.value in ("1", "true"))
    if term.language:
        return ("@", term.value, term.language.lower())
    return (term.value, datatype)


@dataclass
class Answer:
    """A SELECT answer: its variables and rows of pyoxigraph terms (None where unbound)."""

    variables: list[str]
    rows: list[tuple]

    @classmethod
    def from_json(cls, body: bytes) -> "Answer":
        parsed = ox.parse_query_results(body, ox.QueryResultsFormat.JSON)
        variables = [v.value for v in parsed.variables]
        return cls(variables, [tuple(s[v] for v in variables) for s in parsed])


def differences(query: str, expected: Answer, got: Answer, empty_concat_unbound: bool = False) -> list[str]:
    """What differs between two answers to ``query`` after the allowed normalisations."""
    if expected.variables != got.variables:
        return [f"variables {expected.variables} != {got.variables}"]
    aggregates = aggregate_columns(query)
    columns = [aggregates.get(v) for v in expected.variables]

    def normal(rows: list[tuple]) -> list[tuple]:
        return [tuple(normal_term(t, c, empty_concat_unbound) for t, c in zip(row, columns)) for row in rows]

    want, have = normal(expected.rows), normal(got.rows)
    found: list[str] = []
    missing = Counter(want) - Counter(have)
    extra = Counter(have) - Counter(want)
    if missing or extra:
        found.append(f"{len(want)} rows expected, {len(have)} got; "
                     f"expected, not got: {list(missing)[:2]}; got, not expected: {list(extra)[:2]}")
    keys = [expected.variables.index(v) for v in order_variables(query) if v in expected.variables]
    if keys and _sort_keys(want, keys) != _sort_keys(have, keys):
        found.append("the rows are not in the order of ORDER BY " + " ".join("?" + expected.variables[k] for k in keys))
    return found


def _sort_keys(rows: list[tuple], keys: list[int]) -> list[tuple]:
    """Each row's ORDER BY key, cut after its first language-tagged literal (its order is
    not defined), as normalised by normal_term."""
    cut: list[tuple] = []
    for row in rows:
        key: list[object] = []
        for k in keys:
            value = row[k]
            if isinstance(value, tuple) and value[0] == "@":
                key.append("(tagged literal)")
                break
            key.append(value)
        cut.append(tuple(key))
    return cut


def assert_limits_hold(url: str, over_cap: str, slow: str, within_s: float) -> None:
    """esgkg's limits in remote mode, whatever the engine behind it: an answer over the row cap
    is a 413, a query past the time limit a 503 within ``within_s`` seconds (esgkg gives up;
    the engine may go on), and SERVICE is refused before anything leaves (403)."""
    import requests

    assert requests.get(url + "/sparql", params={"query": over_cap}, timeout=30).status_code == 413
    start = time.perf_counter()
    r = requests.get(url + "/sparql", params={"query": slow}, timeout=30)
    assert r.status_code == 503 and time.perf_counter() - start < within_s
    service = requests.get(url + "/sparql", timeout=10,
                           params={"query": "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"})
    assert service.status_code == 403
