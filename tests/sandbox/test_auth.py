"""Signature, date, account and project checks, as the gateway makes them (API reference §8.5, §9)."""

from datetime import UTC, datetime, timedelta

import pytest
import requests

from pools.modelarts import signer
from tests.fixtures.sandbox import AK, OTHER_AK, OTHER_PROJECT_ID, OTHER_SK, PROJECT_ID, SK, signed_request
from tests.sandbox.helpers import REQUEST_ID, call


def assert_gateway_error(response, status, code):
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error_code"] == code
    assert body["error_msg"]
    assert REQUEST_ID.fullmatch(response.headers["X-Request-Id"])
    assert body["request_id"] == response.headers["X-Request-Id"]


def test_a_correctly_signed_request_is_answered(sandbox):
    response = call(sandbox, "GET", "/pools")

    assert response.status_code == 200
    assert response.json() == {"apiVersion": "v2", "kind": "PoolList", "items": []}
    assert REQUEST_ID.fullmatch(response.headers["X-Request-Id"])


def test_every_response_has_its_own_request_id(sandbox):
    first = call(sandbox, "GET", "/pools").headers["X-Request-Id"]
    second = call(sandbox, "GET", "/pools").headers["X-Request-Id"]

    assert first != second


def test_wrong_secret_key_is_rejected(sandbox):
    response = call(sandbox, "GET", "/pools", sk="not-the-secret")

    assert_gateway_error(response, 401, "APIG.0301")
    assert "verify aksk signature fail" in response.json()["error_msg"]


def test_unknown_access_key_is_rejected_without_echoing_it(sandbox):
    response = call(sandbox, "GET", "/pools", ak="AKNOBODYKNOWS0000001")

    assert_gateway_error(response, 401, "APIG.0301")
    assert "AKNOBODYKNOWS0000001" not in response.text


def test_missing_authorization_is_rejected(sandbox):
    response = requests.get(f"{sandbox.url}/v2/{PROJECT_ID}/pools", timeout=5)

    assert_gateway_error(response, 401, "APIG.0301")


@pytest.mark.parametrize(
    "header",
    [
        "SDK-HMAC-SHA1 Access=AK, SignedHeaders=host;x-sdk-date, Signature=abc",
        "SDK-HMAC-SHA256 Access=, SignedHeaders=host;x-sdk-date, Signature=abc",
        "SDK-HMAC-SHA256 garbage",
    ],
)
def test_malformed_authorization_is_rejected(sandbox, header):
    url = f"{sandbox.url}/v2/{PROJECT_ID}/pools"
    headers = signer.sign(
        "GET", url, {"Content-Type": "application/json"}, b"", AK, SK, now=datetime.now(UTC)
    )
    headers["Authorization"] = header

    assert_gateway_error(requests.get(url, headers=headers, timeout=5), 401, "APIG.0301")


def test_the_date_must_be_a_signed_header(sandbox):
    url = f"{sandbox.url}/v2/{PROJECT_ID}/pools"
    headers = signer.sign(
        "GET", url, {"Content-Type": "application/json"}, b"", AK, SK, now=datetime.now(UTC)
    )
    names = ["content-type", "host"]
    canonical = signer.canonical_request("GET", f"/v2/{PROJECT_ID}/pools", "", headers, names, b"")
    signature = signer.signature(SK, signer.string_to_sign(headers["X-Sdk-Date"], canonical))
    headers["Authorization"] = signer.authorization(AK, names, signature)

    response = requests.get(url, headers=headers, timeout=5)

    assert_gateway_error(response, 401, "APIG.0301")
    assert "x-sdk-date" in response.json()["error_msg"]


@pytest.mark.parametrize("minutes", [-16, 16])
def test_a_date_more_than_fifteen_minutes_off_is_rejected(sandbox, minutes):
    skewed = datetime.now(UTC) + timedelta(minutes=minutes)

    response = call(sandbox, "GET", "/pools", now=skewed)

    assert_gateway_error(response, 401, "APIG.0301")
    assert "expired" in response.json()["error_msg"]


@pytest.mark.parametrize("minutes", [-14, 14])
def test_a_date_within_fifteen_minutes_is_accepted(sandbox, minutes):
    response = call(sandbox, "GET", "/pools", now=datetime.now(UTC) + timedelta(minutes=minutes))

    assert response.status_code == 200


def test_the_skew_window_is_configurable(sandbox):
    sandbox.max_clock_skew_seconds = 60
    try:
        response = call(sandbox, "GET", "/pools", now=datetime.now(UTC) - timedelta(minutes=2))
    finally:
        sandbox.max_clock_skew_seconds = 15 * 60

    assert_gateway_error(response, 401, "APIG.0301")


def test_a_tampered_body_is_rejected(sandbox):
    url = f"{sandbox.url}/v2/{PROJECT_ID}/pools"
    signed_body = b'{"apiVersion": "v2", "kind": "Pool"}'
    headers = signer.sign(
        "POST",
        url,
        {"Content-Type": "application/json", "X-Project-Id": PROJECT_ID},
        signed_body,
        AK,
        SK,
        now=datetime.now(UTC),
    )

    response = requests.post(url, headers=headers, data=b'{"apiVersion": "v2", "kind": "Pol"}', timeout=5)

    assert_gateway_error(response, 401, "APIG.0301")


