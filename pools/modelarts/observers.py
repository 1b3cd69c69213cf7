"""Who hears of every finished call: the transport reports each call's outcome to the observers added here.

The client imports nothing of Django or of a metrics library. Whoever wants to count the calls (the
dashboard's Prometheus metrics, ``pools/core/telemetry.py``, added when the Django app starts) adds a
function with ``add_observer``. An observer must be quick and must not raise: one that raises is logged and
skipped, and the call goes on as if it were not there.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

logger = logging.getLogger("pools.modelarts")

OUTCOME_OK = "ok"


@dataclass(frozen=True)
class FinishedCall:
    """One call as the transport ends it: answered below 400, or failed with a typed error.

    ``outcome`` is ``"ok"`` or the error's ``kind`` (``"throttled"``, ``"server"``, ``"timeout"``,
    ``"transport"``, ``"outcome_unknown"``, ``"not_found"``…); ``status`` the last HTTP status, None when no
    answer came; ``seconds`` the whole call, retries and waits included; ``attempts`` how many were sent.
    """

    operation: str
    method: str
    outcome: str
    status: int | None
    seconds: float
    attempts: int


Observer = Callable[[FinishedCall], None]

_observers: tuple[Observer, ...] = ()
_observers_lock = threading.Lock()


def add_observer(observer: Observer) -> None:
    """Tell ``observer`` of every call that finishes from now on (once, however often it is added)."""
    global _observers
    with _observers_lock:
        if observer not in _observers:
            _observers = (*_observers, observer)


def remove_observer(observer: Observer) -> None:
    global _observers
    with _observers_lock:
        _observers = tuple(known for known in _observers if known != observer)


def notify(call: FinishedCall) -> None:
    """Hand ``call`` to every observer; a failing observer never reaches the caller."""
    for observer in _observers:
        try:
            observer(call)
        except Exception:
            logger.exception("An observer of ModelArts calls failed on %s", call.operation)
