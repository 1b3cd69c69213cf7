"""Cached, single-flight reads: the one way selectors reach the ModelArts API.

Many people keep the same pages open and htmx polls them, so identical reads must not multiply upstream.
``cached_read`` keeps each answer for ``SELECTOR_CACHE_SECONDS`` per (connection, operation, parameters) and
lets concurrent identical reads share ONE upstream call:

* within a process, the first caller leads and the others wait on its ``threading.Event``;
* across processes (a shared cache such as Redis), the leader holds ``cache.add(lock_key, ...)``; callers that
  lose the race poll the cache for the leader's answer until a deadline, then call upstream themselves.

Failures are shared the same way (a throttled API must not be hit harder by the people waiting on it) and
kept for the same short time. The last good answer is also kept for ``SELECTOR_STALE_SECONDS``: when a read
fails, the caller gets the error AND that stale copy with its age, so pages can show both. Both live in one
cache entry per read (``_Entry``): one value pickled and stored per upstream call.

Each read counts as a hit, a miss (this caller called upstream) or a join (it waited for another's call) in
``pools/core/telemetry.py``, labelled with its ``operation``.

The cache backend pickles each answer as it stores it. ModelArts errors do not pickle faithfully (their
fields are keyword-only), so a failure is stored as plain fields and rebuilt on the way out. Its message is
stored as the lazy text it was built as (Django's lazy texts pickle), never in the first reader's language:
each reader reads it in their own.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.functional import Promise

from pools.core import telemetry
from pools.core.errors import ApplicationError
from pools.modelarts.errors import ModelArtsError, ThrottledError

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
    """One read as stored in the cache: its newest outcome, fresh for ``SELECTOR_CACHE_SECONDS`` after it
    arrived, and the last good answer to fall back on when a later call fails."""

    fetched_at: datetime  # when the newest outcome arrived
    value: Any = None  # the newest good answer: the outcome itself, or the last one before a failure
    failure: Mapping[str, Any] | None = None  # the newest outcome, when it was a failure
    value_fetched_at: datetime | None = None  # when ``value`` arrived, if before ``fetched_at``

    @property
    def fresh(self) -> bool:
        return timezone.now() - self.fetched_at < timedelta(seconds=settings.SELECTOR_CACHE_SECONDS)

    def after_failure(self, fetched_at: datetime, failure: Mapping[str, Any]) -> _Entry:
        """A newer failure, with this entry's good answer (if any) kept behind it."""
        if self.value is None:
            return _Entry(fetched_at, failure=failure)
        return _Entry(fetched_at, self.value, failure, self.value_fetched_at or self.fetched_at)


@dataclass
class _Flight:
    done: threading.Event = field(default_factory=threading.Event)
    entry: _Entry | None = None


@dataclass(frozen=True)
class _Call:
    """One upstream read to make: its cache key, the operation it counts under, and how to make it."""

    key: str
    operation: str
    fetch: Callable[[], Any]
    what: str | Promise


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
    what: str | Promise,
    refresh: bool = False,
) -> ReadResult[T]:
    """Read through the cache; ``fetch`` runs at most once per key at a time, across threads and processes.

    ``fetch`` may raise ``ModelArtsError`` or ``ApplicationError``; both become ``ReadResult.error``, with
    ``what`` (e.g. "Listing pools of connection 'prod'") saying what failed; pass it lazy (``format_lazy``),
    so that a failure others read from the cache is in their language. ``refresh`` ignores the cached
    answer for this key, but still joins a call already in flight rather than starting another.
    """
    key = read_key(connection_id, operation, params)
    # A refresh accepts only an answer that arrived after it was asked for; a plain read accepts any.
    not_before = timezone.now() if refresh else None
    cached = _get(key)
    if _usable(cached, not_before):
        telemetry.count_read(operation, telemetry.READ_HIT)
        return _result(cached)

    with _flights_lock:
        flight = _flights.get(key)
        leading = flight is None
        if leading:
            flight = _flights[key] = _Flight()
    call = _Call(key, operation, fetch, what)
    if leading:
        entry = _lead_flight(key, flight, lambda: _call_holding_the_lock(call, not_before))
    else:
        entry = _answer_of_flight(flight, operation, lambda: _call_and_store(call))
    return _result(entry)


def _lead_flight(key: str, flight: _Flight, call: Callable[[], _Entry]) -> _Entry:
    """``call`` made as this process's ``flight`` for ``key``: the threads waiting on it get its entry, and
    the flight leaves the table whatever happens."""
    try:
        flight.entry = call()
    finally:
        with _flights_lock:
            _flights.pop(key, None)
        flight.done.set()
    return flight.entry


def _answer_of_flight(flight: _Flight, operation: str, call_instead: Callable[[], _Entry]) -> _Entry:
    """The entry of the call another thread of this process is making; ``call_instead`` when that thread is
    stuck past every deadline or crashed."""
    if flight.done.wait(_wait_seconds()) and flight.entry is not None:
        telemetry.count_read(operation, telemetry.READ_JOINED)
        return flight.entry
    return call_instead()


