"""Where the sandbox's notion of "now" comes from.

Pool and node states are evaluated lazily from timestamps against this clock, so no background thread is
needed: a test injects a :class:`ManualClock` and moves it with ``advance()`` instead of sleeping, and the
demo runs on a :class:`SystemClock` that can still be fast-forwarded.

Signature freshness (``X-Sdk-Date``) is deliberately *not* checked against this clock but against the wall
clock, because the signer on the other side always uses real time.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the epoch (UTC)."""

    def advance(self, seconds: float) -> None:
        """Move time forward."""


class SystemClock:
    """Wall-clock time plus an offset that ``advance()`` grows (the demo's fast-forward)."""

    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("time only moves forward")
        with self._lock:
            self._offset += seconds


class ManualClock:
    """Time that stands still until ``advance()`` or ``set()`` moves it; starts at the current wall time."""

    def __init__(self, start: float | None = None) -> None:
        self._now = time.time() if start is None else float(start)
        self._lock = threading.Lock()

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("time only moves forward")
        with self._lock:
            self._now += seconds

    def set(self, moment: float) -> None:
        with self._lock:
            self._now = float(moment)


def rfc3339(moment: float) -> str:
    """``2025-01-01T08:00:05Z``: the form of every ``creationTimestamp``."""
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def go_time(moment: float) -> str:
    """Go's default ``time.Time`` text, e.g. ``2025-01-01 09:00:00.123456789 +0000 UTC`` (statistics)."""
    whole = int(moment)
    nanoseconds = int(round((moment - whole) * 1_000_000)) * 1000
    stamp = datetime.fromtimestamp(whole, UTC).strftime("%Y-%m-%d %H:%M:%S")
    return f"{stamp}.{nanoseconds:09d} +0000 UTC"
