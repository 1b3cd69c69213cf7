"""The requests adapter: signs what is sent, leaves transport headers unsigned, re-signs every time."""

from datetime import UTC, datetime

import pytest
import requests

from pools.modelarts import signer
from pools.modelarts.auth import SdkHmacAuth
from tests.fixtures.modelarts import fixed_now

AK, SK = "AK-AUTH-TEST", "SK-AUTH-TEST-secret"


def prepare(method="POST", url="https://modelarts.example.com:8443/v2/p/pools?b=2&a=1", data=b'{"a": 1}'):
    session = requests.Session()
    request = requests.Request(method, url, data=data, headers={"Content-Type": "application/json"})
    return session.prepare_request(request)


def test_signs_the_body_bytes_url_and_own_headers_but_not_transport_headers():
    prepared = prepare()
    assert "Accept-Encoding" in prepared.headers and "Content-Length" in prepared.headers

    SdkHmacAuth(AK, SK, now=fixed_now())(prepared)

    auth = signer.parse_authorization(prepared.headers["Authorization"])
    assert auth.signed_headers == ["content-type", "host", "user-agent", "x-sdk-date"]
    assert prepared.headers["Host"] == "modelarts.example.com:8443"
    assert prepared.headers["X-Sdk-Date"] == "20250101T080000Z"
    assert prepared.headers["Content-Length"] == "8"  # still sent, just not signed
    expected = signer.expected_signature(
        "POST",
        "/v2/p/pools",
        "b=2&a=1",
        dict(prepared.headers),
        b'{"a": 1}',
        SK,
        auth.signed_headers,
        "20250101T080000Z",
    )
    assert expected == auth.signature


def test_signing_again_replaces_date_and_signature():
    prepared = prepare()
    auth = SdkHmacAuth(
        AK, SK, now=fixed_now(datetime(2025, 1, 1, 8, 0, tzinfo=UTC), datetime(2025, 1, 1, 8, 5, tzinfo=UTC))
    )
    auth(prepared)
    first = prepared.headers["Authorization"]

    auth(prepared)

    assert prepared.headers["X-Sdk-Date"] == "20250101T080500Z"
    assert prepared.headers["Authorization"] != first
    assert list(prepared.headers).count("Authorization") == 1


def test_a_text_body_is_signed_as_the_bytes_http_client_sends():
    prepared = prepare(data="caf\u00e9")
    SdkHmacAuth(AK, SK, now=fixed_now())(prepared)
    auth = signer.parse_authorization(prepared.headers["Authorization"])
    expected = signer.expected_signature(
        "POST",
        "/v2/p/pools",
        "b=2&a=1",
        dict(prepared.headers),
        "caf\u00e9".encode("iso-8859-1"),
        SK,
        auth.signed_headers,
        "20250101T080000Z",
    )
    assert expected == auth.signature


def test_needs_both_keys_and_hides_them():
    with pytest.raises(ValueError):
        SdkHmacAuth("", SK)
    assert SK not in repr(SdkHmacAuth(AK, SK)) and AK not in repr(SdkHmacAuth(AK, SK))