def read_generation(connection_id: int | str) -> str:
    """The connection's current read generation; it is part of every read key of that connection."""
    return cache.get(_generation_key(connection_id)) or "0"


def _generation_key(connection_id: int | str) -> str:
    return f"{KEY_PREFIX}:{connection_id}:generation"


def forget_connection(connection_id: int | str) -> None:
    """Make every cached read of a connection miss from now on, e.g. after a change was executed there.

    A new generation changes every key at once, in every worker sharing the cache; old entries expire unseen.
    """
    cache.set(_generation_key(connection_id), uuid.uuid4().hex, timeout=None)


def _usable(entry: _Entry | None, not_before: datetime | None) -> bool:
    return entry is not None and entry.fresh and (not_before is None or entry.fetched_at >= not_before)


def _call_holding_the_lock(call: _Call, not_before: datetime | None) -> _Entry:
    """Call upstream while holding the shared lock of the call's key, so that other processes wait for this
    answer; when another process holds it, wait for that one's answer instead."""
    lock_key, lock_token = _lock_key(call.key), uuid.uuid4().hex
    if not cache.add(lock_key, lock_token, timeout=_timeout(_wait_seconds())):
        answer = _poll_for_answer(call.key, not_before)
        if answer is None:
            return _call_and_store(call)
        telemetry.count_read(call.operation, telemetry.READ_JOINED)
        return answer
    try:
        # Look again: a call may have finished between this caller's first look and taking the lock.
        latest = _get(call.key)
        if not _usable(latest, not_before):
            return _call_and_store(call)
        telemetry.count_read(call.operation, telemetry.READ_HIT)
        return latest
    finally:
        _unlock(lock_key, lock_token)


def _unlock(lock_key: str, lock_token: str) -> None:
    # Release only our own lock: one that outlived its timeout may belong to another caller by now.
    if cache.get(lock_key) == lock_token:
        cache.delete(lock_key)


def _poll_for_answer(key: str, not_before: datetime | None) -> _Entry | None:
    """Wait for the answer of the process holding the lock, up to the deadline."""
    deadline = time.monotonic() + _wait_seconds()
    pause = POLL_FIRST_SECONDS
    while time.monotonic() < deadline:
        entry = _get(key)
        if _usable(entry, not_before):
            return entry
        if cache.get(_lock_key(key)) is None:
            # The leader finished without leaving an answer we can use (or its lock expired).
            entry = _get(key)
            return entry if _usable(entry, not_before) else None
        time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
        pause = min(pause * 2, POLL_MAX_SECONDS)
    return None


def _call_and_store(call: _Call) -> _Entry:
    """Call upstream and store the outcome. A good answer is kept for ``SELECTOR_STALE_SECONDS``; a failure
    becomes the newest outcome with the last good answer kept behind it until that one's time is up
    (with none, the failure is kept only while it is fresh)."""
    telemetry.count_read(call.operation, telemetry.READ_MISS)
    try:
        value = call.fetch()
    except ModelArtsError as error:
        failure = _freeze(ApplicationError.from_upstream(call.what, error))
    except ApplicationError as error:
        failure = _freeze(error)
    else:
        entry = _Entry(timezone.now(), value=value)
        cache.set(call.key, entry, timeout=_timeout(settings.SELECTOR_STALE_SECONDS))
        return entry
    now, previous = timezone.now(), _get(call.key)
    entry = previous.after_failure(now, failure) if previous is not None else _Entry(now, failure=failure)
    kept = settings.SELECTOR_CACHE_SECONDS
    if entry.value_fetched_at is not None:
        kept = max(kept, settings.SELECTOR_STALE_SECONDS - (now - entry.value_fetched_at).total_seconds())
    cache.set(call.key, entry, timeout=_timeout(kept))
    return entry


def _result(entry: _Entry) -> ReadResult[Any]:
    if entry.failure is None:
        return ReadResult(entry.value, entry.fetched_at)
    error = _thaw(entry.failure)
    if entry.value is None:
        return ReadResult(None, None, stale=False, error=error)
    return ReadResult(entry.value, entry.value_fetched_at, stale=True, error=error)


def _get(cache_key: str) -> _Entry | None:
    return cache.get(cache_key)


def _wait_seconds() -> float:
    """Longest a caller waits for someone else's call: the client's own deadline, plus a margin."""
    return float(settings.MODELARTS_DEADLINE_SECONDS) + 5.0


def _timeout(seconds: float) -> int:
    """Whole seconds, rounded up: some backends (Redis) truncate, which would turn 0.5 s into "delete now"."""
    return 0 if seconds <= 0 else math.ceil(seconds)


def _lock_key(key: str) -> str:
    return f"{key}:lock"


_UPSTREAM_FIELDS = ("operation", "status", "error_code", "error_msg", "request_id")


def _freeze(error: ApplicationError) -> dict[str, Any]:
    # The lazy message, not its text: whoever reads the failure later reads it in their own language.
    frozen: dict[str, Any] = {"message": error.lazy_message, "field": error.field, "upstream": None}
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
