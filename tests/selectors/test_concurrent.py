"""``concurrently``: a page's upstream reads run at the same time, results in order, errors re-raised."""

import threading
import time

import pytest
from django.db import connection as database

from pools.selectors.concurrent import HEAD_START_SECONDS, concurrently, waiting_on_upstream


def test_the_reads_run_at_the_same_time_and_come_back_in_order():
    # Each read waits until all three have started: one after the other, the barrier would time out.
    barrier = threading.Barrier(3, timeout=5)

    def read(value):
        def run():
            barrier.wait()
            return value, threading.get_ident()

        return run

    results = concurrently(read("a"), read("b"), read("c"))
    assert [value for value, _ in results] == ["a", "b", "c"]
    assert results[0][1] == threading.get_ident(), "the first read runs on the calling thread"
    assert len({thread for _, thread in results}) == 3


def test_an_error_in_any_read_reaches_the_caller():
    def fails():
        raise LookupError("upstream shape")

    with pytest.raises(LookupError, match="upstream shape"):
        concurrently(lambda: 1, fails)


def test_nothing_to_read():
    assert concurrently() == []


@pytest.mark.django_db
def test_a_helper_thread_leaves_no_database_connection_open():
    seen = {}

    def touches_the_database():
        from django.db import connections

        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
        seen["connection"] = connections["default"]

    concurrently(lambda: None, touches_the_database)
    assert seen["connection"] is not database
    assert seen["connection"].connection is None, "closed when the read finished"


def test_a_forked_process_gets_helper_threads_of_its_own():
    import multiprocessing

    concurrently(lambda: None, lambda: None)  # the parent now has an idle helper thread
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    child = context.Process(target=_read_twice_into, args=(results,))
    child.start()
    child.join(timeout=20)
    if child.is_alive():
        child.kill()  # it hung waiting for a helper thread it does not have
        child.join()
    assert child.exitcode == 0, "the child's reads finished"
    assert results.get(timeout=5) == ["parent", "helper"]


def _read_twice_into(results):
    results.put(concurrently(lambda: "parent", lambda: "helper"))


def test_the_calling_thread_starts_its_own_read_once_the_others_have_sent_their_requests():
    events = []
    answer = threading.Event()

    def upstream_read():
        events.append("helper prepares its request")
        waiting_on_upstream()  # what the client's on_send calls as the request leaves
        answer.wait(5)  # the answer takes its time; meanwhile the calling thread works
        return "pools"

    def database_read():
        events.append("caller starts")
        answer.set()
        return "requests"

    assert concurrently(database_read, upstream_read) == ["requests", "pools"]
    assert events == ["helper prepares its request", "caller starts"]


def test_a_helper_answered_from_the_cache_does_not_hold_the_caller_back():
    started = time.monotonic()

    assert concurrently(lambda: "page", lambda: "cached", lambda: "cached too") == [
        "page",
        "cached",
        "cached too",
    ]
    assert time.monotonic() - started < HEAD_START_SECONDS


def test_a_helper_that_never_sends_holds_the_caller_back_for_the_head_start_at_most(monkeypatch):
    monkeypatch.setattr("pools.selectors.concurrent.HEAD_START_SECONDS", 0.05)
    release = threading.Event()
    started_at = []

    def caller():
        started_at.append(time.monotonic())
        release.set()
        return "caller"

    began = time.monotonic()
    assert concurrently(caller, lambda: release.wait(5) and "helper") == ["caller", "helper"]
    assert 0.04 <= started_at[0] - began < 1.0


def test_going_out_outside_a_helper_read_does_nothing():
    waiting_on_upstream()
