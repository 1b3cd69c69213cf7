"""cached_read: caching, single-flight coalescing (threads and processes), shared failures, stale copies."""

import multiprocessing
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.cache import cache

from pools.core.errors import ApplicationError
from pools.modelarts.errors import ServerError, ThrottledError
from pools.selectors import cache as read_cache
from pools.selectors.cache import ReadResult, cached_read, read_key
from tests.fixtures.caches import REDIS

THREADS = 8
WAIT_SECONDS = 10.0


class GatedUpstream:
    """A fake upstream that counts calls and holds each call until ``expected`` callers have arrived.

    Holding the leader until every caller has entered ``cached_read`` makes each test deterministic: every
    other caller either finds the call in flight or finds its answer in the cache, never neither.
    """

    def __init__(self, expected: int = 0, result=None, error: Exception | None = None):
        self.expected, self.result, self.error = expected, result, error
        self.calls = 0
        self.arrived = 0
        self.condition = threading.Condition()

    def arrive(self):
        with self.condition:
            self.arrived += 1
            self.condition.notify_all()

    def __call__(self):
        with self.condition:
            self.calls += 1
            if not self.condition.wait_for(lambda: self.arrived >= self.expected, timeout=WAIT_SECONDS):
                raise AssertionError("not every caller arrived")
        if self.error is not None:
            raise self.error
        return self.result if self.result is not None else {"call": self.calls}


def read(upstream, *, refresh=False, operation="pool_list", params=None):
    return cached_read(
        connection_id=7,
        operation=operation,
        params=params if params is not None else {"workspace": "0"},
        fetch=upstream,
        what="Listing pools of connection 'test'",
        refresh=refresh,
    )


def read_concurrently(upstream, count=THREADS, **kwargs) -> list[ReadResult]:
    def one(_):
        upstream.arrive()
        return read(upstream, **kwargs)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(one, range(count)))


def throttled():
    return ThrottledError(
        "slow down",
        operation="ListPools",
        status=429,
        error_code="APIG.0308",
        error_msg="The throttling threshold has been reached",
        request_id="rid-429",
        retry_after=3.0,
    )


def test_a_second_read_within_the_cache_time_is_served_from_the_cache(shared_cache):
    upstream = GatedUpstream()
    first, second = read(upstream), read(upstream)
    assert upstream.calls == 1
    assert first.value == second.value == {"call": 1}
    assert first.fetched_at == second.fetched_at
    assert first.ok and not first.stale and first.age_seconds < 5


def test_refresh_bypasses_the_cached_answer(shared_cache):
    upstream = GatedUpstream()
    read(upstream)
    refreshed = read(upstream, refresh=True)
    assert upstream.calls == 2
    assert refreshed.value == {"call": 2}
    assert read(upstream).value == {"call": 2}, "the refreshed answer replaces the cached one"


def test_reads_with_different_parameters_or_operations_are_cached_apart(shared_cache):
    upstream = GatedUpstream()
    read(upstream, params={"workspace": "0"})
    read(upstream, params={"workspace": "1"})
    read(upstream, operation="pool_statistics")
    assert upstream.calls == 3
    assert read_key(7, "op", {"a": 1, "b": 2}) == read_key(7, "op", {"b": 2, "a": 1})
    assert read_key(7, "op", {"a": 1}) != read_key(8, "op", {"a": 1})


def test_concurrent_identical_reads_make_one_upstream_call(shared_cache):
    upstream = GatedUpstream(expected=THREADS)
    results = read_concurrently(upstream)
    assert upstream.calls == 1
    assert all(r.value == {"call": 1} and r.ok for r in results)


def test_concurrent_refreshes_still_make_one_upstream_call(shared_cache):
    read(GatedUpstream())
    upstream = GatedUpstream(expected=THREADS)
    results = read_concurrently(upstream, refresh=True)
    assert upstream.calls == 1
    assert all(r.value == {"call": 1} for r in results)


def test_a_failure_is_shared_by_everyone_waiting_for_it(shared_cache):
    upstream = GatedUpstream(expected=THREADS, error=throttled())
    results = read_concurrently(upstream)
    assert upstream.calls == 1
    for result in results:
        assert result.value is None and not result.stale
        assert isinstance(result.error, ApplicationError)
        assert result.error.message == (
            "Listing pools of connection 'test' failed: ModelArts is throttling requests."
        )


def test_a_failure_survives_the_cache_with_every_detail(shared_cache):
    read(GatedUpstream(error=throttled()))
    cached_failure = read(GatedUpstream()).error  # answered from the cache: no new call
    assert isinstance(cached_failure.upstream, ThrottledError)
    assert cached_failure.upstream.retry_after == 3.0
    assert cached_failure.details == {
        "status": "429",
        "error_code": "APIG.0308",
        "error_msg": "The throttling threshold has been reached",
        "request_id": "rid-429",
    }


