"""Cached, single-flight reads: the one way selectors reach the ModelArts API.

Many people keep the same pages open and htmx polls them, so identical reads must not multiply upstream.
``cached_read`` keeps each answer for ``SELECTOR_CACHE_SECONDS`` per (connection, operation, parameters) and
lets concurrent identical reads share ONE upstream call:

* within a process, the first caller leads and the others wait on its ``threading.Event``;
* across processes (a shared cache such as Redis), the leader holds ``cache.add(lock_key, ...)``; callers that
  lose the race poll the cache for the leader's answer until a deadline, then call upstream themselves.

Failures are shared the same way (a throttled API must not be hit harder by the people waiting on it) and
kept for the same short time. The last good answer is also kept for ``SELECTOR_STALE_SECONDS``: when a read
fails, the caller gets the error AND that stale copy with its age, so pages can show both.

An answer is pickled once, here, and the same bytes are stored as both the fresh and the stale copy (the
backend's own pickling of bytes is a copy): a list of hundreds of pools is costly to pickle. ModelArts errors
do not pickle faithfully (their fields are keyword-only), so a failure is stored as plain fields and rebuilt
on the way out.
"""

from __future__ import annotations

import hashlib
import json
import math
import pickle
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from pools.core.errors import ApplicationError
from pools.modelarts.errors import ModelArtsError, ThrottledError
from pools.selectors.concurrent import waiting_on_upstream

T = TypeVar("T")

KEY_PREFIX = "pools:read"
# How long a waiter polls the shared cache between looks, growing from the first to the last value.
# Short: a page that joins a read another process started shows within 10 ms of the answer (a look is one
# cheap GET, and only while a read is in flight).
POLL_FIRST_SECONDS = 0.005
POLL_MAX_SECONDS = 0.01


@dataclass(frozen=True)
class ReadResult(Generic[T]):
    """What a selector returns: never raises for an upstream failure.

    ``value`` is the answer, or the last good one when ``stale`` (then ``error`` says why it is stale), or None
    when the read failed with nothing to fall back on. ``fetched_at`` is when ``value`` came from upstream.
    """

    value: T | None
    fetched_at: datetime | None
    stale: bool = False
    error: ApplicationError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def has_value(self) -> bool:
        return self.value is not None

    @property
    def age_seconds(self) -> float | None:
        if self.fetched_at is None:
            return None
        return max(0.0, (timezone.now() - self.fetched_at).total_seconds())


@dataclass(frozen=True)
class _Entry:
    """One upstream outcome as stored in the cache."""

    fetched_at: datetime
    value: Any = None
    failure: Mapping[str, Any] | None = None


@dataclass
class _Flight:
    done: threading.Event = field(default_factory=threading.Event)
    entry: _Entry | None = None


_flights: dict[str, _Flight] = {}
_flights_lock = threading.Lock()


def read_key(connection_id: int | str, operation: str, params: Mapping[str, Any] | None) -> str:
    """The cache key of one read. Parameters are canonical JSON, hashed to keep keys short and safe."""
    canonical = json.dumps(dict(params or {}), sort_keys=True, separators=(",", ":"), default=str)
    digest = hashlib.sha256(canonical.encode()).hexdigest()[:32]
    return f"{KEY_PREFIX}:{connection_id}:{operation}:{digest}"


def cached_read(
    *,
    connection_id: int | str,
    operation: str,
    params: Mapping[str, Any] | None,
    fetch: Callable[[], T],
    what: str,
    refresh: bool = False,
) -> ReadResult[T]:
    """Read through the cache; ``fetch`` runs at most once per key at a time, across threads and processes.

    ``fetch`` may raise ``ModelArtsError`` or ``ApplicationError``; both become ``ReadResult.error``, with
    ``what`` (e.g. "Listing pools of connection 'prod'") saying what failed. ``refresh`` ignores the cached
    answer for this key, but still joins a call already in flight rather than starting another.
    """
    key = read_key(connection_id, operation, params)
    if not refresh and hasattr(cache, "get_or_add"):
        return _read_with_one_look(key, fetch, what)
    # A refresh accepts only an answer that arrived after it was asked for; a plain read accepts any.
    not_before = timezone.now() if refresh else None
    cached = _get(_fresh_key(key))
    if _usable(cached, not_before):
        return _result(key, cached)

    with _flights_lock:
        flight = _flights.get(key)
        leading = flight is None
        if leading:
            flight = _flights[key] = _Flight()

    if not leading:
        return _joined(key, flight, fetch, what)
    return _flown(key, flight, lambda: _lead(key, fetch, what, not_before=not_before))


