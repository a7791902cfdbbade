"""Ctrl-C held off where an interruption would do harm, from the main thread, which alone can."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator


@contextlib.contextmanager
def ctrl_c_ignored() -> Iterator[None]:
    """Ignore SIGINT meanwhile: a Ctrl-C that comes is lost, and processes started meanwhile ignore it
    for good (a disposition to ignore a signal survives ``exec``, and Python then leaves it so).

    Python runs its signal handlers in the main thread only, so elsewhere this changes nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, held)
