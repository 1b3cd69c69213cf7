"""Which calls are retried, how often, how long they wait, and that a change (POST, DELETE) is never sent
twice."""

import time
from datetime import UTC, datetime
from email.utils import format_datetime

import pytest
import requests

from pools.modelarts.errors import (
    NotFoundError,
    OutcomeUnknownError,
    RequestTimeoutError,
    ServerError,
    ThrottledError,
    TransportError,
)
from pools.modelarts.transport import BACKOFF_BASE_SECONDS, parse_retry_after
from tests.fixtures.modelarts import TEST_PROJECT, json_response

POOL_NAME = "pool-demo-f3b2c1d0e9a84b7c96d5e4f3a2b1c0d9"
POOL = {"metadata": {"name": POOL_NAME}, "spec": {}, "status": {"phase": "Running"}}
UNAVAILABLE = {"error_code": "ModelArts.50005000", "error_msg": "temporarily unavailable"}
THROTTLED = {"error_code": "APIG.0308", "error_msg": "The throttling threshold has been reached"}


def unavailable(request_id="rid-503", headers=None):
    return json_response(UNAVAILABLE, status=503, request_id=request_id, headers=headers)


def throttled(retry_after, request_id="rid-429", headers=None):
    return json_response(
        THROTTLED, status=429, request_id=request_id, headers={"Retry-After": retry_after, **(headers or {})}
    )


def test_get_is_retried_on_503_then_succeeds(upstream, fake_time):
    upstream.answer(unavailable(), json_response(POOL))

    pool = upstream.client(retries=2).show_pool(POOL_NAME)

    assert pool.name == POOL_NAME
    assert len(upstream.seen) == 2
    assert len(fake_time.sleeps) == 1 and 0 <= fake_time.sleeps[0] <= BACKOFF_BASE_SECONDS


def test_get_gives_up_after_its_retries(upstream, fake_time):
    upstream.answer(*[unavailable(f"rid-{n}") for n in range(5)])

    with pytest.raises(ServerError) as raised:
        upstream.client(retries=2).list_pools()

    assert len(upstream.seen) == 3
    assert raised.value.request_id == "rid-2"  # the last answer's
    # Full jitter under an exponential ceiling: 0.25 s, then 0.5 s.
    assert len(fake_time.sleeps) == 2
    assert all(0 <= s <= BACKOFF_BASE_SECONDS * 2**n for n, s in enumerate(fake_time.sleeps))


def test_no_retries_means_one_attempt(upstream, fake_time):
    upstream.answer(unavailable(), json_response(POOL))

    with pytest.raises(ServerError):
        upstream.client(retries=0).show_pool(POOL_NAME)

    assert len(upstream.seen) == 1 and fake_time.sleeps == []


def test_a_delete_that_got_a_5xx_is_not_retried(upstream, fake_time):
    """The first DELETE may have been carried out; a second would be answered 409 or 404, not 200."""
    upstream.answer(
        json_response({"error_code": "APIG.0504", "error_msg": "gateway timeout"}, status=504),
        json_response(POOL),
    )

    with pytest.raises(ServerError) as raised:
        upstream.client(retries=5).delete_pool(POOL_NAME)

    assert raised.value.status == 504
    assert [seen.method for seen in upstream.seen] == ["DELETE"] and fake_time.sleeps == []


def test_a_delete_that_times_out_is_sent_once_and_its_outcome_is_unknown(upstream, silent_server):
    client = upstream.client(
        endpoint=silent_server.endpoint, real_time=True, timeout=0.3, deadline=5, retries=5
    )

    with pytest.raises(OutcomeUnknownError) as raised:
        client.delete_pool(POOL_NAME)

    assert silent_server.requests_read == 1
    assert raised.value.operation == "DeletePool" and "not sent again" in raised.value.error_msg


def test_a_delete_whose_connection_drops_is_sent_once_and_its_outcome_is_unknown(upstream, dropping_server):
    with pytest.raises(OutcomeUnknownError):
        upstream.client(endpoint=dropping_server.endpoint, retries=5).delete_pool(POOL_NAME)

    assert dropping_server.requests_read == 1


def test_a_throttled_delete_is_sent_again(upstream, fake_time):
    """A 429 means the gateway turned it away: nothing was deleted, so sending it again is safe."""
    upstream.answer(throttled("1"), json_response(POOL))

    upstream.client().delete_pool(POOL_NAME)

    assert [seen.method for seen in upstream.seen] == ["DELETE", "DELETE"] and fake_time.sleeps == [1.0]


