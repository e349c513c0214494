"""Chinese labels survive matplotlib's font cache: a fresh one, and one written before the CJK
fonts were installed (a new machine where ``.ci/run`` installs fonts-noto-cjk after matplotlib
first ran). Each case runs ``esgkg plot`` in its own process with its own MPLCONFIGDIR, as a
user's shell would, and reads the SVG: the report's Chinese labels are drawn, with glyphs of
the CJK font, and nothing says a glyph is missing."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from matplotlib import font_manager
from matplotlib.ft2font import FT2Font

from esgkg.graph import plots
from esgkg.graph.store import StoreRoot

REPORT = "example-2023"
FONT = plots.cjk_font()
pytestmark = pytest.mark.skipif(FONT is None, reason=f"no CJK font installed at all: {plots.NO_CJK_NOTE}")


def _env(config: Path) -> dict[str, str]:
    return {**os.environ, "MPLCONFIGDIR": str(config), "PYTHONWARNINGS": "error::UserWarning"}


def _python(config: Path, code: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code, *args], env=_env(config), capture_output=True,
                          text=True, timeout=120, check=False)


def _known_cjk_families(config: Path) -> list[str]:
    """The CJK families a plain matplotlib (no esgkg) sees with the font cache in ``config``."""
    code = ("import json, sys; from matplotlib import font_manager as fm; "
            "print(json.dumps(sorted({f.name for f in fm.fontManager.ttflist} & set(sys.argv[1:]))))")
    done = _python(config, code, *plots.CJK_FAMILIES)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _draws_chinese(path: str) -> bool:
    try:
        return FT2Font(path).get_char_index(ord("議")) != 0
    except (OSError, RuntimeError):
        return False


def _stale_cache(config: Path) -> None:
    """A font cache as matplotlib writes it on a machine without the CJK fonts."""
    assert _known_cjk_families(config)  # writes a fresh cache
    (cache,) = config.glob("fontlist-*.json")
    fonts = json.loads(cache.read_text(encoding="utf-8"))
    cjk_files = {f["fname"] for f in fonts["ttflist"] if _draws_chinese(f["fname"])}
    fonts["ttflist"] = [f for f in fonts["ttflist"] if f["fname"] not in cjk_files]
    cache.write_text(json.dumps(fonts), encoding="utf-8")
    assert _known_cjk_families(config) == []  # matplotlib alone trusts the stale cache


def _chinese_labels(reports: Path) -> list[str]:
    topics = yaml.safe_load((reports / REPORT / "topics.yaml").read_text(encoding="utf-8"))["topics"]
    labels = [t["label"]["zh"] for t in topics if "zh" in t["label"]]
    assert labels, "the fixture report has Chinese topic labels"
    return labels


def _glyph_prefixes() -> set[str]:
    """SVG glyph ids are the font's PostScript name, a dash and the glyph index; any face of
    the family counts (which weight's file matplotlib lists first depends on the machine)."""
    return {FT2Font(f.fname, face_index=getattr(f, "index", 0)).postscript_name + "-"
            for f in font_manager.fontManager.ttflist if f.name == FONT}


@pytest.mark.parametrize("cache", ["fresh", "stale"])
def test_chinese_labels_are_drawn_whatever_the_font_cache(cache: str, example_store: StoreRoot, fixture_reports: Path,
                                                          tmp_path: Path) -> None:
    config = tmp_path / "mplconfig"
    config.mkdir()
    if cache == "stale":
        _stale_cache(config)
    out = tmp_path / "materiality.svg"
    done = _python(config, "import sys; from esgkg.service.cli import main; main(sys.argv[1:])",
                   "plot", "materiality", "--report", REPORT, "--store", str(example_store.root), "-o", str(out))
    assert done.returncode == 0, done.stdout + done.stderr
    assert plots.NO_CJK_NOTE not in done.stdout
    assert "missing from" not in done.stderr  # matplotlib's "Glyph … missing from font(s)"
    svg = out.read_text(encoding="utf-8")
    assert plots.NO_CJK_NOTE not in svg
    for label in _chinese_labels(fixture_reports):
        assert label in svg, f"{label!r} was left out of the picture"
    assert any(f'id="{prefix}' in svg for prefix in _glyph_prefixes()), "no glyph of the CJK font in the picture"



def test_fontconfig_and_matplotlib_name_the_font_alike() -> None:
    """The last resort for a family outside CJK_FAMILIES is fontconfig's list of fonts covering
    Traditional Chinese, matched by name against matplotlib's: the names must agree."""
    import shutil

    from esgkg.graph import plots_fonts

    if not shutil.which("fc-list"):
        pytest.skip("no fontconfig (fc-list) on this machine: the fallback is not used here")
    assert FONT in plots_fonts.fontconfig_families()
