"""A ``requests`` auth adapter that signs every prepared request with SDK-HMAC-SHA256."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import requests

from pools.modelarts import signer

# Headers `requests` adds on its own, or that hops may rewrite (hop-by-hop, framing). The SDK never signs
# them either: it signs before `requests` adds its defaults. Signing them would break at the first proxy.
UNSIGNED_HEADERS = frozenset(
    {
        "accept",
        "accept-encoding",
        "connection",
        "content-length",
        "keep-alive",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)
# Left over from an earlier signing of the same request; always computed afresh.
_RESIGNED = frozenset({"authorization", "x-sdk-date", "host"})


def utc_now() -> datetime:
    return datetime.now(UTC)


class SdkHmacAuth(requests.auth.AuthBase):
    """Signs the request as it will be sent: its method, URL (path and query), headers and body bytes.

    Each call signs afresh with a new ``X-Sdk-Date``, so a retried request is re-signed, never replayed
    with a stale date.
    """

    def __init__(self, ak: str, sk: str, *, now: Callable[[], datetime] = utc_now) -> None:
        if not ak or not sk:
            raise ValueError("both an access key and a secret key are needed to sign")
        self._ak = ak
        self._sk = sk
        self._now = now

    def __repr__(self) -> str:
        return f"{type(self).__name__}(ak=***, sk=***)"

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        to_sign: dict[str, str] = {}
        unsigned: dict[str, str] = {}
        for name, value in request.headers.items():
            lower = name.lower()
            if lower in _RESIGNED:
                continue
            (unsigned if lower in UNSIGNED_HEADERS else to_sign)[name] = value
        body = request.body
        if body is None:
            body = b""
        elif isinstance(body, str):
            body = body.encode("iso-8859-1")  # what http.client sends for a text body
        elif not isinstance(body, bytes | bytearray):
            raise TypeError("only a body given as bytes or text can be signed")
        signed = signer.sign(
            request.method or "GET",
            request.url or "",
            to_sign,
            bytes(body),
            self._ak,
            self._sk,
            now=self._now(),
        )
        request.headers.clear()
        request.headers.update(signed)
        request.headers.update(unsigned)
        return request
