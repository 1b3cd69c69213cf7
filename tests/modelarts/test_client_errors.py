"""HTTP errors and unreadable answers become typed errors carrying status, code, message and request id."""

import pytest
from werkzeug import Response

from pools.modelarts import errors
from pools.modelarts.errors import (
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InvalidResponseError,
    ModelArtsError,
    NotFoundError,
    PermissionDeniedError,
    ServerError,
    ThrottledError,
)
from tests.fixtures.modelarts import TEST_AK, TEST_SK, json_response

POOL_NAME = "pool-demo-f3b2c1d0e9a84b7c96d5e4f3a2b1c0d9"

BAD_GATEWAY_PAGE = (
    "<!DOCTYPE html><html><head><title>502 Bad Gateway</title><style>body{color:red}</style></head>"
    "<body><center><h1>502 Bad Gateway</h1></center>" + "<p>padding</p>" * 500 + "<hr><center>nginx</center>"
    "</body></html>"
)


@pytest.mark.parametrize(
    ("status", "body", "error_class", "code", "message"),
    [
        (
            400,
            {"error_code": "ModelArts.50004000", "error_msg": "Bad request"},
            BadRequestError,
            "ModelArts.50004000",
            "Bad request",
        ),
        (
            401,
            {
                "error_code": "APIG.0301",
                "error_msg": "Incorrect IAM authentication information: verify aksk signature fail",
            },
            AuthenticationError,
            "APIG.0301",
            "Incorrect IAM authentication information: verify aksk signature fail",
        ),
        (
            403,
            {"error_code": "ModelArts.0108", "error_msg": "not authorized"},
            PermissionDeniedError,
            "ModelArts.0108",
            "not authorized",
        ),
        (
            404,
            {"error_code": "ModelArts.50015001", "error_msg": "pool not found"},
            NotFoundError,
            "ModelArts.50015001",
            "pool not found",
        ),
        (
            409,
            {"error_code": "ModelArts.50015000", "error_msg": "Pool already exists."},
            ConflictError,
            "ModelArts.50015000",
            "Pool already exists.",
        ),
        (
            413,
            {"error_code": "APIG.0201", "error_msg": "Request entity too large"},
            BadRequestError,
            "APIG.0201",
            "Request entity too large",
        ),
        (
            500,
            {"error_code": "ModelArts.50005000", "error_msg": "internal error"},
            ServerError,
            "ModelArts.50005000",
            "internal error",
        ),
        (
            503,
            {"errorCode": "ModelArts.0503", "errorMsg": "camel case"},
            ServerError,
            "ModelArts.0503",
            "camel case",
        ),
        (400, {"code": 42, "message": "code and message"}, BadRequestError, "42", "code and message"),
        (
            400,
            {"error": {"detail": {"error_code": "Nested.1", "error_msg": "deep"}}},
            BadRequestError,
            "Nested.1",
            "deep",
        ),
        (400, {"unexpected": "shape"}, BadRequestError, "400", '{"unexpected": "shape"}'),
    ],
)
def test_error_statuses_map_to_typed_errors(upstream, status, body, error_class, code, message):
    upstream.answer(json_response(body, status=status, request_id="rid-err"))

    with pytest.raises(error_class) as raised:
        upstream.client(retries=0).show_pool(POOL_NAME)

    error = raised.value
    assert (error.status, error.error_code, error.error_msg, error.request_id) == (
        status,
        code,
        message,
        "rid-err",
    )
    assert error.operation == "ShowPool"
    assert code in str(error) and "rid-err" in str(error)


def test_throttling_on_a_post_maps_to_throttled_error_with_its_request_id(upstream):
    upstream.answer(
        json_response(
            {"error_code": "APIG.0308", "error_msg": "The throttling threshold has been reached"},
            status=429,
            request_id="rid-429",
        )
    )

    with pytest.raises(ThrottledError) as raised:
        upstream.client(retries=0).create_pool({"kind": "Pool"})

    assert (raised.value.error_code, raised.value.request_id, raised.value.retry_after) == (
        "APIG.0308",
        "rid-429",
        None,
    )


