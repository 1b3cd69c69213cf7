"""Ctrl-C for the long-running commands, whatever the process inherited."""

from __future__ import annotations

import signal
import threading


def stop_on_ctrl_c() -> None:
    """Make SIGINT raise ``KeyboardInterrupt`` in this process.

    A process started in the background by a shell without job control (``cmd &`` in a script, a CI runner)
    inherits SIGINT ignored, and Python then leaves it ignored: "stop with Ctrl-C" would do nothing.
    """
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.default_int_handler)
