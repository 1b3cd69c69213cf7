"""cached_read counts each read as a hit, a miss or a join, under its operation (pools/core/telemetry.py)."""

import threading
import uuid

from django.core.cache import cache

from pools.modelarts.errors import ServerError
from pools.selectors import cache as read_cache
from pools.selectors.cache import read_key
from tests.fixtures.metrics import sample
from tests.selectors.test_cache import THREADS, GatedUpstream, read, read_concurrently

LOOKUPS = "modelarts_admin_read_cache_lookups_total"


def counts(operation: str) -> dict[str, float]:
    return {result: sample(LOOKUPS, read=operation, result=result) for result in ("hit", "miss", "joined")}


def fresh_operation() -> str:
    """An operation name no other test counted under, so the counters start at 0."""
    return f"op_{uuid.uuid4().hex[:8]}"


def test_a_first_read_is_a_miss_and_a_second_a_hit(shared_cache):
    operation, upstream = fresh_operation(), GatedUpstream()
    read(upstream, operation=operation)
    read(upstream, operation=operation)
    read(upstream, operation=operation)
    assert counts(operation) == {"hit": 2, "miss": 1, "joined": 0}


def test_a_refresh_is_a_miss_even_with_a_cached_answer(shared_cache):
    operation, upstream = fresh_operation(), GatedUpstream()
    read(upstream, operation=operation)
    read(upstream, operation=operation, refresh=True)
    assert counts(operation) == {"hit": 0, "miss": 2, "joined": 0}


def test_concurrent_identical_reads_are_one_miss_and_the_rest_joins_or_hits(shared_cache):
    operation = fresh_operation()
    upstream = GatedUpstream(expected=THREADS)
    read_concurrently(upstream, operation=operation)
    assert upstream.calls == 1
    counted = counts(operation)
    assert counted["miss"] == 1
    # The leader is held until every caller has arrived: each other caller joined the flight (or, having
    # arrived after it ended, found its answer in the cache).
    assert counted["joined"] + counted["hit"] == THREADS - 1
    assert counted["joined"] >= 1


def test_taking_another_processs_answer_is_a_join(locmem_cache):
    operation = fresh_operation()
    key = read_key(7, operation, {"workspace": "0"})
    assert cache.add(f"{key}:lock", "another-process", timeout=30)
    answer = threading.Timer(
        0.05,
        lambda: cache.set(
            key, read_cache._Entry(read_cache.timezone.now(), value={"other": True}), timeout=30
        ),
    )
    answer.start()
    upstream = GatedUpstream()
    result = read(upstream, operation=operation)
    answer.join()
    assert result.value == {"other": True} and upstream.calls == 0
    assert counts(operation) == {"hit": 0, "miss": 0, "joined": 1}


def test_a_failed_read_is_a_miss_and_its_shared_failure_a_hit(shared_cache):
    operation = fresh_operation()
    failing = GatedUpstream(error=ServerError("busy", operation="ListPools", status=503))
    first, second = read(failing, operation=operation), read(failing, operation=operation)
    assert first.error is not None and second.error is not None and failing.calls == 1
    assert counts(operation) == {"hit": 1, "miss": 1, "joined": 0}
