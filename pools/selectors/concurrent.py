"""Upstream reads of one page made at the same time, so the page waits for the slowest, not for their sum.

A card that shows usage and statistics, or a pool tab that shows the pool and its nodes, needs two answers
from ModelArts; one after the other they cost twice the API's latency.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from django.db import connections

HELPER_THREADS = 32
# How long the calling thread leaves the CPU to the helpers, at most, before doing its own part.
HEAD_START_SECONDS = 0.05


def _new_helpers() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=HELPER_THREADS, thread_name_prefix="upstream-read")


# Long-lived threads keep their own cache (Redis) connections from one page to the next. Reads never wait
# for other reads of this pool, so a busy pool only queues them; it cannot deadlock.
_helpers = _new_helpers()


def _after_fork_in_child() -> None:
    # A forked process (a server worker forked after this module was imported) has none of the parent's
    # threads, but would believe the idle ones are still there and queue work for them forever.
    global _helpers
    _helpers = _new_helpers()


os.register_at_fork(after_in_child=_after_fork_in_child)


def concurrently(*reads: Callable[[], Any]) -> list[Any]:
    """Run ``reads`` at the same time and return their results in order; an exception is re-raised here.

    The first runs on the calling thread and may use the database. The others run on helper threads and
    must not (Django's connections are per thread, and a request's queries belong to its own thread): pass
    selector reads such as ``pool_get``, which touch only the cache and the API.

    The calling thread starts its own read only once each helper waits on the network (see
    ``waiting_on_upstream``) or has finished: one interpreter runs one thread at a time, and a calling
    thread busy with queries and templates would otherwise hold back the requests whose answers the page
    waits for longest.
    """
    if not reads:
        return []
    others = _started(reads[1:], head_start_until=time.monotonic() + HEAD_START_SECONDS)
    first = reads[0]()
    return [first, *(other.result() for other in others)]


_helper_state = threading.local()


def waiting_on_upstream() -> None:
    """A helper's read has nothing left to do but wait: its request is going out (the client's ``on_send``),
    or it joined someone else's. The thread that started it may go on with its own work."""
    going_out = getattr(_helper_state, "going_out", None)
    if going_out is not None:
        going_out.set()


def _started(reads, *, head_start_until: float) -> list[Future]:
    """``reads`` submitted to the helpers; returns once each has sent its request (or finished), or at
    ``head_start_until``."""
    going_out = [threading.Event() for _ in reads]
    futures = [_helpers.submit(_on_helper, read, event) for read, event in zip(reads, going_out, strict=True)]
    for event in going_out:
        event.wait(max(0.0, head_start_until - time.monotonic()))
    return futures


def _on_helper(read: Callable[[], Any], going_out: threading.Event) -> Any:
    _helper_state.going_out = going_out
    try:
        return read()
    finally:
        _helper_state.going_out = None
        going_out.set()  # answered from the cache, or failed before sending: nothing to wait for
        connections.close_all()  # a read that touched the database after all leaves no connection behind