def _read_with_one_look(key: str, fetch: Callable[[], Any], what: str) -> ReadResult[Any]:
    """A plain read where the cache can look for the answer and, finding none, take the lock in one round
    trip (Redis): one round trip for a cached answer, and one more to store a new one and unlock.

    Every round trip before the request leaves delays the page (and, with a dozen reads of one page in
    flight, each also waits its turn for the interpreter), so the generic path's separate look, lock and
    look again become one.
    """
    lock_key, lock_token = _lock_key(key), uuid.uuid4().hex
    stored, locked = cache.get_or_add(_fresh_key(key), lock_key, lock_token, _timeout(_wait_seconds()))
    if stored is not None:
        return _result(key, _loaded(stored))
    if not locked:
        # A thread of this process or another process is calling: join it, or wait for its answer.
        with _flights_lock:
            flight = _flights.get(key)
        if flight is not None:
            return _joined(key, flight, fetch, what)
        return _result(key, _awaited(key, fetch, what, not_before=None))

    flight = _Flight()
    with _flights_lock:
        # Normally free: this process's threads lead only while they hold the lock, which is ours now.
        registered = _flights.setdefault(key, flight) is flight
    return _flown(key, flight, lambda: _call(key, fetch, what, release=(lock_key, lock_token)), registered)


def _flown(key: str, flight: _Flight, lead: Callable[[], _Entry], registered: bool = True) -> ReadResult[Any]:
    """``lead`` run as this process's ``flight`` for ``key``: its waiters get the entry, and the flight leaves
    the table (if it was registered there) whatever happens."""
    try:
        flight.entry = lead()
    finally:
        if registered:
            with _flights_lock:
                _flights.pop(key, None)
        flight.done.set()
    return _result(key, flight.entry)


def _joined(key: str, flight: _Flight, fetch: Callable[[], Any], what: str) -> ReadResult[Any]:
    """The answer of a call this process's ``flight`` is making."""
    waiting_on_upstream()
    if flight.done.wait(_wait_seconds()) and flight.entry is not None:
        return _result(key, flight.entry)
    # The leader is stuck past every deadline or crashed: answer this caller on its own.
    return _result(key, _call(key, fetch, what))


def read_generation(connection_id: int | str) -> str:
    """The connection's current read generation; it is part of every read key of that connection."""
    return cache.get(_generation_key(connection_id)) or "0"


def read_generations(connection_ids: Iterable[int | str]) -> dict[int | str, str]:
    """``read_generation`` of each connection, in one round trip."""
    keys = {connection_id: _generation_key(connection_id) for connection_id in connection_ids}
    found = cache.get_many(keys.values()) if keys else {}
    return {connection_id: found.get(key) or "0" for connection_id, key in keys.items()}


def _generation_key(connection_id: int | str) -> str:
    return f"{KEY_PREFIX}:{connection_id}:generation"


def forget_connection(connection_id: int | str) -> None:
    """Make every cached read of a connection miss from now on, e.g. after a change was executed there.

    A new generation changes every key at once, in every worker sharing the cache; old entries expire unseen.
    """
    cache.set(_generation_key(connection_id), uuid.uuid4().hex, timeout=None)


def forget(connection_id: int | str, operation: str, params: Mapping[str, Any] | None) -> None:
    """Drop the fresh answer of one read (e.g. after a change), keeping the stale copy."""
    cache.delete(_fresh_key(read_key(connection_id, operation, params)))


def _usable(entry: _Entry | None, not_before: datetime | None) -> bool:
    return entry is not None and (not_before is None or entry.fetched_at >= not_before)


def _lead(key: str, fetch: Callable[[], Any], what: str, *, not_before: datetime | None) -> _Entry:
    lock_key, lock_token = _lock_key(key), uuid.uuid4().hex
    # Take the lock, and look again: a call may have finished between this caller's first look and now.
    locked, latest = _lock_and_look(lock_key, lock_token, _fresh_key(key))
    if locked:
        try:
            if _usable(latest, not_before):
                return latest
            return _call(key, fetch, what)
        finally:
            _unlock(lock_key, lock_token)
    return _awaited(key, fetch, what, not_before=not_before)


def _awaited(key: str, fetch: Callable[[], Any], what: str, *, not_before: datetime | None) -> _Entry:
    """The answer of whoever holds the lock, or, when none comes, this caller's own call."""
    entry = _poll_for_answer(key, not_before)
    return entry if entry is not None else _call(key, fetch, what)


def _lock_and_look(lock_key: str, lock_token: str, fresh_key: str) -> tuple[bool, _Entry | None]:
    timeout = _timeout(_wait_seconds())
    if hasattr(cache, "add_and_get"):  # one round trip (modelarts_admin/redis_cache.py)
        locked, stored = cache.add_and_get(lock_key, lock_token, timeout, fresh_key)
        return locked, _loaded(stored) if locked else None
    if not cache.add(lock_key, lock_token, timeout=timeout):
        return False, None
    return True, _get(fresh_key)


def _unlock(lock_key: str, lock_token: str) -> None:
    # Release only our own lock; a lock that timed out may already belong to someone else.
    if hasattr(cache, "delete_if_equal"):
        cache.delete_if_equal(lock_key, lock_token)
    elif cache.get(lock_key) == lock_token:
        cache.delete(lock_key)


