"""Upstream reads of one page made at the same time, so the page waits for the slowest, not for their sum.

A card that shows usage and statistics, or a pool tab that shows the pool and its nodes, needs two answers
from ModelArts; one after the other they cost twice the API's latency.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.db import connections


def concurrently(*reads: Callable[[], Any]) -> list[Any]:
    """Run ``reads`` at the same time and return their results in order; an exception is re-raised here.

    The first runs on the calling thread and may use the database. The others run on threads of their own
    and must not (Django's connections are per thread, and a request's queries belong to its own thread):
    pass selector reads such as ``pool_get``, which touch only the cache and the API.

    Every read has finished when this returns, also when one of them failed: no thread outlives the call.
    Each runs in a copy of the caller's context, so its log lines carry the request's id.
    """
    if not reads:
        return []
    first, *others = reads
    with ThreadPoolExecutor(max_workers=max(1, len(others)), thread_name_prefix="upstream-read") as threads:
        started = [
            threads.submit(contextvars.copy_context().run, _on_its_own_thread, read) for read in others
        ]
        first_result = first()
        return [first_result, *(future.result() for future in started)]


def _on_its_own_thread(read: Callable[[], Any]) -> Any:
    try:
        return read()
    finally:
        connections.close_all()  # a read that touched the database after all leaves no connection behind
