"""Upstream reads of one page made at the same time, so the page waits for the slowest, not for their sum.

A card that shows usage and statistics, or a pool tab that shows the pool and its nodes, needs two answers
from ModelArts; one after the other they cost twice the API's latency.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.db import connections

HELPER_THREADS = 32


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
    """
    if not reads:
        return []
    others = [_helpers.submit(_without_database, read) for read in reads[1:]]
    first = reads[0]()
    return [first, *(other.result() for other in others)]


def _without_database(read: Callable[[], Any]) -> Any:
    try:
        return read()
    finally:
        connections.close_all()  # a read that touched the database after all leaves no connection behind
