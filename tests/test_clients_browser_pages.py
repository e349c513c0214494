"""Resource pages in a real headless browser: a topic page and a metric page render readably.

The screenshots are kept under the pytest temp folder (path printed) for a person to look
at; the test checks what a program can: the browser exits cleanly, the image is a
1280-pixel-wide PNG with real content, and the page needs no JavaScript.
"""
from __future__ import annotations

import shutil
import struct
import subprocess
from pathlib import Path

import pytest
import requests

from esgkg.graph.store import StoreRoot
from esgkg.service.config import Config

from sparql_support import running_server

PAGES = {"topic": "/id/oneconnect-2024/topic/supply-chain-management",
         "metric": "/id/oneconnect-2024/metric/hazardous-waste"}


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", head[16:24])


def _cjk_font() -> bool:
    if not shutil.which("fc-list"):
        return False
    return bool(subprocess.run(["fc-list", ":lang=zh-tw"], capture_output=True, text=True).stdout.strip())


@pytest.mark.slow
def test_topic_and_metric_pages_screenshot(bundled_store: StoreRoot, tmp_path: Path) -> None:
    chromium = _chromium()
    if chromium is None:
        pytest.skip("headless chromium not installed (Debian package `chromium`)")
    if not _cjk_font():
        pytest.skip("no Traditional Chinese font (Debian package `fonts-noto-cjk`): zh-Hant labels would be boxes")
    with running_server(Config(store=str(bundled_store.root), workers=2)) as url:
        for name, path in PAGES.items():
            html = requests.get(url + path, headers={"Accept": "text/html"}, timeout=10)
            assert html.status_code == 200 and "<script" not in html.text
            shot = tmp_path / f"{name}.png"
            run = subprocess.run(
                [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={tmp_path / ('profile-' + name)}", f"--screenshot={shot}",
                 "--window-size=1280,1800", url + path],
                capture_output=True, text=True, timeout=90)
            assert run.returncode == 0 and shot.is_file(), run.stderr[-2000:]
            assert _png_size(shot) == (1280, 1800)
            # A blank or error page compresses to almost nothing; a page of text and a chart does not.
            assert shot.stat().st_size > 60_000, f"{shot} looks empty ({shot.stat().st_size} bytes)"
            print(f"screenshot of {path}: {shot}")
