"""Encryption of secrets at rest: the one module that encrypts or decrypts.

MultiFernet over FIELD_ENCRYPTION_KEYS (newest first): new values are sealed with the newest key, every key
can still open old ones, and rotate() re-seals a token under the newest key.
"""

from __future__ import annotations

import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver


class DecryptionError(Exception):
    """A stored secret could not be opened with any configured key."""


def configured_keys() -> list[str]:
    keys = [key.strip() for key in settings.FIELD_ENCRYPTION_KEYS if key.strip()]
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must name at least one Fernet key.")
    return keys


@functools.cache
def _fernet() -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.encode()) for key in configured_keys()])
    except ValueError as error:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS holds a value that is not a Fernet key.") from error


@receiver(setting_changed)
def _forget_keys(*, setting: str, **_: object) -> None:
    if setting in {"FIELD_ENCRYPTION_KEYS"}:
        _fernet.cache_clear()


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError, UnicodeError) as error:
        raise DecryptionError("the secret cannot be decrypted with the configured keys") from error


def rotate(token: str) -> str:
    """Re-encrypt ``token`` under the newest key (a no-op in effect when it already is)."""
    try:
        return _fernet().rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, ValueError) as error:
        raise DecryptionError("the secret cannot be decrypted with the configured keys") from error


def check_configuration() -> None:
    """Fail at start, not at first use, when keys are missing or malformed."""
    _fernet()
