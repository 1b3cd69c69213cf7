"""One INFO line per call, with what support needs, and never a key, a signature or a body."""

import logging

import pytest

from pools.modelarts.errors import NotFoundError, OutcomeUnknownError
from tests.fixtures.modelarts import TEST_AK, TEST_SK, json_response

POOL_NAME = "pool-demo-f3b2c1d0e9a84b7c96d5e4f3a2b1c0d9"
POOL = {"metadata": {"name": POOL_NAME}, "spec": {}, "status": {"phase": "Running"}}
SECRET_BODY_MARK = "body-text-that-must-not-be-logged"


def client_records(caplog):
    return [record for record in caplog.records if record.name == "pools.modelarts"]


def test_one_info_line_per_call_with_method_path_status_latency_request_id_attempt(upstream, caplog):
    caplog.set_level(logging.DEBUG, logger="pools.modelarts")
    upstream.answer(
        json_response({"error_code": "x", "error_msg": "busy"}, status=503),
        json_response(POOL, request_id="rid-7"),
    )

    upstream.client().show_pool(POOL_NAME)

    (line,) = [record for record in client_records(caplog) if record.levelno == logging.INFO]
    message = line.getMessage()
    assert "GET /v2/" in message and POOL_NAME in message
    assert "-> 200" in message and " ms" in message and "rid-7" in message and "attempt 2" in message
    assert (line.http_status, line.modelarts_request_id, line.attempt, line.modelarts_operation) == (
        200,
        "rid-7",
        2,
        "ShowPool",
    )
    assert isinstance(line.latency_ms, int)


def test_failures_are_logged_once_too(upstream, caplog):
    caplog.set_level(logging.INFO, logger="pools.modelarts")
    upstream.answer(
        json_response(
            {"error_code": "ModelArts.50015001", "error_msg": "pool not found"},
            status=404,
            request_id="rid-404",
        )
    )

    with pytest.raises(NotFoundError):
        upstream.client().show_pool(POOL_NAME)

    (line,) = client_records(caplog)
    assert "-> 404" in line.getMessage() and "rid-404" in line.getMessage()


def test_no_secret_or_body_reaches_the_log_or_an_error(upstream, caplog, dropping_server):
    caplog.set_level(logging.DEBUG)  # every logger, urllib3 and requests included
    upstream.answer(
        json_response(POOL),
        json_response({"error_code": "APIG.0301", "error_msg": f"bad signature for {TEST_AK}"}, status=401),
        json_response({}),
    )
    client = upstream.client(user_id="tenant-1")
    client.create_pool({"kind": "Pool", "metadata": {"annotations": {"note": SECRET_BODY_MARK}}})
    with pytest.raises(Exception) as raised:
        client.list_pools()
    client.delete_nodes(POOL_NAME, [SECRET_BODY_MARK])
    with pytest.raises(OutcomeUnknownError) as unknown:
        upstream.client(endpoint=dropping_server.endpoint).create_pool({"note": SECRET_BODY_MARK})

    text = caplog.text + str(raised.value) + repr(raised.value) + str(unknown.value)
    for forbidden in (TEST_SK, TEST_AK, "Authorization", "SDK-HMAC-SHA256", "Signature=", SECRET_BODY_MARK):
        assert forbidden not in text
    assert "CreatePool POST" in caplog.text  # the calls were logged, just without secrets
