"""Throttling of wrong passwords, in the Django cache, in the way django-axes' combination mode does it.

Log-ins are counted per (username, client address) pair, plus a generous ceiling per address:

- ``LOGIN_FAILURE_LIMIT`` (5) failures of one username from one address pause that pair only. Someone
  guessing a named account from elsewhere cannot lock its owner out, and five typos behind an office's
  NAT or proxy pause only the person who made them.
- ``LOGIN_FAILURE_ADDRESS_LIMIT`` (50) failures from one address, whatever the usernames, pause that
  address: one source cannot spray guesses over every account.

Each attempt reserves a slot in both counters (``cache.add`` then ``cache.incr``, both atomic on locmem and
Redis) before the password is checked, so parallel guesses cannot slip past a limit while earlier ones are
being checked. A counter lives ``LOGIN_FAILURE_WINDOW_SECONDS`` from its first slot. A success releases its
slots: the pair's counter is cleared and the address's slot is given back (an office is not paused by its
own log-ins); a refused attempt gives back both.

A signed-in user's password checks (approving, changing the password) are counted per session instead:
their own session's wrong guesses pause them, nobody else's log-in guesses ever do.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from pools import audit

# Tests give each test its own prefix, so counters never leak between tests sharing a cache.
KEY_PREFIX = "login-throttle"

LOCKED_OUT = _(
    "Too many failed log-in attempts from this address. Log-in is paused here: try again in {minutes} minutes."
)
RECHECKS_PAUSED = _(
    "Too many wrong passwords in this session. Password checks are paused: try again in {minutes} minutes."
)

# The scopes a lock-out names in its audit entry.
PAIR_SCOPE = "username_and_address"
ADDRESS_SCOPE = "address"
SESSION_SCOPE = "session"


def _minutes() -> int:
    return max(1, round(settings.LOGIN_FAILURE_WINDOW_SECONDS / 60))


def locked_out_message() -> str:
    return LOCKED_OUT.format(minutes=_minutes())


def rechecks_paused_message() -> str:
    return RECHECKS_PAUSED.format(minutes=_minutes())


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


def _key(kind: str, *parts: str) -> str:
    # Hashed: usernames may hold any character and the cache key must stay short and printable.
    value = "\n".join(parts)
    return f"{KEY_PREFIX}:{kind}:{hashlib.sha256(value.encode('utf-8')).hexdigest()}"


def _pair_key(username: str, ip: str) -> str:
    # "Alice" and "alice " share one counter, whatever the user model makes of case.
    return _key("pair", username.casefold(), ip)


def _address_key(ip: str) -> str:
    return _key("ip", ip)


def _reserve(key: str) -> int:
    """Take one slot in the counter at ``key``; the counter lives for one window from its first slot."""
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    for _attempt in range(3):
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
    pair_slot: int
    address_slot: int

    @property
    def refused(self) -> bool:
        return (
            self.pair_slot > settings.LOGIN_FAILURE_LIMIT
            or self.address_slot > settings.LOGIN_FAILURE_ADDRESS_LIMIT
        )

    @property
    def scopes_reaching_limit(self) -> list[str]:
        """The counters this attempt's failure fills up to their limit (each happens once per window)."""
        reached = []
        if self.pair_slot == settings.LOGIN_FAILURE_LIMIT:
            reached.append(PAIR_SCOPE)
        if self.address_slot == settings.LOGIN_FAILURE_ADDRESS_LIMIT:
            reached.append(ADDRESS_SCOPE)
        return reached


def login_attempt_begin(*, username: str, request: HttpRequest) -> Attempt:
    """Reserve this attempt's slots; check ``.refused`` before checking the password."""
    ip = client_ip(request)
    username = username.strip()
    attempt = Attempt(
        username=username,
        ip=ip,
        pair_slot=_reserve(_pair_key(username, ip)),
        address_slot=_reserve(_address_key(ip)),
    )
    if attempt.refused:
        _give_back(_pair_key(username, ip))
        _give_back(_address_key(ip))
    return attempt


def login_attempt_succeeded(attempt: Attempt) -> None:
    cache.delete(_pair_key(attempt.username, attempt.ip))
    _give_back(_address_key(attempt.ip))


def login_attempt_failed(attempt: Attempt) -> None:
    """Keep the failure's slots; audit the lock-out if this failure is the one that reached a limit."""
    scopes = attempt.scopes_reaching_limit
    if not scopes:
        return
    users = get_user_model().objects
    user = users.filter(username=attempt.username).first() or (
        users.filter(username__iexact=attempt.username).order_by("pk").first()
    )
    failures = settings.LOGIN_FAILURE_LIMIT if PAIR_SCOPE in scopes else settings.LOGIN_FAILURE_ADDRESS_LIMIT
    _record_lockout(user=user, scopes=scopes, ip=attempt.ip, failures=failures)


def _record_lockout(*, user, scopes: list[str], ip: str, failures: int) -> None:
    details = {
        "scopes": scopes,
        "ip": ip,
        "failures": failures,
        "window_seconds": settings.LOGIN_FAILURE_WINDOW_SECONDS,
        # A name that matches no account may be a password typed into the wrong field: never record it.
        "username": user.get_username() if user else "",
        "username_exists": user is not None,
    }
    audit.record(user=None, action="login.lockout", obj=user or audit.system_user(), details=details)


class PasswordChecksPaused(Exception):
    """Too many wrong passwords in this session: the check was not made."""

    def __init__(self) -> None:
        super().__init__(rechecks_paused_message())


def _recheck_key(user, request: HttpRequest | None) -> str:
    """The counter of one signed-in session's password checks (per user and address without a session)."""
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if session_key:
        return _key("session", str(user.pk), session_key)
    return _key("recheck", str(user.pk), client_ip(request))


def password_recheck(*, user, password: str, request: HttpRequest | None) -> bool:
    """Check a signed-in user's password again (changing it, re-authenticating to approve).

    Counted per session: a borrowed session cannot guess the password at leisure, and the owner's session
    is never paused by guesses made at the log-in page (nor are log-ins paused by this session's guesses).
    Raises ``PasswordChecksPaused`` instead of checking while the session's counter is full.
    """
    key = _recheck_key(user, request)
    slot = _reserve(key)
    if slot > settings.LOGIN_FAILURE_LIMIT:
        _give_back(key)
        raise PasswordChecksPaused
    if user.check_password(password):
        cache.delete(key)
        return True
    if slot == settings.LOGIN_FAILURE_LIMIT:
        _record_lockout(
            user=user, scopes=[SESSION_SCOPE], ip=client_ip(request), failures=settings.LOGIN_FAILURE_LIMIT
        )
    return False
