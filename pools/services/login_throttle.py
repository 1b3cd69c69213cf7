"""Throttling of failed log-ins, per username and per client address, in the Django cache.

Each attempt reserves a slot in two counters (``cache.add`` then ``cache.incr``, both atomic on locmem and
Redis) before the password is checked. Once a counter has ``LOGIN_FAILURE_LIMIT`` slots taken, further
attempts are refused without checking the password until the counter expires, ``LOGIN_FAILURE_WINDOW_SECONDS``
after the first failure. A success releases its slots: the username's counter is cleared, the address's
slot is given back (an office behind one address is not locked out by its own log-ins); a refused attempt
gives back both, so hammering from a locked address does not also fill a victim's username counter.
Reserving first means parallel guesses cannot slip past the limit while earlier ones are being checked.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.http import HttpRequest

from pools import audit

# Tests give each test its own prefix, so counters never leak between tests sharing a cache.
KEY_PREFIX = "login-throttle"

LOCKED_OUT = (
    "Too many failed log-in attempts for this account or from this address. "
    "Log-in is paused: try again in {minutes} minutes."
)


def locked_out_message() -> str:
    minutes = max(1, round(settings.LOGIN_FAILURE_WINDOW_SECONDS / 60))
    return LOCKED_OUT.format(minutes=minutes)


def client_ip(request: HttpRequest | None) -> str:
    """The client's address: REMOTE_ADDR, or the entry our own ``TRUSTED_PROXY_COUNT`` proxies appended.

    Entries left of those are whatever the client claimed, so they are never trusted. Without a request
    (a form used outside a view) all attempts share the address "unknown".
    """
    if request is None:
        return "unknown"
    proxies = settings.TRUSTED_PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    return forwarded[-proxies] if len(forwarded) >= proxies else remote


def _key(kind: str, value: str) -> str:
    # Hashed: usernames may hold any character and the cache key must stay short and printable.
    return f"{KEY_PREFIX}:{kind}:{hashlib.sha256(value.encode('utf-8')).hexdigest()}"


def _username_key(username: str) -> str:
    # "Alice" and "alice " share one counter, whatever the user model makes of case.
    return _key("user", username.casefold())


def _reserve(key: str) -> int:
    """Take one slot in the counter at ``key``; the counter lives for one window from its first slot."""
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    for _ in range(3):
        cache.add(key, 0, timeout=window)
        try:
            return cache.incr(key)
        except ValueError:
            continue  # expired between add and incr: start a new window
    raise RuntimeError(f"the login throttle counter {key} could not be created in the cache")


def _give_back(key: str) -> None:
    try:
        cache.decr(key)
    except ValueError:
        pass  # the window ended meanwhile: nothing left to give back


@dataclass(frozen=True)
class Attempt:
    """One log-in attempt's reserved slots. ``refused`` means: do not check the password."""

    username: str  # as typed, stripped
    ip: str
    username_slot: int
    ip_slot: int

    @property
    def refused(self) -> bool:
        limit = settings.LOGIN_FAILURE_LIMIT
        return self.username_slot > limit or self.ip_slot > limit

    @property
    def scopes_reaching_limit(self) -> list[str]:
        """The counters this attempt's failure fills up to the limit (each happens once per window)."""
        limit = settings.LOGIN_FAILURE_LIMIT
        return [
            scope for scope, slot in (("username", self.username_slot), ("ip", self.ip_slot)) if slot == limit
        ]


def login_attempt_begin(*, username: str, request: HttpRequest) -> Attempt:
    """Reserve this attempt's slots; check ``.refused`` before checking the password."""
    ip = client_ip(request)
    username = username.strip()
    attempt = Attempt(
        username=username,
        ip=ip,
        username_slot=_reserve(_username_key(username)),
        ip_slot=_reserve(_key("ip", ip)),
    )
    if attempt.refused:
        _give_back(_username_key(username))
        _give_back(_key("ip", ip))
    return attempt


def login_attempt_succeeded(attempt: Attempt) -> None:
    cache.delete(_username_key(attempt.username))
    _give_back(_key("ip", attempt.ip))


def login_attempt_failed(attempt: Attempt) -> None:
    """Keep the failure's slots; audit the lock-out if this failure is the one that reached the limit."""
    scopes = attempt.scopes_reaching_limit
    if not scopes:
        return
    users = get_user_model().objects
    user = users.filter(username=attempt.username).first() or (
        users.filter(username__iexact=attempt.username).order_by("pk").first()
    )
    details = {
        "scopes": scopes,
        "ip": attempt.ip,
        "failures": settings.LOGIN_FAILURE_LIMIT,
        "window_seconds": settings.LOGIN_FAILURE_WINDOW_SECONDS,
        # A name that matches no account may be a password typed into the wrong field: never record it.
        "username": user.get_username() if user else "",
        "username_exists": user is not None,
    }
    audit.record(user=None, action="login.lockout", obj=user or audit.system_user(), details=details)


class PasswordChecksPaused(Exception):
    """Too many wrong passwords for this user or from this address: the check was not made."""

    def __init__(self) -> None:
        super().__init__(locked_out_message())


def password_recheck(*, user, password: str, request: HttpRequest | None) -> bool:
    """Check a signed-in user's password again (changing it, re-authenticating to approve).

    Counted in the same counters as log-ins, so a borrowed session cannot guess the password at leisure.
    Raises ``PasswordChecksPaused`` instead of checking while a counter is full.
    """
    attempt = login_attempt_begin(username=user.get_username(), request=request)
    if attempt.refused:
        raise PasswordChecksPaused
    if user.check_password(password):
        login_attempt_succeeded(attempt)
        return True
    login_attempt_failed(attempt)
    return False