def test_a_failure_after_a_good_read_returns_the_last_good_value_marked_stale(shared_cache):
    good = read(GatedUpstream(result={"pools": ["a"]}))
    failing = GatedUpstream(error=ServerError(status=500, error_code="ModelArts.50005000", request_id="r5"))
    result = read(failing, refresh=True)
    assert failing.calls == 1
    assert result.stale and not result.ok
    assert result.value == {"pools": ["a"]}
    assert result.fetched_at == good.fetched_at
    assert result.error.details["error_code"] == "ModelArts.50005000"
    assert result.error.details["request_id"] == "r5"


def test_a_failure_with_nothing_to_fall_back_on_has_no_value(shared_cache):
    result = read(GatedUpstream(error=ServerError(status=503)))
    assert result.value is None and result.fetched_at is None and not result.stale
    assert result.error.details["status"] == "503"


def test_an_application_error_from_fetch_becomes_the_reads_error(shared_cache):
    result = read(GatedUpstream(error=ApplicationError("The connection's keys cannot be decrypted.")))
    assert result.error.message == "The connection's keys cannot be decrypted."
    assert result.error.details == {}


def test_a_waiter_calls_upstream_itself_when_the_lock_holder_vanishes(locmem_cache):
    # Another process took the lock and died without answering; its lock expires shortly.
    key = read_key(7, "pool_list", {"workspace": "0"})
    assert cache.add(f"{key}:lock", "someone-else", timeout=0.2)
    upstream = GatedUpstream()
    started = time.monotonic()
    result = read(upstream)
    assert upstream.calls == 1 and result.value == {"call": 1}
    assert time.monotonic() - started < 5, "the waiter gives up as soon as the lock is gone"


def test_a_waiter_takes_the_answer_another_process_leaves_in_the_cache(locmem_cache):
    key = read_key(7, "pool_list", {"workspace": "0"})
    assert cache.add(f"{key}:lock", "someone-else", timeout=30)
    other_process_answer = read_cache._Entry(read_cache.timezone.now(), value={"other": True})

    def answer_later():
        upstream.arrive()
        cache.set(key, other_process_answer, timeout=30)

    upstream = GatedUpstream()
    answer = threading.Timer(0.05, answer_later)
    answer.start()
    result = read(upstream)
    answer.join()
    assert upstream.calls == 0
    assert result.value == {"other": True}


def _read_in_child(entered, calls, results, expected):
    """Runs in a forked process: its own in-process flight table, the parent's cache settings, same Redis."""
    read_cache._flights.clear()

    def fetch():
        with calls.get_lock():
            calls.value += 1
        deadline = time.monotonic() + WAIT_SECONDS
        while entered.value < expected and time.monotonic() < deadline:
            time.sleep(0.005)
        return {"pid": multiprocessing.current_process().pid}

    with entered.get_lock():
        entered.value += 1
    result = read(fetch)
    results.put(result.value["pid"])


def test_processes_sharing_redis_make_one_upstream_call(shared_cache):
    if shared_cache != REDIS:
        pytest.skip("only a shared cache coalesces across processes")
    context = multiprocessing.get_context("fork")
    entered, calls, results = context.Value("i", 0), context.Value("i", 0), context.Queue()
    processes = [context.Process(target=_read_in_child, args=(entered, calls, results, 4)) for _ in range(4)]
    for process in processes:
        process.start()
    pids = [results.get(timeout=30) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    assert calls.value == 1
    assert len(set(pids)) == 1, "every process got the leader's answer"


def test_a_read_that_fails_unexpectedly_gives_up_its_lock(shared_cache):
    def broken():
        raise RuntimeError("a bug, not an upstream failure")

    with pytest.raises(RuntimeError):
        read(broken)

    key = read_key(7, "pool_list", {"workspace": "0"})
    assert cache.get(f"{key}:lock") is None
    assert read(GatedUpstream()).value == {"call": 1}, "the next read calls at once"


def test_a_refresh_never_takes_a_plain_reads_older_answer(shared_cache):
    first = read(GatedUpstream())
    refreshed = read(GatedUpstream(result={"new": True}), refresh=True)

    assert refreshed.value == {"new": True} and refreshed.fetched_at > first.fetched_at


def test_an_answer_past_its_cache_time_is_read_again_and_still_backs_a_failure(shared_cache, settings):
    settings.SELECTOR_CACHE_SECONDS = 0.2
    good = read(GatedUpstream(result={"pools": ["a"]}))
    time.sleep(0.25)
    failing = GatedUpstream(error=ServerError(status=503))
    first_failure = read(failing)
    assert failing.calls == 1, "past its cache time the answer is not served as fresh"
    assert first_failure.stale and first_failure.value == {"pools": ["a"]}
    time.sleep(0.25)
    second_failure = read(failing)
    assert failing.calls == 2
    assert second_failure.value == {"pools": ["a"]}, "a failure behind a failure keeps the good answer"
    assert second_failure.fetched_at == good.fetched_at


def test_one_cache_entry_holds_a_read(locmem_cache):
    read(GatedUpstream())
    key = read_key(7, "pool_list", {"workspace": "0"})
    stored = [name for name in cache._cache if "pool_list" in name]  # the local-memory backend's own dict
    assert len(stored) == 1 and stored[0].endswith(key), "one value pickled and stored per upstream call"
