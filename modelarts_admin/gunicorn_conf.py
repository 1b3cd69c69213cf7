"""gunicorn's settings for serving with several workers: one /metrics for all of them.

Each gunicorn worker is a process of its own, with its own counters. With ``PROMETHEUS_MULTIPROC_DIR`` set
(an empty folder only the dashboard's user can write, e.g. on a tmpfs), prometheus_client's multiprocess
mode keeps every worker's counters in files there, and /metrics, whichever worker answers it, sums them
(``pools/observability/exposition.py``). This file empties the folder when gunicorn starts (files of an
earlier run would be added in) and tells prometheus_client when a worker exits.

    PROMETHEUS_MULTIPROC_DIR=/run/modelarts-admin/metrics \\
      .venv/bin/gunicorn -c modelarts_admin/gunicorn_conf.py modelarts_admin.wsgi --bind 127.0.0.1:8000 --workers 4

Without the variable it changes nothing: each worker serves its own counters (fine with one worker).
"""

from __future__ import annotations

import os
from pathlib import Path

MULTIPROCESS_DIRECTORY_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def _directory() -> Path | None:
    value = os.environ.get(MULTIPROCESS_DIRECTORY_VARIABLE)
    return Path(value) if value else None


def on_starting(server) -> None:
    """Start from an empty, owner-only folder of metric files."""
    directory = _directory()
    if directory is None:
        return
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink()


def child_exit(server, worker) -> None:
    """A worker that exited leaves its counters for the sum; its live-only gauges go."""
    if _directory() is None:
        return
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
