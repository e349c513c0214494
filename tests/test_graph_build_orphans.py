"""A build worker whose build is gone ends, even when the build died before the worker started.

Seen on this machine: builds killed by tests/test_reliability_kill.py left their worker
processes behind (parent pid 1, asleep on the pool's queue, ~200 MB each), because the kernel's
parent-death signal only covers deaths after the worker asks for it.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import psutil
import pytest

# The parent starts a spawned child that waits before it sets itself up, as a pool worker does
# while it imports; the test kills the parent in that window.
PARENT = textwrap.dedent("""
    import multiprocessing, sys, time
    from esgkg.graph.build_worker import die_with_parent

    def child():
        time.sleep(2.0)          # the parent is killed meanwhile
        die_with_parent()
        time.sleep(60)           # what a worker stuck on its queue would do

    if __name__ == "__main__":
        p = multiprocessing.get_context("spawn").Process(target=child)
        p.start()
        print(p.pid, flush=True)
        time.sleep(60)
""")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_a_worker_whose_build_died_before_it_started_ends(tmp_path) -> None:
    script = tmp_path / "parent.py"
    script.write_text(PARENT, encoding="utf-8")
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        child = psutil.Process(int(parent.stdout.readline()))
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(10)
        deadline = time.monotonic() + 20
        while child.is_running() and child.status() != psutil.STATUS_ZOMBIE and time.monotonic() < deadline:
            time.sleep(0.2)
        alive = child.is_running() and child.status() != psutil.STATUS_ZOMBIE
        if alive:
            child.kill()
        assert not alive, "the worker outlived its build"
    finally:
        parent.stdout.close()
        if parent.poll() is None:
            parent.kill()
            parent.wait(10)
