"""The one application error type: services raise it, views turn it into a banner or message."""

from __future__ import annotations


class ApplicationError(Exception):
    """A refusal or failure a person can read and act on. The message never holds a secret."""

    def __init__(self, message: str, *, extra: dict | None = None) -> None:
        self.message = message
        self.extra = extra or {}
        super().__init__(message)
