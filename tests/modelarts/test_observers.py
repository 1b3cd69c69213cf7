"""Every finished call reaches the observers once, with its outcome; a failing observer never fails a call."""

import logging

import pytest

from pools.modelarts import observers
from pools.modelarts.errors import NotFoundError, ServerError
from tests.fixtures.modelarts import json_response

POOL_NAME = "pool-demo-f3b2c1d0e9a84b7c96d5e4f3a2b1c0d9"
POOL = {"metadata": {"name": POOL_NAME}, "spec": {}, "status": {"phase": "Running"}}


@pytest.fixture
def heard():
    calls: list[observers.FinishedCall] = []
    observers.add_observer(calls.append)
    yield calls
    observers.remove_observer(calls.append)


def test_a_call_answered_after_a_retry_is_heard_once_as_ok_with_its_attempts(upstream, heard):
    upstream.answer(json_response({"error_code": "x", "error_msg": "busy"}, status=503), json_response(POOL))
    upstream.client().show_pool(POOL_NAME)
    (call,) = heard
    assert (call.operation, call.method, call.outcome, call.status, call.attempts) == (
        "ShowPool",
        "GET",
        "ok",
        200,
        2,
    )
    assert call.seconds >= 0


def test_a_failed_call_is_heard_with_its_error_kind_and_status(upstream, heard):
    upstream.answer(json_response({"error_code": "ModelArts.50015001", "error_msg": "no pool"}, status=404))
    with pytest.raises(NotFoundError):
        upstream.client().show_pool(POOL_NAME)
    (call,) = heard
    assert (call.outcome, call.status, call.attempts) == ("not_found", 404, 1)


def test_a_change_that_got_a_5xx_is_heard_as_a_server_error_after_one_attempt(upstream, heard):
    upstream.answer(json_response({"error_code": "x", "error_msg": "busy"}, status=500))
    with pytest.raises(ServerError):
        upstream.client().delete_pool(POOL_NAME)
    (call,) = heard
    assert (call.operation, call.method, call.outcome, call.attempts) == ("DeletePool", "DELETE", "server", 1)


def test_a_call_that_never_got_an_answer_has_no_status(upstream, heard, refusing_endpoint):
    with pytest.raises(Exception):  # noqa: B017 - the kind is what the observer heard
        upstream.client(endpoint=refusing_endpoint, retries=0).list_pools()
    (call,) = heard
    assert (call.outcome, call.status) == ("transport", None)


def test_an_observer_that_raises_is_logged_and_the_call_still_answers(upstream, heard, caplog):
    def broken(call):
        raise RuntimeError("observer bug")

    observers.add_observer(broken)
    try:
        upstream.answer(json_response(POOL))
        assert upstream.client().show_pool(POOL_NAME).name == POOL_NAME
    finally:
        observers.remove_observer(broken)
    assert len(heard) == 1, "the other observers still heard the call"
    assert any("observer" in r.getMessage() and r.levelno == logging.ERROR for r in caplog.records)


def test_an_observer_added_twice_hears_each_call_once(upstream, heard):
    observers.add_observer(heard.append)
    upstream.answer(json_response(POOL))
    upstream.client().show_pool(POOL_NAME)
    assert len(heard) == 1