def test_a_4xx_is_not_retried(upstream):
    upstream.answer(
        json_response({"error_code": "ModelArts.50015001", "error_msg": "pool not found"}, status=404)
    )

    with pytest.raises(NotFoundError):
        upstream.client().show_pool(POOL_NAME)

    assert len(upstream.seen) == 1


@pytest.mark.parametrize("operation", ["create_pool", "delete_nodes"])
def test_a_post_that_got_a_5xx_is_not_retried(upstream, fake_time, operation):
    upstream.answer(unavailable(), json_response(POOL))
    client = upstream.client(retries=5)

    with pytest.raises(ServerError) as raised:
        if operation == "create_pool":
            client.create_pool({"kind": "Pool"})
        else:
            client.delete_nodes(POOL_NAME, ["n1"])

    assert raised.value.status == 503 and raised.value.request_id == "rid-503"
    assert len(upstream.seen) == 1 and fake_time.sleeps == []


def test_get_honours_retry_after_seconds_on_429(upstream, fake_time):
    upstream.answer(throttled("3"), json_response({"items": []}))

    upstream.client().list_pools()

    assert fake_time.sleeps == [3.0]
    assert len(upstream.seen) == 2


def test_post_honours_retry_after_on_429(upstream, fake_time):
    """A 429 means the gateway turned the request away, so even a POST may be sent again."""
    upstream.answer(throttled("2"), json_response(POOL))

    pool = upstream.client().create_pool({"kind": "Pool"})

    assert pool.name == POOL_NAME
    assert fake_time.sleeps == [2.0]
    assert [seen.method for seen in upstream.seen] == ["POST", "POST"]
    assert upstream.seen[0].body == upstream.seen[1].body


def test_retry_after_as_an_http_date_is_measured_against_the_server_date(upstream, fake_time):
    # The local server stamps its own Date (the real time, whole seconds); ask for 7 s after it.
    def throttled_until_seven_seconds_from_now(request):
        return throttled(format_datetime(datetime.fromtimestamp(int(time.time()) + 7, tz=UTC), usegmt=True))

    upstream.answer(throttled_until_seven_seconds_from_now, json_response({"items": []}))

    upstream.client().list_pools()

    (waited,) = fake_time.sleeps
    assert 6.0 <= waited <= 7.0  # 6 only if the server's clock ticked a second between the two stamps


def test_503_with_retry_after_waits_that_long(upstream, fake_time):
    upstream.answer(unavailable(headers={"Retry-After": "1"}), json_response({"items": []}))

    upstream.client().list_pools()

    assert fake_time.sleeps == [1.0]


def test_retry_after_beyond_the_deadline_raises_throttled_at_once(upstream, fake_time):
    upstream.answer(throttled("60"), json_response({"items": []}))

    with pytest.raises(ThrottledError) as raised:
        upstream.client(deadline=20).list_pools()

    assert raised.value.retry_after == 60.0
    assert (raised.value.error_code, raised.value.request_id) == ("APIG.0308", "rid-429")
    assert len(upstream.seen) == 1 and fake_time.sleeps == []


def test_throttling_that_outlasts_the_retries_raises_throttled(upstream, fake_time):
    upstream.answer(throttled("1"), throttled("1"), throttled("4"))

    with pytest.raises(ThrottledError) as raised:
        upstream.client(retries=2).show_statistics()

    assert raised.value.retry_after == 4.0
    assert fake_time.sleeps == [1.0, 1.0]
    assert len(upstream.seen) == 3


def test_the_deadline_bounds_the_whole_call(upstream, fake_time):
    """Slow failing answers: no attempt starts without time left, and the total stays within the deadline."""
    latency = 3.0
    timeouts = []
    upstream.answer(*[unavailable()] * 20)
    client = upstream.client(timeout=5, deadline=10, retries=20)
    send = client._session.send

    def slow_request(*args, **kwargs):
        # Each answer takes 3 s; an attempt whose timeout is shorter times out instead, as it would for real.
        timeouts.append(kwargs["timeout"])
        if kwargs["timeout"] < latency:
            fake_time.advance(kwargs["timeout"])
            raise requests.exceptions.ReadTimeout("simulated slow answer")
        fake_time.advance(latency)
        return send(*args, **kwargs)

    client._session.send = slow_request
    started = fake_time.now

    with pytest.raises((ServerError, RequestTimeoutError)):
        client.list_pools()

    assert fake_time.now - started <= 10
    assert 3 <= len(timeouts) <= 5
    assert timeouts[0] == 5  # the per-attempt timeout…
    assert all(t <= 5 for t in timeouts) and timeouts[-1] < 5  # …cut to the time left