def test_the_body_hash_is_over_the_exact_bytes_received(sandbox):
    # Same JSON value, different bytes than signed: the gateway must not re-serialise before hashing.
    url = f"{sandbox.url}/v2/{PROJECT_ID}/pools"
    headers = signer.sign(
        "POST",
        url,
        {"Content-Type": "application/json", "X-Project-Id": PROJECT_ID},
        b'{"a": 1}',
        AK,
        SK,
        now=datetime.now(UTC),
    )

    response = requests.post(url, headers=headers, data=b'{"a":1}', timeout=5)

    assert_gateway_error(response, 401, "APIG.0301")


def test_a_tampered_query_is_rejected(sandbox):
    url = f"{sandbox.url}/v2/{PROJECT_ID}/pools?status=created"
    headers = signer.sign(
        "GET",
        url,
        {"Content-Type": "application/json", "X-Project-Id": PROJECT_ID},
        b"",
        AK,
        SK,
        now=datetime.now(UTC),
    )

    response = requests.get(url.replace("created", "failed"), headers=headers, timeout=5)

    assert_gateway_error(response, 401, "APIG.0301")


def test_the_host_header_is_verified_as_received_port_included(sandbox):
    url = f"{sandbox.url}/v2/{PROJECT_ID}/pools"
    headers = signer.sign(
        "GET",
        url,
        {"Content-Type": "application/json", "X-Project-Id": PROJECT_ID},
        b"",
        AK,
        SK,
        now=datetime.now(UTC),
    )
    assert headers["Host"].endswith(f":{sandbox.url.rsplit(':', 1)[1]}")

    assert requests.get(url, headers=headers, timeout=5).status_code == 200
    headers["Host"] = "127.0.0.1"
    assert_gateway_error(requests.get(url, headers=headers, timeout=5), 401, "APIG.0301")


def test_a_replayed_request_is_accepted(sandbox):
    url = f"{sandbox.url}/v2/{PROJECT_ID}/pools"
    headers = signer.sign(
        "GET",
        url,
        {"Content-Type": "application/json", "X-Project-Id": PROJECT_ID},
        b"",
        AK,
        SK,
        now=datetime.now(UTC),
    )

    statuses = [requests.get(url, headers=headers, timeout=5).status_code for _ in range(3)]

    assert statuses == [200, 200, 200]


def test_a_project_the_key_does_not_own_is_forbidden(sandbox):
    response = call(sandbox, "GET", "/pools", project_id=OTHER_PROJECT_ID)

    assert response.status_code == 403
    assert response.json()["error_code"] == "ModelArts.0210"
    assert REQUEST_ID.fullmatch(response.headers["X-Request-Id"])


def test_the_project_header_must_match_the_path(sandbox):
    response = signed_request(
        "GET", f"{sandbox.url}/v2/{PROJECT_ID}/pools", ak=OTHER_AK, sk=OTHER_SK, project_id=OTHER_PROJECT_ID
    )

    assert response.status_code == 403
    assert response.json()["error_code"] == "ModelArts.0210"


def test_each_account_reaches_its_own_project(sandbox):
    response = signed_request(
        "GET",
        f"{sandbox.url}/v2/{OTHER_PROJECT_ID}/pools",
        ak=OTHER_AK,
        sk=OTHER_SK,
        project_id=OTHER_PROJECT_ID,
    )

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "message"),
    [
        ("GET", f"/v2/{PROJECT_ID}/clusters", "The API does not exist or has not been published"),
        ("GET", f"/v1/{PROJECT_ID}/pools", "The API does not exist or has not been published"),
        ("GET", f"/v2/{PROJECT_ID}/pools/", "The API does not exist or has not been published"),
        ("PUT", f"/v2/{PROJECT_ID}/pools/pool-demo", "The API does not exist."),
        ("GET", f"/v2/{PROJECT_ID}/pools/pool-demo/nodes/batch-delete", "The API does not exist."),
    ],
)
def test_unknown_routes_and_methods_are_not_found(sandbox, method, path, message):
    response = signed_request(method, f"{sandbox.url}{path}")

    assert_gateway_error(response, 404, "APIG.0101")
    assert response.json()["error_msg"].startswith(message)


def test_other_methods_are_not_found_in_the_gateway_shape(sandbox):
    response = requests.options(f"{sandbox.url}/v2/{PROJECT_ID}/pools", timeout=5)

    assert_gateway_error(response, 404, "APIG.0101")


def test_a_head_request_gets_headers_only(sandbox):
    response = requests.head(f"{sandbox.url}/v2/{PROJECT_ID}/pools", timeout=5)

    assert response.status_code == 404
    assert REQUEST_ID.fullmatch(response.headers["X-Request-Id"])
    assert response.content == b""
    assert call(sandbox, "GET", "/pools").status_code == 200


def test_an_overlong_request_line_is_refused_in_the_gateway_shape(sandbox):
    import socket

    host, port = sandbox.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as connection:
        # Exactly one byte over the stdlib's line limit, so the server reads all we sent before answering.
        connection.sendall(b"GET /" + b"a" * (65_537 - 5))
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
        answer = received.decode("latin-1")

    assert answer.startswith("HTTP/1.1 414")
    assert "X-Request-Id: " in answer
    assert '"error_code": "APIG.0201"' in answer
