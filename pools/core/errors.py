"""The one application error type that services and selectors raise and views turn into a banner."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from pools.modelarts.errors import (
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InvalidResponseError,
    ModelArtsError,
    NotFoundError,
    OutcomeUnknownError,
    PermissionDeniedError,
    RequestTimeoutError,
    ServerError,
    ThrottledError,
    TransportError,
)

# What was being done, in the reader's language, and why it failed, as the client says it.
FAILED = _("{what} failed: {why}.")

# The client's titles in the reader's language (the client imports no Django, so it writes English); the
# English text of each is the client's own title.
UPSTREAM_TITLES: dict[type[ModelArtsError], Promise] = {
    ModelArtsError: _("The ModelArts API call failed"),
    AuthenticationError: _("ModelArts refused the credentials"),
    PermissionDeniedError: _("ModelArts denied permission"),
    NotFoundError: _("Not found in ModelArts"),
    ConflictError: _("ModelArts reported a conflict"),
    BadRequestError: _("ModelArts rejected the request"),
    ThrottledError: _("ModelArts is throttling requests"),
    ServerError: _("ModelArts had a server error"),
    TransportError: _("ModelArts could not be reached"),
    RequestTimeoutError: _("ModelArts did not answer in time"),
    OutcomeUnknownError: _("The change may or may not have been applied"),
    InvalidResponseError: _("ModelArts sent an answer that could not be read"),
}


def upstream_title(error: ModelArtsError) -> Promise:
    """The title of ``error``'s class (or of its nearest ancestor that has one), in the reader's language."""
    return next(UPSTREAM_TITLES[cls] for cls in type(error).__mro__ if cls in UPSTREAM_TITLES)


class ApplicationError(Exception):
    """Something the user should be told, in words, on the page.

    ``message`` may be a lazy text (``gettext_lazy``, ``format_lazy``): it is then written in the language
    active when it is read, so a failure kept in the shared cache reads in each reader's language.
    ``field`` names a form field when the problem belongs to one; ``upstream`` keeps the ModelArts error
    (code, message, request id) when the API was the cause, so the banner can show them.
    """

    def __init__(
        self, message: str | Promise, *, field: str | None = None, upstream: ModelArtsError | None = None
    ):
        super().__init__(message)
        self.lazy_message = message
        self.field = field
        self.upstream = upstream

    @property
    def message(self) -> str:
        """The message in the language active now."""
        return str(self.lazy_message)

    @classmethod
    def from_upstream(cls, what: str | Promise, error: ModelArtsError) -> ApplicationError:
        """``what`` says what was being done, e.g. "Listing pools of connection 'prod'"; pass it lazy
        (``format_lazy``) and the message is written anew in each reader's language."""
        return cls(format_lazy(FAILED, what=what, why=upstream_title(error)), upstream=error)

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
