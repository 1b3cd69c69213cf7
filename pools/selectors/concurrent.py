"""Upstream reads of one page made at the same time, so the page waits for the slowest, not for their sum.

A card that shows usage and statistics, or a pool tab that shows the pool and its nodes, needs two answers
from ModelArts; one after the other they cost twice the API's latency.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.db import connections

# Long-lived threads keep their own cache (Redis) connections from one page to the next. Reads never wait
# for other reads of this pool, so a busy pool only queues them; it cannot deadlock.
_helpers = ThreadPoolExecutor(max_workers=32, thread_name_prefix="upstream-read")


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