def test_a_get_that_never_gets_an_answer_times_out_within_the_deadline(upstream, silent_server):
    client = upstream.client(
        endpoint=silent_server.endpoint, real_time=True, timeout=0.3, deadline=1.0, retries=5
    )
    started = time.monotonic()

    with pytest.raises(RequestTimeoutError) as raised:
        client.list_pools()

    elapsed = time.monotonic() - started
    assert elapsed < 1.0 + 0.5
    assert 2 <= silent_server.requests_read <= 4
    assert raised.value.status is None and raised.value.error_msg.startswith("no answer within")


def test_a_post_that_times_out_is_sent_once_and_its_outcome_is_unknown(upstream, silent_server):
    client = upstream.client(
        endpoint=silent_server.endpoint, real_time=True, timeout=0.3, deadline=5, retries=5
    )

    with pytest.raises(OutcomeUnknownError) as raised:
        client.create_pool({"kind": "Pool"})

    assert silent_server.requests_read == 1
    assert raised.value.operation == "CreatePool" and "not sent again" in raised.value.error_msg
    assert isinstance(raised.value, TransportError)


def test_a_post_whose_connection_drops_is_sent_once_and_its_outcome_is_unknown(upstream, dropping_server):
    client = upstream.client(endpoint=dropping_server.endpoint, retries=5)

    with pytest.raises(OutcomeUnknownError):
        client.delete_nodes(POOL_NAME, ["n1"])

    assert dropping_server.requests_read == 1


def test_a_get_whose_connection_drops_is_retried(upstream, dropping_server, fake_time):
    client = upstream.client(endpoint=dropping_server.endpoint, retries=2)

    with pytest.raises(TransportError) as raised:
        client.show_pool(POOL_NAME)

    assert not isinstance(raised.value, OutcomeUnknownError)
    assert dropping_server.requests_read == 3
    assert len(fake_time.sleeps) == 2


def test_a_post_that_could_not_connect_was_not_sent(upstream, refusing_endpoint):
    """Connection refused: the server never saw it, so the outcome is known (nothing happened)."""
    client = upstream.client(endpoint=refusing_endpoint, retries=3)

    with pytest.raises(TransportError) as raised:
        client.create_pool({"kind": "Pool"})

    assert not isinstance(raised.value, OutcomeUnknownError)
    assert "refused" in raised.value.error_msg.lower()


def test_a_get_that_could_not_connect_is_retried_then_reported(upstream, refusing_endpoint, fake_time):
    with pytest.raises(TransportError):
        upstream.client(endpoint=refusing_endpoint, retries=2).list_pools()
    assert len(fake_time.sleeps) == 2


def test_a_session_can_be_shared_and_is_left_open(upstream):
    session = requests.Session()
    upstream.answer(json_response({"items": []}))
    client = upstream.client(session=session)

    client.list_pools()
    client.close()

    assert session.adapters  # still usable: the client did not own it
    assert upstream.seen[0].raw_path == f"/v2/{TEST_PROJECT}/pools"
    session.close()


@pytest.mark.parametrize(
    ("value", "date", "expected"),
    [
        ("120", None, 120.0),
        (" 1.5 ", None, 1.5),
        ("Wed, 01 Jan 2025 08:00:30 GMT", "Wed, 01 Jan 2025 08:00:00 GMT", 30.0),
        ("Wed, 01 Jan 2025 07:59:00 GMT", "Wed, 01 Jan 2025 08:00:00 GMT", 0.0),
        ("soon", None, None),
        ("-5", None, None),
        ("", None, None),
        (None, None, None),
    ],
)
def test_parse_retry_after(value, date, expected):
    assert parse_retry_after(value, server_date=date) == expected


def test_retry_after_date_without_a_server_date_uses_the_local_clock():
    now = datetime(2025, 1, 1, 8, 0, 0, tzinfo=UTC).timestamp()
    assert parse_retry_after("Wed, 01 Jan 2025 08:00:10 GMT", now=now) == 10.0


def test_a_delete_that_finds_nothing_at_first_is_not_found(upstream):
    upstream.answer(
        json_response({"error_code": "ModelArts.50015001", "error_msg": "pool not found"}, status=404)
    )

    with pytest.raises(NotFoundError):
        upstream.client().delete_pool(POOL_NAME)
