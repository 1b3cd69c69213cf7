"""``concurrently``: a page's upstream reads run at the same time, results in order, errors re-raised."""

import threading
import time

import pytest
from django.db import connection as database

from pools.selectors.concurrent import concurrently


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


def test_a_forked_process_reads_concurrently_too():
    import multiprocessing

    concurrently(lambda: None, lambda: None)  # the parent has read concurrently before forking
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    child = context.Process(target=_read_twice_into, args=(results,))
    child.start()
    child.join(timeout=20)
    if child.is_alive():
        child.kill()  # it hung waiting for a thread it does not have
        child.join()
    assert child.exitcode == 0, "the child's reads finished"
    assert results.get(timeout=5) == ["parent", "helper"]


def _read_twice_into(results):
    results.put(concurrently(lambda: "parent", lambda: "helper"))


def test_no_read_is_left_running_when_concurrently_returns_or_fails():
    finished = []

    def slow(name):
        def run():
            time.sleep(0.2)
            finished.append(name)
            return name

        return run

    assert concurrently(lambda: "first", slow("second")) == ["first", "second"]
    assert finished == ["second"]

    def fails():
        raise LookupError("the first read failed")

    with pytest.raises(LookupError):
        concurrently(fails, slow("third"))
    assert finished == ["second", "third"], "the failure came back once the other read had finished"
    assert not [thread for thread in threading.enumerate() if thread.name.startswith("upstream-read")]
