"""Noticing that the process which started this one has gone away."""
from __future__ import annotations

import os
import threading
import time
from typing import Callable


def when_parent_goes(then: Callable[[], None], interval: float = 0.5, name: str = "esgkg-parent-watch") -> None:
    """Call ``then`` (in a daemon thread) soon after this process's parent ends, even mid-work.

    A busy process does not read its pipes or sockets, so it would not notice; and the kernel's
    PR_SET_PDEATHSIG fires when the *thread* that started the process ends, which for a
    replacement query worker is a short-lived thread. So a daemon thread watches the parent id.
    """
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval)
        then()

    threading.Thread(target=watch, name=name, daemon=True).start()
