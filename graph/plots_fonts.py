"""The font that draws the reports' Chinese, found whatever state matplotlib's font cache is in.

matplotlib lists the system fonts once, into ``$MPLCONFIGDIR/fontlist-*.json``, and never
looks again: fonts installed after it first ran (``.ci/run`` installs ``fonts-noto-cjk`` on a
fresh machine) are invisible to it, and every Chinese label would silently become English.
So when the cache knows no CJK family, :func:`cjk_font` adds the font files the system has
and the cache lacks (matplotlib's own :func:`~matplotlib.font_manager.findSystemFonts`,
which asks fontconfig where there is one) with the public
:meth:`~matplotlib.font_manager.FontManager.addfont`, and looks again; then it asks
fontconfig which installed families cover Traditional Chinese, for families not in
:data:`CJK_FAMILIES`. ``bench/font_cache.py``: a full rescan takes 3.5× as long and rewrites
the user's cache through a private function (docs/decisions.md §18).
"""
from __future__ import annotations

import shutil
import subprocess
import threading
from functools import lru_cache

from matplotlib import font_manager

CJK_FAMILIES = ("Noto Sans CJK TC", "Noto Sans CJK HK", "Noto Sans CJK SC", "Noto Sans CJK JP",
                "Source Han Sans TC", "Source Han Sans", "Noto Sans TC", "WenQuanYi Zen Hei",
                "AR PL UMing TW", "PingFang TC", "Microsoft JhengHei")
NO_CJK_NOTE = "Chinese labels omitted: no CJK font installed (Debian package fonts-noto-cjk)."
FONTCONFIG_LANGUAGE = "zh-tw"  # the reports print Traditional Chinese

_lock = threading.Lock()  # two first requests of a threaded server must not add the fonts twice


def _known_family(families: list[str]) -> str | None:
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((family for family in families if family in installed), None)


def add_uncached_system_fonts() -> list[str]:
    """Add to matplotlib's font list the system font files its cache does not know; returns them.
    A file matplotlib cannot read is skipped (it cannot draw with it either)."""
    cached = {f.fname for f in font_manager.fontManager.ttflist}
    added = []
    for path in sorted(set(font_manager.findSystemFonts()) - cached):
        try:
            font_manager.fontManager.addfont(path)
        except (OSError, RuntimeError, ValueError):
            continue
        added.append(path)
    return added


def fontconfig_families(language: str = FONTCONFIG_LANGUAGE) -> list[str]:
    """Families fontconfig says cover ``language`` (every name each is known by), or [] where
    there is no fontconfig."""
    fc_list = shutil.which("fc-list")
    if not fc_list:
        return []
    try:
        out = subprocess.run([fc_list, f":lang={language}", "family"], capture_output=True, text=True,
                             timeout=10, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted({name.strip() for line in out.splitlines() for name in line.split(",") if name.strip()})


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The family name of an installed font with Traditional Chinese glyphs, or None."""
    with _lock:
        found = _known_family(list(CJK_FAMILIES))
        if found is None and add_uncached_system_fonts():
            found = _known_family(list(CJK_FAMILIES))
        return found or _known_family(fontconfig_families())


def both_names(printed: str, english: str) -> str:
    """The report's own wording and the English label, once when they are the same (an
    English report) and English alone when the printed script cannot be drawn."""
    if not printed or printed == english:
        return english
    if not printed.isascii() and not cjk_font():
        return english or printed
    return f"{printed} {english}".strip()
