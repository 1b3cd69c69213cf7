"""Checking a request's ``SDK-HMAC-SHA256`` signature and project, as the gateway does (API reference §8.5).

The canonical request is rebuilt from the request exactly as received (raw path, raw query, the headers
listed in ``SignedHeaders``, the body bytes), with the client's own signer steps from
``pools.modelarts.signer``. Replays are accepted: the official SDK retries a 429 with the same signature.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pools.modelarts import signer
from pools.sandbox import errors
from pools.sandbox.accounts import AccountBook

DEFAULT_MAX_SKEW_SECONDS = 15 * 60
DATE_HEADER = "x-sdk-date"


@dataclass(frozen=True)
class ReceivedRequest:
    """A request as it came off the wire: percent-encoded path and query, header text, body bytes."""

    method: str
    path: str
    query: str
    headers: Mapping[str, str]
    body: bytes


def authenticate(
    request: ReceivedRequest, accounts: AccountBook, *, wall_now: float, max_skew_seconds: float
) -> str:
    """The caller's AK when the signature holds; ``ApiError`` 401 ``APIG.0301`` otherwise."""
    header = signer.find_header(request.headers, signer.HEADER_AUTHORIZATION)
    if not header:
        raise errors.unauthenticated("the Authorization header is missing")
    try:
        parsed = signer.parse_authorization(header)
    except ValueError:
        raise errors.unauthenticated("the Authorization header is malformed") from None
    secret = accounts.secret_for(parsed.access_key)
    if secret is None:
        raise errors.unauthenticated("Get secretKey failed,ak:***,err:ak not exist")
    if DATE_HEADER not in parsed.signed_headers:
        raise errors.unauthenticated("x-sdk-date must be a signed header")
    sdk_date = (signer.find_header(request.headers, signer.HEADER_DATE) or "").strip()
    try:
        signed_at = signer.parse_date(sdk_date).timestamp()
    except ValueError:
        raise errors.unauthenticated("the X-Sdk-Date header is missing or malformed") from None
    if abs(wall_now - signed_at) > max_skew_seconds:
        minutes = max_skew_seconds / 60
        raise errors.unauthenticated(
            f"the request has expired: X-Sdk-Date is more than {minutes:g} minutes from the server time"
        )
    expected = signer.expected_signature(
        request.method,
        request.path,
        request.query,
        request.headers,
        request.body,
        secret,
        parsed.signed_headers,
        sdk_date,
    )
    if not signer.signatures_match(expected, parsed.signature):
        raise errors.unauthenticated("verify aksk signature fail")
    return parsed.access_key


def authorize_project(accounts: AccountBook, ak: str, project_id: str, headers: Mapping[str, str]) -> None:
    """403 ``ModelArts.0210`` when the AK does not own the path's project or X-Project-Id disagrees."""
    declared = signer.find_header(headers, "X-Project-Id")
    if declared is not None and declared.strip() != project_id:
        raise errors.project_mismatch()
    if not accounts.owns(ak, project_id):
        raise errors.project_mismatch()