def _poll_for_answer(key: str, not_before: datetime | None) -> _Entry | None:
    """Wait for the answer of the process holding the lock, up to the deadline."""
    waiting_on_upstream()
    deadline = time.monotonic() + _wait_seconds()
    pause = POLL_FIRST_SECONDS
    while time.monotonic() < deadline:
        entry = _get(_fresh_key(key))
        if _usable(entry, not_before):
            return entry
        if cache.get(_lock_key(key)) is None:
            # The leader finished without leaving an answer we can use (or its lock expired).
            entry = _get(_fresh_key(key))
            return entry if _usable(entry, not_before) else None
        time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
        pause = min(pause * 2, POLL_MAX_SECONDS)
    return None


def _call(key: str, fetch: Callable[[], Any], what: str, *, release: tuple[str, str] | None = None) -> _Entry:
    """Call upstream and store the outcome; ``release`` is a lock (key, token) to give up after storing,
    in the same round trip where the cache can (or at once if the call fails unexpectedly)."""
    ttl = settings.SELECTOR_CACHE_SECONDS
    try:
        value = fetch()
    except ModelArtsError as error:
        entry = _Entry(timezone.now(), failure=_freeze(ApplicationError.from_upstream(what, error)))
    except ApplicationError as error:
        entry = _Entry(timezone.now(), failure=_freeze(error))
    except BaseException:
        if release is not None:
            _unlock(*release)
        raise
    else:
        entry = _Entry(timezone.now(), value=value)
    stored = _dump(entry)
    entries = [(_fresh_key(key), stored, _timeout(ttl))]
    if entry.failure is None:
        entries.insert(0, (_stale_key(key), stored, _timeout(settings.SELECTOR_STALE_SECONDS)))
    if hasattr(cache, "set_each"):  # one round trip (modelarts_admin/redis_cache.py)
        cache.set_each(entries, then_delete_if_equal=release)
    else:
        for cache_key, value, timeout in entries:
            cache.set(cache_key, value, timeout=timeout)
        if release is not None:
            _unlock(*release)
    return entry


def _result(key: str, entry: _Entry) -> ReadResult[Any]:
    if entry.failure is None:
        return ReadResult(entry.value, entry.fetched_at)
    error = _thaw(entry.failure)
    last_good = _get(_stale_key(key))
    if last_good is None:
        return ReadResult(None, None, stale=False, error=error)
    return ReadResult(last_good.value, last_good.fetched_at, stale=True, error=error)


def put(cache_key: str, entry: _Entry, timeout: float) -> None:
    """Store ``entry`` as this module does (what another process's ``cached_read`` would leave)."""
    cache.set(cache_key, _dump(entry), timeout=_timeout(timeout))


def _dump(entry: _Entry) -> bytes:
    return pickle.dumps(entry, pickle.HIGHEST_PROTOCOL)


def _get(cache_key: str) -> _Entry | None:
    return _loaded(cache.get(cache_key))


def _loaded(stored: bytes | None) -> _Entry | None:
    # Only this module writes these keys, into our own cache; nothing else's bytes are unpickled here.
    return None if stored is None else pickle.loads(stored)  # noqa: S301


def _wait_seconds() -> float:
    """Longest a caller waits for someone else's call: the client's own deadline, plus a margin."""
    return float(settings.MODELARTS_DEADLINE_SECONDS) + 5.0


def _timeout(seconds: float) -> int:
    """Whole seconds, rounded up: some backends (Redis) truncate, which would turn 0.5 s into "delete now"."""
    return 0 if seconds <= 0 else math.ceil(seconds)


def _fresh_key(key: str) -> str:
    return f"{key}:fresh"


def _stale_key(key: str) -> str:
    return f"{key}:stale"


def _lock_key(key: str) -> str:
    return f"{key}:lock"


_UPSTREAM_FIELDS = ("operation", "status", "error_code", "error_msg", "request_id")


def _freeze(error: ApplicationError) -> dict[str, Any]:
    frozen: dict[str, Any] = {"message": error.message, "field": error.field, "upstream": None}
    if error.upstream is not None:
        upstream = {name: getattr(error.upstream, name) for name in _UPSTREAM_FIELDS}
        upstream["class"] = type(error.upstream).__name__
        upstream["retry_after"] = getattr(error.upstream, "retry_after", None)
        frozen["upstream"] = upstream
    return frozen


def _error_classes() -> dict[str, type[ModelArtsError]]:
    classes, pending = {ModelArtsError.__name__: ModelArtsError}, [ModelArtsError]
    while pending:
        for subclass in pending.pop().__subclasses__():
            classes[subclass.__name__] = subclass
            pending.append(subclass)
    return classes


def _thaw(frozen: Mapping[str, Any]) -> ApplicationError:
    upstream = None
    if frozen.get("upstream"):
        fields = dict(frozen["upstream"])
        error_class = _error_classes().get(fields.pop("class"), ModelArtsError)
        retry_after = fields.pop("retry_after", None)
        if issubclass(error_class, ThrottledError):
            fields["retry_after"] = retry_after
        upstream = error_class(**fields)
    return ApplicationError(frozen["message"], field=frozen.get("field"), upstream=upstream)
