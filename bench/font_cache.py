"""What finding the CJK font costs when matplotlib's font cache predates the CJK fonts.

Writes a stale font cache (a fresh one with every font file that has Chinese glyphs taken out,
as on a machine where fonts-noto-cjk came after matplotlib first ran) into a temporary
MPLCONFIGDIR, then times, each in a fresh process on a copy of that cache, side by side:

* ``esgkg``    ``esgkg.graph.plots_fonts.cjk_font()`` (adds the files the cache lacks);
* ``rebuild``  matplotlib's own full rescan (``font_manager._load_fontmanager(try_read_cache=False)``);
* ``fc-list``  ``fc-list :lang=zh-tw family`` alone (what fontconfig would say).

Each figure is the median over ``--runs`` of the step alone (imports excluded). Prints one
table with the ratio to ``esgkg``, and the family each found.

Run: python bench/font_cache.py [--runs 5]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

STEPS = {
    "esgkg": "from esgkg.graph import plots_fonts as f\nt = time.perf_counter(); found = f.cjk_font()",
    "rebuild": ("from matplotlib import font_manager as fm\nt = time.perf_counter()\n"
                "fm.fontManager = fm._load_fontmanager(try_read_cache=False)\n"
                "from esgkg.graph.plots_fonts import CJK_FAMILIES\n"
                "found = next((n for n in CJK_FAMILIES if n in {x.name for x in fm.fontManager.ttflist}), None)"),
    "fc-list": ("import subprocess\nt = time.perf_counter()\n"
                "out = subprocess.run(['fc-list', ':lang=zh-tw', 'family'], capture_output=True, text=True).stdout\n"
                "found = out.splitlines()[0].split(',')[0] if out else None"),
}
HARNESS = "import json, time\n{step}\nprint(json.dumps([time.perf_counter() - t, found]))"
STALE = """import json, sys
from matplotlib import font_manager as fm
from matplotlib.ft2font import FT2Font
def chinese(path):
    try:
        return FT2Font(path).get_char_index(ord("議")) != 0
    except (OSError, RuntimeError):
        return False
cache = sorted(__import__("pathlib").Path(sys.argv[1]).glob("fontlist-*.json"))[0]
fonts = json.loads(cache.read_text())
bad = {f["fname"] for f in fonts["ttflist"] if chinese(f["fname"])}
fonts["ttflist"] = [f for f in fonts["ttflist"] if f["fname"] not in bad]
cache.write_text(json.dumps(fonts))
print(len(bad))
"""


def run(step: str, stale: Path) -> tuple[float, str | None]:
    with tempfile.TemporaryDirectory() as config:
        for f in stale.iterdir():
            shutil.copy(f, config)
        env = {**os.environ, "MPLCONFIGDIR": config}
        done = subprocess.run([sys.executable, "-c", HARNESS.format(step=STEPS[step])], env=env,
                              capture_output=True, text=True, check=True)
        seconds, found = json.loads(done.stdout.splitlines()[-1])
        return seconds, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as stale_dir:
        stale = Path(stale_dir)
        env = {**os.environ, "MPLCONFIGDIR": str(stale)}
        removed = subprocess.run([sys.executable, "-c", STALE, str(stale)], env=env, capture_output=True,
                                 text=True, check=True).stdout.strip()
        print(f"stale cache: {removed} font files with Chinese glyphs left out; {args.runs} runs each")
        results = {name: [] for name in STEPS}
        found: dict[str, str | None] = {}
        for _ in range(args.runs):  # interleaved, so machine load hits every step alike
            for name in STEPS:
                if name == "fc-list" and not shutil.which("fc-list"):
                    continue
                seconds, found[name] = run(name, stale)
                results[name].append(seconds)
        base = statistics.median(results["esgkg"])
        print(f"{'step':<9} {'median ms':>10} {'x esgkg':>8}  found")
        for name, times in results.items():
            if times:
                median = statistics.median(times)
                print(f"{name:<9} {median * 1000:>10.1f} {median / base:>8.2f}  {found.get(name)}")


if __name__ == "__main__":
    main()
