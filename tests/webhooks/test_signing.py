"""The webhook signature: HMAC-SHA256 over the exact body (which holds the timestamp), checked as a receiver
checks it."""

import hashlib
import hmac
import json

import pytest

from pools.webhooks.signing import (
    BAD_SIGNATURE,
    BAD_TIMESTAMP,
    NO_SIGNATURE,
    SignatureError,
    signed_delivery,
    verify,
)

SECRET = "a-receiver-secret-0123456789"
NOW = 1_800_000_000


def test_the_signature_is_hmac_sha256_of_the_exact_body_which_holds_the_timestamp():
    body, headers = signed_delivery({"id": "d1", "event": "pool_failed"}, SECRET, now=NOW)
    expected = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Signature"] == f"sha256={expected}"
    assert headers["X-Timestamp"] == str(NOW) and json.loads(body)["timestamp"] == NOW
    assert headers["X-Notification-Id"] == "d1" and headers["X-Notification-Event"] == "pool_failed"
    assert verify(body, headers, SECRET, now=NOW + 10)["event"] == "pool_failed"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda body, headers: (body.replace(b"pool_failed", b"pool_fixed"), headers), BAD_SIGNATURE),
        (lambda body, headers: (body, {**headers, "X-Signature": "sha256=" + "0" * 64}), BAD_SIGNATURE),
        (lambda body, headers: (body, {**headers, "X-Signature": ""}), NO_SIGNATURE),
        (lambda body, headers: (body, {**headers, "X-Timestamp": str(NOW + 1)}), BAD_TIMESTAMP),
    ],
)
def test_a_changed_body_signature_or_timestamp_is_refused(change, reason):
    body, headers = change(*signed_delivery({"id": "d1", "event": "pool_failed"}, SECRET, now=NOW))
    with pytest.raises(SignatureError, match=reason):
        verify(body, headers, SECRET, now=NOW)


def test_another_secret_and_an_old_delivery_are_refused():
    body, headers = signed_delivery({"id": "d1"}, SECRET, now=NOW)
    with pytest.raises(SignatureError, match=BAD_SIGNATURE):
        verify(body, headers, "another-secret-0123456789", now=NOW)
    with pytest.raises(SignatureError, match="a replay"):
        verify(body, headers, SECRET, now=NOW + 301)
    assert verify(body, {k.lower(): v for k, v in headers.items()}, SECRET, now=NOW + 299)["id"] == "d1"
