"""Drive a SPARQL endpoint with wrk, rotating through a query mix; parse wrk's numbers.

wrk is a C load generator: it keeps ``connections`` keep-alive connections busy for a
fixed duration, so the client is never the bottleneck the way a Python client would be on
a 2-core machine. A generated Lua script holds the pre-formatted GET requests (query in the
URL, the per-query ``Accept``) and hands them out round-robin per connection; its ``done``
hook prints the summary and latency percentiles as JSON.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from queries import BenchQuery

_LUA = r"""
local specs = {
%(requests)s
}
local reqs = {}
local heads = {}
local counter = 0
local distinct = %(distinct)s
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
function init(args)
  -- Format here, not at load time: wrk.headers (with Host) is only complete in init, and
  -- a header table passed to wrk.format replaces wrk.headers instead of adding to it.
  for i, spec in ipairs(specs) do
    local headers = {}
    for k, v in pairs(wrk.headers) do headers[k] = v end
    headers["Accept"] = spec[2]
    heads[i] = headers
    reqs[i] = wrk.format("GET", spec[1], headers)
  end
  -- Start each thread at a different place so connections do not move in lock-step.
  counter = math.random(0, #reqs - 1)
end
function request()
  counter = counter + 1
  local i = (counter %% #reqs) + 1
  if distinct then
    -- A comment line first makes every request a query text never seen before (cold):
    -- no cache on either side can answer it, yet the engine runs the same query.
    return wrk.format("GET", specs[i][3] .. "%%23r" .. tid .. "x" .. counter .. "%%0A" .. specs[i][4], heads[i])
  end
  return reqs[i]
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %%d, "duration_us": %%d, "bytes": %%d, "p50_us": %%d, "p95_us": %%d, ' ..
    '"p99_us": %%d, "max_us": %%d, "err_connect": %%d, "err_read": %%d, "err_write": %%d, ' ..
    '"err_status": %%d, "err_timeout": %%d}\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50),
    latency:percentile(95), latency:percentile(99), latency.max, e.connect, e.read, e.write,
    e.status, e.timeout))
end
"""


def _lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_script(mix: list[BenchQuery], path: str, out: Path, distinct: bool = False) -> Path:
    """A Lua script whose requests are GET ``path?query=...`` for every query of the mix.

    ``distinct``: every request gets a text of its own (a numbered comment line before the
    query), so caches keyed on the text never answer: the cold case.
    """
    lines = []
    for q in mix:
        encoded = quote(q.text, safe='')
        target = f"{path}?query={encoded}"
        lines.append(f"  {{{_lua_string(target)}, {_lua_string(q.accept)}, "
                     f"{_lua_string(path + '?query=')}, {_lua_string(encoded)}}},")
    out.write_text(_LUA % {"requests": "\n".join(lines), "distinct": "true" if distinct else "false"},
                   encoding="utf-8")
    return out


@dataclass
class LoadResult:
    """One wrk run: throughput, latency percentiles (ms) and error counts."""

    clients: int
    requests: int
    seconds: float
    throughput: float  # requests per second
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    errors: int  # non-2xx/3xx plus socket errors and timeouts

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def run_wrk(origin: str, script: Path, clients: int, seconds: float, timeout_s: int = 30) -> LoadResult:
    """Run wrk with ``clients`` connections for ``seconds`` against ``origin``."""
    exe = shutil.which("wrk")
    if exe is None:
        raise RuntimeError("wrk is not installed (apt-get install -y wrk)")
    threads = min(clients, 2)  # two cores: more wrk threads would only steal server CPU
    cmd = [exe, "-t", str(threads), "-c", str(clients), "-d", f"{seconds:g}s",
           "--timeout", f"{timeout_s}s", "-s", str(script), origin]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + timeout_s + 60)
    line = next((l for l in out.stdout.splitlines() if l.startswith("WRKJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary:\n{out.stdout}\n{out.stderr}")
    data = json.loads(line[len("WRKJSON "):])
    secs = data["duration_us"] / 1e6
    errors = sum(data[k] for k in ("err_connect", "err_read", "err_write", "err_status", "err_timeout"))
    return LoadResult(
        clients=clients, requests=data["requests"], seconds=round(secs, 2),
        throughput=round(data["requests"] / secs, 1) if secs else 0.0,
        p50_ms=data["p50_us"] / 1000, p95_ms=data["p95_us"] / 1000, p99_ms=data["p99_us"] / 1000,
        max_ms=data["max_us"] / 1000, errors=errors,
    )
