"""Faults to inject, for tests (Python API) and the demo (``/_sandbox/faults``, CLI flags).

A rule applies to the API requests it matches (optionally only one operation, e.g. ``"ListPools"``, and/or
one HTTP method), after the request has been authenticated:

* ``latency``   — wait ``latency_ms`` before answering (adds up with other latency rules); with
  ``includes_work`` the wait is the whole answer time instead: the answer leaves ``latency_ms`` after the
  request arrived, the sandbox's own work done within it, as a remote API's latency includes its servers'
  work (what a benchmark of a client wants; the longest such rule wins);
* ``error``     — answer ``status`` 500 (``ModelArts.50005000``) or 503 (gateway ``APIG.0202``);
* ``throttle``  — answer 429 ``APIG.0308`` with ``Retry-After: <retry_after>``;
* ``malformed`` — answer 200 with a body that is not valid JSON;
* ``drop``      — close the connection without answering;
* ``fail_create`` — the next valid CreatePool is accepted, but the pool ends in ``Error`` instead of
  ``Running``;
* ``fail_scale`` — the next accepted PatchPool that adds nodes: every other new node (the first, the
  third, …) fails, so its order ends ``failed`` (one node) or ``partialSuccessed``.

``count`` makes a rule fire for the next N matching requests only (then it is removed): the deterministic
mode tests use. ``share`` (0..1) makes it fire for that share of matching requests, drawn from a seeded
random generator. Without either, it fires every time. The first matching non-latency rule decides.
"""

from __future__ import annotations

import random
import threading
from dataclasses import asdict, dataclass, fields
from typing import Any

from pools.sandbox.routing import CREATE_POOL, OPERATIONS, PATCH_POOL

LATENCY = "latency"
ERROR = "error"
THROTTLE = "throttle"
MALFORMED = "malformed"
DROP = "drop"
FAIL_CREATE = "fail_create"
FAIL_SCALE = "fail_scale"
KINDS = (LATENCY, ERROR, THROTTLE, MALFORMED, DROP, FAIL_CREATE, FAIL_SCALE)
OUTCOME_KINDS = (FAIL_CREATE, FAIL_SCALE)  # decided when the work is accepted, not per request
ERROR_STATUSES = (500, 503)


@dataclass
class Fault:
    kind: str
    count: int | None = None
    share: float | None = None
    status: int = 500
    latency_ms: int = 0
    retry_after: int = 1
    operation: str | None = None
    method: str | None = None
    includes_work: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}")
        if self.count is not None and (not isinstance(self.count, int) or self.count < 1):
            raise ValueError("count must be a whole number of at least 1")
        if self.share is not None and not (isinstance(self.share, int | float) and 0 <= self.share <= 1):
            raise ValueError("share must be a number from 0 to 1")
        if self.kind == ERROR and self.status not in ERROR_STATUSES:
            raise ValueError("status must be 500 or 503")
        if not isinstance(self.latency_ms, int) or self.latency_ms < 0:
            raise ValueError("latency_ms must be a whole number of at least 0")
        if not isinstance(self.includes_work, bool):
            raise ValueError("includes_work must be true or false")
        if not isinstance(self.retry_after, int) or self.retry_after < 0:
            raise ValueError("retry_after must be a whole number of at least 0")
        if self.operation is not None and self.operation not in OPERATIONS:
            raise ValueError(f"operation must be one of {', '.join(OPERATIONS)}")
        if self.kind == FAIL_CREATE:
            self.operation = CREATE_POOL
        if self.kind == FAIL_SCALE:
            self.operation = PATCH_POOL
        if self.method is not None:
            self.method = self.method.upper()

    def matches(self, operation: str, method: str) -> bool:
        return (self.operation is None or self.operation == operation) and (
            self.method is None or self.method == method
        )

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Fault:
        """A rule from its JSON form; ``ValueError`` for unknown keys or bad values."""
        if not isinstance(data, dict):
            raise ValueError("a fault must be a JSON object")
        known = {field.name for field in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fault keys: {', '.join(sorted(unknown))}")
        if "kind" not in data:
            raise ValueError("a fault needs a kind")
        return cls(**data)


@dataclass(frozen=True)
class Decision:
    """What to do with one request: wait, then answer normally (``outcome`` None) or as the fault says; and
    send no answer sooner than ``answer_after_ms`` after the request arrived."""

    latency_ms: int = 0
    outcome: Fault | None = None
    answer_after_ms: int = 0


class Faults:
    """The active fault rules; thread-safe."""

    def __init__(self, seed: int = 0) -> None:
        self._lock = threading.Lock()
        self._rules: list[Fault] = []
        self._seed = seed
        self._random = random.Random(seed)

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self._rules.append(fault)
        return fault

    def latency(
        self, ms: int, *, count=None, share=None, operation=None, method=None, includes_work=False
    ) -> Fault:
        return self.add(
            Fault(
                LATENCY,
                count,
                share,
                latency_ms=ms,
                operation=operation,
                method=method,
                includes_work=includes_work,
            )
        )

    def error(self, status: int = 500, *, count=None, share=None, operation=None, method=None) -> Fault:
        return self.add(Fault(ERROR, count, share, status=status, operation=operation, method=method))

    def throttle(self, *, retry_after: int = 1, count=None, share=None, operation=None, method=None) -> Fault:
        return self.add(
            Fault(THROTTLE, count, share, retry_after=retry_after, operation=operation, method=method)
        )

    def malformed(self, *, count=None, share=None, operation=None, method=None) -> Fault:
        return self.add(Fault(MALFORMED, count, share, operation=operation, method=method))

    def drop(self, *, count=None, share=None, operation=None, method=None) -> Fault:
        return self.add(Fault(DROP, count, share, operation=operation, method=method))

    def fail_next_creates(self, count: int = 1) -> Fault:
        return self.add(Fault(FAIL_CREATE, count))

    def fail_next_scales(self, count: int = 1) -> Fault:
        return self.add(Fault(FAIL_SCALE, count))

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()
            self._random = random.Random(self._seed)

    def active(self) -> list[Fault]:
        with self._lock:
            return [Fault(**asdict(rule)) for rule in self._rules]

    def _fires(self, rule: Fault) -> bool:
        """Whether a matching rule fires now; spends one of its ``count`` when it does (lock held)."""
        if rule.share is not None and self._random.random() >= rule.share:
            return False
        if rule.count is not None:
            rule.count -= 1
            if rule.count == 0:
                self._rules.remove(rule)
        return True

    def decide(self, operation: str, method: str) -> Decision:
        with self._lock:
            latency = answer_after = 0
            outcome = None
            for rule in list(self._rules):
                if rule.kind in OUTCOME_KINDS or not rule.matches(operation, method):
                    continue
                if rule.kind == LATENCY:
                    if not self._fires(rule):
                        continue
                    if rule.includes_work:
                        answer_after = max(answer_after, rule.latency_ms)
                    else:
                        latency += rule.latency_ms
                elif outcome is None and self._fires(rule):
                    outcome = rule
            return Decision(latency, outcome, answer_after)

    def take_create_failure(self) -> bool:
        """Whether the CreatePool being accepted now should end in ``Error``."""
        return self._take(FAIL_CREATE)

    def take_scale_failure(self) -> bool:
        """Whether the scale-up being accepted now should have some of its new nodes fail."""
        return self._take(FAIL_SCALE)

    def _take(self, kind: str) -> bool:
        with self._lock:
            for rule in list(self._rules):
                if rule.kind == kind and self._fires(rule):
                    return True
            return False
