"""The one application error type that services and selectors raise and views turn into a banner."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from pools.modelarts.errors import ModelArtsError

# What was being done, in the reader's language, and why it failed, as the client says it.
FAILED = _("{what} failed: {why}.")


class ApplicationError(Exception):
    """Something the user should be told, in words, on the page.

    ``field`` names a form field when the problem belongs to one; ``upstream`` keeps the ModelArts error
    (code, message, request id) when the API was the cause, so the banner can show them.
    """

    def __init__(self, message: str, *, field: str | None = None, upstream: ModelArtsError | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.upstream = upstream

    @classmethod
    def from_upstream(cls, what: str, error: ModelArtsError) -> ApplicationError:
        """``what`` says what was being done, e.g. "Listing pools of connection 'prod'"."""
        return cls(FAILED.format(what=what, why=error.title), upstream=error)

    @property
    def details(self) -> dict[str, str]:
        """What a banner shows next to the message: error code, error message, request id."""
        if self.upstream is None:
            return {}
        return {
            "status": "" if self.upstream.status is None else str(self.upstream.status),
            "error_code": self.upstream.error_code,
            "error_msg": self.upstream.error_msg,
            "request_id": self.upstream.request_id,
        }