def test_an_html_error_page_becomes_its_title_never_the_page(upstream):
    upstream.answer(Response(BAD_GATEWAY_PAGE, status=502, content_type="text/html"))

    with pytest.raises(ServerError) as raised:
        upstream.client(retries=0).list_pools()

    error = raised.value
    assert (error.status, error.error_code, error.error_msg) == (502, "502", "502 Bad Gateway")
    assert "<" not in str(error) and len(str(error)) < 300


def test_a_plain_text_error_is_cut_short():
    code, message, _ = errors.error_fields(503, b"Service Unavailable " * 100)
    assert code == "503"
    assert message.startswith("Service Unavailable Service") and message.endswith("…")
    assert len(message) <= errors.EXCERPT_LENGTH


def test_html_without_a_title_gives_its_text():
    assert (
        errors.excerpt("<html><body><h1>Gateway  Timeout</h1><script>x()</script></body></html>")
        == "Gateway Timeout"
    )


def test_request_id_falls_back_to_the_body(upstream):
    upstream.answer(
        json_response(
            {
                "error_code": "APIG.0301",
                "error_msg": "verify aksk signature fail",
                "request_id": "rid-in-body",
            },
            status=401,
            request_id="",
        )
    )

    with pytest.raises(AuthenticationError) as raised:
        upstream.client().list_pools()

    assert raised.value.request_id == "rid-in-body"


def test_request_id_header_is_found_whatever_its_case():
    assert errors.header_request_id({"x-request-id": " abc "}) == "abc"
    assert errors.header_request_id({}) == ""


def test_a_server_that_echoes_the_keys_does_not_get_them_into_the_error(upstream):
    upstream.answer(
        json_response(
            {"error_code": "APIG.0301", "error_msg": f"ak {TEST_AK} with sk {TEST_SK} refused"}, status=401
        )
    )

    with pytest.raises(AuthenticationError) as raised:
        upstream.client().list_pools()

    assert TEST_AK not in str(raised.value) and TEST_SK not in str(raised.value)
    assert raised.value.error_msg == "ak *** with sk *** refused"


@pytest.mark.parametrize(
    ("content", "operation"),
    [
        (b"<html>not json</html>", "show_pool"),
        (b"", "show_pool"),
        (b'{"metadata": {"name": "pool-1"}, "spec": {"count": NaN}}', "show_pool"),  # not JSON
        (b'{"items": [Infinity]}', "list_pools"),
        (b"[1, 2]", "show_pool"),
        (b'{"metadata": {}}', "show_pool"),
        (b'{"items": {"not": "a list"}}', "list_pools"),
        (b'{"items": [{"metadata": {"name": ""}}]}', "list_pools"),
        (b'{"statistics": 3}', "show_statistics"),
        (b'{"metrics": "none"}', "show_monitor"),
        (b'{"items": "none"}', "show_runtime_metrics"),
        (b'{"items": [1]}', "list_nodes"),
    ],
)
def test_an_unreadable_success_is_an_invalid_response_with_its_request_id(upstream, content, operation):
    upstream.answer(Response(content, status=200, headers={"X-Request-Id": "rid-bad"}))
    client = upstream.client()
    call = {
        "show_pool": lambda: client.show_pool(POOL_NAME),
        "list_pools": client.list_pools,
        "show_statistics": client.show_statistics,
        "show_monitor": lambda: client.show_monitor(POOL_NAME, "-1.-1.60"),
        "show_runtime_metrics": client.show_runtime_metrics,
        "list_nodes": lambda: client.list_nodes(POOL_NAME),
    }[operation]

    with pytest.raises(InvalidResponseError) as raised:
        call()

    assert (raised.value.status, raised.value.request_id) == (200, "rid-bad")
    assert raised.value.error_msg
    assert len(upstream.seen) == 1  # an unreadable success is not retried


def test_every_error_is_a_modelarts_error_with_kind_and_title():
    for status in (400, 401, 403, 404, 409, 429, 500, 502, 503):
        error = errors.error_from_response("Op", status, b"{}", {})
        assert isinstance(error, ModelArtsError)
        assert error.kind and error.title and error.status == status
