"""How a JSON webhook delivery is signed, and how a receiver verifies it (docs/security.md, "Webhook
signatures").

The body is the exact bytes sent. It holds the delivery's ``id`` and its ``timestamp`` (Unix seconds), so
the signature, an HMAC-SHA256 over those exact bytes with the destination's own secret, covers both:

    X-Signature: sha256=<hex HMAC-SHA256(secret, body)>
    X-Timestamp: <the body's "timestamp">

A receiver recomputes the HMAC over the raw body (before any JSON parsing), compares in constant time,
then refuses a delivery whose timestamp is more than ``TOLERANCE_SECONDS`` from its clock (a replay of an old
delivery) and may remember the ids it accepted within that window (a replay of a recent one). A retried
delivery keeps its id and gets a new timestamp and signature.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any

SIGNATURE_HEADER = "X-Signature"
TIMESTAMP_HEADER = "X-Timestamp"
EVENT_HEADER = "X-Notification-Event"
DELIVERY_HEADER = "X-Notification-Id"
SIGNATURE_PREFIX = "sha256="
TOLERANCE_SECONDS = 300

BAD_SIGNATURE = "the signature does not match the body"
NO_SIGNATURE = "the delivery is not signed"
BAD_TIMESTAMP = "the timestamp is missing, unreadable or not the body's"
TOO_OLD = "the timestamp is more than {seconds} s from now (a replay?)"


class SignatureError(Exception):
    """A delivery that must be refused; the message says why (never the secret)."""


def signature_of(body: bytes, secret: str) -> str:
    return SIGNATURE_PREFIX + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def signed_delivery(
    payload: Mapping[str, Any], secret: str, *, now: float | None = None
) -> tuple[bytes, dict]:
    """The body (``payload`` with the sending ``timestamp``) and the headers that sign it."""
    timestamp = int(now if now is not None else time.time())
    body = json.dumps({**payload, "timestamp": timestamp}, ensure_ascii=False, sort_keys=True).encode("utf-8")
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        SIGNATURE_HEADER: signature_of(body, secret),
        TIMESTAMP_HEADER: str(timestamp),
        EVENT_HEADER: str(payload.get("event", "")),
        DELIVERY_HEADER: str(payload.get("id", "")),
    }
    return body, headers


def verify(
    body: bytes,
    headers: Mapping[str, str],
    secret: str,
    *,
    now: float | None = None,
    tolerance: float = TOLERANCE_SECONDS,
) -> dict[str, Any]:
    """The delivery's payload when its signature and timestamp hold; raises SignatureError otherwise."""
    lowered = {name.lower(): value for name, value in headers.items()}
    signature = lowered.get(SIGNATURE_HEADER.lower(), "")
    if not signature.startswith(SIGNATURE_PREFIX):
        raise SignatureError(NO_SIGNATURE)
    if not hmac.compare_digest(signature, signature_of(body, secret)):
        raise SignatureError(BAD_SIGNATURE)
    payload = json.loads(body)
    stamp = lowered.get(TIMESTAMP_HEADER.lower(), "")
    if not stamp.isdigit() or int(stamp) != payload.get("timestamp"):
        raise SignatureError(BAD_TIMESTAMP)
    if abs((now if now is not None else time.time()) - int(stamp)) > tolerance:
        raise SignatureError(TOO_OLD.format(seconds=int(tolerance)))
    return payload
