"""Typed errors of the ModelArts client.

Every error carries what a person needs to act on it and what support needs to trace it: the HTTP status
(None when no answer came), ModelArts' ``error_code`` and ``error_msg``, the request id, and which operation
failed. Messages never contain credentials or request bodies.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

REQUEST_ID_HEADER = "X-Request-Id"
EXCERPT_LENGTH = 200
# The key pairs the SDK looks for in an error body, in its order (§9.2).
ERROR_KEY_PAIRS = (("error_code", "error_msg"), ("errorCode", "errorMsg"), ("code", "message"))
_NESTING_LIMIT = 8
_EXCERPT_SCAN = 65536  # only the start of a huge error page is looked at


class ModelArtsError(Exception):
    """Base of every failure the client reports."""

    kind = "error"
    title = "The ModelArts API call failed"

    def __init__(
        self,
        message: str = "",
        *,
        operation: str = "",
        status: int | None = None,
        error_code: str = "",
        error_msg: str = "",
        request_id: str = "",
    ) -> None:
        self.operation = operation
        self.status = status
        self.error_code = error_code
        self.error_msg = error_msg or message
        self.request_id = request_id
        super().__init__(message or error_msg or self.title)

    def __str__(self) -> str:
        parts = [self.title]
        if self.operation:
            parts.append(f"operation {self.operation}")
        if self.status is not None:
            parts.append(f"HTTP {self.status}")
        if self.error_code:
            parts.append(self.error_code)
        if self.error_msg:
            parts.append(self.error_msg)
        if self.request_id:
            parts.append(f"request id {self.request_id}")
        return ": ".join(parts[:1]) + (" (" + "; ".join(parts[1:]) + ")" if len(parts) > 1 else "")


class AuthenticationError(ModelArtsError):
    """401: unknown AK, wrong SK, bad signature, clock skew."""

    kind = "auth"
    title = "ModelArts refused the credentials"


class PermissionDeniedError(ModelArtsError):
    """403: the account may not do this, or the project does not match."""

    kind = "permission"
    title = "ModelArts denied permission"


class NotFoundError(ModelArtsError):
    """404: no such pool (ModelArts.50015001) or no such API."""

    kind = "not_found"
    title = "Not found in ModelArts"


class ConflictError(ModelArtsError):
    """409: e.g. a pool with that name already exists (ModelArts.50015000)."""

    kind = "conflict"
    title = "ModelArts reported a conflict"


class BadRequestError(ModelArtsError):
    """400 and other 4xx: the request was invalid."""

    kind = "bad_request"
    title = "ModelArts rejected the request"


class ThrottledError(ModelArtsError):
    """429: rate limited; ``retry_after`` seconds as the server asked, when it said."""

    kind = "throttled"
    title = "ModelArts is throttling requests"

    def __init__(self, message: str = "", *, retry_after: float | None = None, **fields) -> None:
        self.retry_after = retry_after
        super().__init__(message, **fields)


class ServerError(ModelArtsError):
    """5xx from ModelArts or the gateway."""

    kind = "server"
    title = "ModelArts had a server error"


class TransportError(ModelArtsError):
    """No usable answer: connection refused or dropped, DNS, TLS, or timeout."""

    kind = "transport"
    title = "ModelArts could not be reached"


class RequestTimeoutError(TransportError):
    """The call did not complete within the per-attempt timeout or the overall deadline."""

    kind = "timeout"
    title = "ModelArts did not answer in time"


class OutcomeUnknownError(TransportError):
    """A change may or may not have taken effect.

    Raised when a POST's answer was lost (it is never replayed), and when a DELETE whose first attempt was
    lost or answered 5xx finds nothing to delete on retry (``status`` is then 404). Callers reconcile by
    reading the resource (e.g. look the pool up by name) before any retry.
    """

    kind = "outcome_unknown"
    title = "The change may or may not have been applied"


class InvalidResponseError(ModelArtsError):
    """The answer was not JSON, or not the shape the operation promises."""

    kind = "invalid_response"
    title = "ModelArts sent an answer that could not be read"


def error_for_status(status: int) -> type[ModelArtsError]:
    """The error class for an HTTP status of 400 or more."""
    if status == 401:
        return AuthenticationError
    if status == 403:
        return PermissionDeniedError
    if status == 404:
        return NotFoundError
    if status == 409:
        return ConflictError
    if status == 429:
        return ThrottledError
    if status >= 500:
        return ServerError
    return BadRequestError


def excerpt(text: str, limit: int = EXCERPT_LENGTH) -> str:
    """A short, single-line summary of a non-JSON body: an HTML page's title (or its text), never the page."""
    title = re.search(r"<title[^>]*>(.*?)</title>", text, re.IGNORECASE | re.DOTALL)
    if title and title.group(1).strip():
        text = title.group(1)
    elif "<" in text and ">" in text:
        text = re.sub(r"<(script|style)\b.*?</\1\s*>", " ", text, flags=re.IGNORECASE | re.DOTALL)
        text = re.sub(r"<[^>]*>", " ", text)
    text = " ".join(html.unescape(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _find_error_pair(body: Mapping[str, Any], depth: int = 0) -> tuple[str, str] | None:
    for code_key, msg_key in ERROR_KEY_PAIRS:
        if code_key in body and msg_key in body:
            code, msg = body[code_key], body[msg_key]
            return ("" if code is None else str(code)), ("" if msg is None else str(msg))
    if depth >= _NESTING_LIMIT:
        return None
    # Then inside nested objects, as the SDK does; the first match wins.
    for value in body.values():
        if isinstance(value, dict) and (found := _find_error_pair(value, depth + 1)):
            return found
    return None


def error_fields(status: int, body: bytes) -> tuple[str, str, str]:
    """(error_code, error_msg, request_id from the body) of an error answer.

    JSON bodies give their ``error_code``/``error_msg`` (or the SDK's other spellings). Anything else gives
    the status as the code and a short excerpt of the body as the message.
    """
    text = body.decode("utf-8", "replace")
    try:
        parsed = json.loads(text) if text.strip() else None
    except (ValueError, RecursionError):
        parsed = None
    if isinstance(parsed, dict):
        found = _find_error_pair(parsed)
        body_request_id = parsed.get("request_id")
        body_request_id = body_request_id if isinstance(body_request_id, str) else ""
        if found and (found[0] or found[1]):
            code, msg = found
            return code or str(status), msg or excerpt(text[:_EXCERPT_SCAN]), body_request_id
        return str(status), excerpt(text[:_EXCERPT_SCAN]), body_request_id
    return str(status), excerpt(text[:_EXCERPT_SCAN]), ""


def header_request_id(headers: Mapping[str, str]) -> str:
    """The ``X-Request-Id`` response header, its name compared without case."""
    wanted = REQUEST_ID_HEADER.lower()
    for name, value in headers.items():
        if name.lower() == wanted:
            return str(value).strip()
    return ""


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every occurrence of a secret replaced by ``***`` (for text a server echoes back)."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def error_from_response(
    operation: str,
    status: int,
    body: bytes,
    headers: Mapping[str, str],
    *,
    retry_after: float | None = None,
    secrets: Iterable[str] = (),
) -> ModelArtsError:
    """The typed error for an answer with status 400 or more.

    The request id comes from the ``X-Request-Id`` header, else from the body's ``request_id``.
    ``secrets`` (the AK and SK) are blanked out of whatever the server said.
    """
    code, msg, body_request_id = error_fields(status, body)
    secrets = tuple(secrets)
    fields = {
        "operation": operation,
        "status": status,
        "error_code": redact(code, secrets),
        "error_msg": redact(msg, secrets),
        "request_id": header_request_id(headers) or body_request_id,
    }
    error_class = error_for_status(status)
    if issubclass(error_class, ThrottledError):
        return error_class(retry_after=retry_after, **fields)
    return error_class(**fields)
