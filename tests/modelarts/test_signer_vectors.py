"""Known-answer vectors from the API reference (§8.7), produced by huaweicloudsdkcore 3.1.219."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from pools.modelarts import signer

AK = "AKTESTVECTOR00000001"
SK = "SKTESTVECTOR0000000000000000000000000001"
PROJECT = "f3b2c1d0e9a84b7c96d5e4f3a2b1c0d9"
HOST = "https://modelarts.cn-north-4.myhuaweicloud.com"
NOW = datetime(2025, 1, 1, 8, 0, 0, tzinfo=UTC)
JSON = {"Content-Type": "application/json", "X-Project-Id": PROJECT}


@pytest.mark.parametrize(
    ("method", "url", "headers", "body", "expected"),
    [
        pytest.param(
            "GET",
            f"{HOST}/v2/{PROJECT}/pools?workspaceId=0&status=created&labelSelector=os.modelarts%2Fname%3Dpool-demo",
            JSON,
            b"",
            "content-type;host;x-project-id;x-sdk-date, "
            "Signature=ecea6cf082a63ebcad6849121a053e81951ff200e1ac783666eefe80383cfc57",
            id="A-list-pools",
        ),
        pytest.param(
            "POST",
            f"{HOST}/v2/{PROJECT}/pools/pool-demo-7f3a9c2e1b4d4e8f9a0b1c2d3e4f5a6b/nodes/batch-delete",
            {**JSON, "User-Agent": "huaweicloud-usdk-python/3.0"},
            b'{"deleteNodeNames": ["os-node-created-abcde", "os-node-created-fghij"]}',
            "content-type;host;user-agent;x-project-id;x-sdk-date, "
            "Signature=22b82508ab8494c2a1c9a3859ca9a5327ed44840b3cc2fa7e1df3d07782745e5",
            id="B-batch-delete",
        ),
        pytest.param(
            "GET",
            f"{HOST}/v2/{PROJECT}/pools?status=creating&labelSelector=team%3Da%20b%26c&status=created"
            "&workspaceId=&flag=true",
            {**JSON, "X_Custom_Underscore": "ignored", "X-Trim": "  padded value  "},
            b"",
            "content-type;host;x-project-id;x-sdk-date;x-trim, "
            "Signature=5bbaa926c0db1aaa73d1d3b6bba883a0592947d91c4d8aa260355be24533be42",
            id="C-edge-cases",
        ),
        pytest.param(
            "POST",
            f"{HOST}/v2/{PROJECT}/pools",
            {"Content-Type": "text/plain", "X-Project-Id": PROJECT},
            b"hello",
            "content-type;host;x-project-id;x-sdk-content-sha256;x-sdk-date, "
            "Signature=85b6c3a91d7503ea51e363bc9ace84251356a0d2a95d52bebbd3d0222d72f556",
            id="D-unsigned-payload",
        ),
        # Found by the property test against the official signer (test_signer_official.py): the SDK reads a
        # declared payload hash after stripping header values, so padding is ignored and blank means "hash".
        pytest.param(
            "POST",
            f"{HOST}/v2/{PROJECT}/pools",
            {**JSON, "X-Sdk-Content-Sha256": "  UNSIGNED-PAYLOAD  "},
            b'{"a": 1}',
            "content-type;host;x-project-id;x-sdk-content-sha256;x-sdk-date, "
            "Signature=f429be292f87d8474602aaf1aac8925e67b2a8670c530cd56b997d1c48eff6b5",
            id="E-padded-declared-payload-hash",
        ),
        pytest.param(
            "POST",
            f"{HOST}/v2/{PROJECT}/pools",
            {**JSON, "X-Sdk-Content-Sha256": "   "},
            b'{"a": 1}',
            "content-type;host;x-project-id;x-sdk-content-sha256;x-sdk-date, "
            "Signature=a2018219193a0d478cbe4573cdd75243b6deb756d1f85f2319d983225b5c74d6",
            id="F-blank-declared-payload-hash",
        ),
    ],
)
def test_published_vectors(method, url, headers, body, expected):
    result = signer.sign(method, url, headers, body, AK, SK, now=NOW)
    assert result["Authorization"] == f"SDK-HMAC-SHA256 Access={AK}, SignedHeaders={expected}"
    assert result["X-Sdk-Date"] == "20250101T080000Z"
    assert result["Host"] == "modelarts.cn-north-4.myhuaweicloud.com"


def test_given_date_is_kept_and_host_keeps_its_port():
    result = signer.sign(
        "GET",
        "http://127.0.0.1:8123/v2/p/pools",
        {"x-sdk-date": "20240229T235959Z"},
        b"",
        "ak",
        "sk",
        now=NOW,
    )
    assert result["x-sdk-date"] == "20240229T235959Z" and "X-Sdk-Date" not in result
    assert result["Host"] == "127.0.0.1:8123"


def test_a_given_date_in_any_case_needs_no_clock_and_none_at_all_is_refused():
    signed = signer.sign(
        "GET", f"{HOST}/v2/p/pools", {"x-sdk-date": "20250101T080000Z"}, b"", AK, SK, now=None
    )

    assert signed["x-sdk-date"] == "20250101T080000Z" and "X-Sdk-Date" not in signed
    with pytest.raises(ValueError, match="X-Sdk-Date"):
        signer.sign("GET", f"{HOST}/v2/p/pools", {}, b"", AK, SK, now=None)


def test_each_signature_carries_the_second_of_its_own_clock_time_in_utc():
    def date_at(now):
        return signer.sign("GET", f"{HOST}/v2/p/pools", {}, b"", AK, SK, now=now)["X-Sdk-Date"]

    assert date_at(NOW) == "20250101T080000Z"
    assert date_at(NOW + timedelta(microseconds=999_999)) == "20250101T080000Z"
    assert date_at(NOW + timedelta(seconds=1)) == "20250101T080001Z"
    assert date_at(datetime(2025, 1, 1, 16, 0, 0, tzinfo=timezone(timedelta(hours=8)))) == "20250101T080000Z"
    assert date_at(datetime(2025, 1, 1, 8, 0, 0, 999_999)) == "20250101T080000Z"  # naive: taken as UTC


def test_both_keys_are_needed():
    with pytest.raises(ValueError, match="secret key"):
        signer.sign("GET", f"{HOST}/v2/p/pools", {}, b"", AK, "", now=NOW)
    with pytest.raises(ValueError, match="access key"):
        signer.sign("GET", f"{HOST}/v2/p/pools", {}, b"", "", SK, now=NOW)


def test_input_headers_are_not_mutated():
    headers = {"X-Trim": "  a  "}
    signer.sign("GET", f"{HOST}/v2/p/pools", headers, b"", "ak", "sk", now=NOW)
    assert headers == {"X-Trim": "  a  "}


def test_server_side_recomputation_matches_client_signature():
    body = '{"name": "训练"}'.encode()
    signed = signer.sign("POST", f"{HOST}/v2/p/pools?a=1", {**JSON, "X-Note": "ü"}, body, AK, SK, now=NOW)
    auth = signer.parse_authorization(signed["Authorization"])
    expected = signer.expected_signature(
        "POST", "/v2/p/pools", "a=1", signed, body, SK, auth.signed_headers, signed["X-Sdk-Date"]
    )
    assert signer.signatures_match(expected, auth.signature)


@pytest.mark.parametrize(
    "value",
    ["", "Bearer x", "SDK-HMAC-SHA256 Access=a", "SDK-HMAC-SHA256 Access=a, SignedHeaders=, Signature=s"],
)
def test_malformed_authorization_is_rejected(value):
    with pytest.raises(ValueError):
        signer.parse_authorization(value)
