"""Typed errors of the ModelArts client.

Every error carries what a person needs to act on it and what support needs to trace it: the HTTP status
(None when no answer came), ModelArts' ``error_code`` and ``error_msg``, the request id, and which operation
failed. Messages never contain credentials or request bodies.
"""

from __future__ import annotations


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
    """A non-idempotent call (POST) may or may not have taken effect; it is never replayed.

    Callers reconcile by reading the resource (e.g. look the pool up by name) before any retry.
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
