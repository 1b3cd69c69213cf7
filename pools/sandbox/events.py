"""ListEvents: a pool's events, read off its records' timestamps rather than stored.

Nothing records an event as it happens. A pool's state can only change at the moments its records name
(``POOL_TIMES``, ``NODE_TIMES`` and the creation schedule), so its history is rebuilt on each call: at every
such moment up to now, the pool's phase and its node counts are compared with the instant before, and each
difference is one event, as ModelArts words them:

* ``PoolStatusChange``: ``Pool status changed, from Running to Abnormal, details: ….`` (``Warning`` when the
  new phase is ``Abnormal`` or ``Error``, ``Normal`` otherwise); the pool's creation is the first one;
* ``PoolResourcesStatusChange``: ``Pool resources status changed, available/abnormal/creating/deleting
  count from 1/0/0/0 to 0/1/0/0, timestamp: 1672366579.`` (``Warning`` when the abnormal count rose).

A new timestamp on a record that changes a phase or a count (a scale, a reboot) makes its events by adding
its field name to ``POOL_TIMES`` or ``NODE_TIMES``: one line.

Choices where the docs are silent (**sandbox**): newest first; ``since``/``until`` are epoch seconds on the
event's time; an unknown pool has no events (an empty list, not a 404); the ``continue`` token is key-based
like the node list's.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pools.sandbox import errors, paging
from pools.sandbox.clock import rfc3339
from pools.sandbox.model import ABNORMAL, ERROR, GONE, PoolRecord
from pools.sandbox.render import GROUP_BY_NODE_PHASE
from pools.sandbox.store import Store

NORMAL = "Normal"
WARNING = "Warning"
EVENT_TYPES = (NORMAL, WARNING)
RESOURCE_POOLS = "pools"
POOL_STATUS_CHANGE = "PoolStatusChange"
POOL_RESOURCES_STATUS_CHANGE = "PoolResourcesStatusChange"

# The timestamp fields at which a record's state may change (None where not set).
POOL_TIMES = ("created_at", "deleted_at", "gone_at")
NODE_TIMES = (
    "created_at",
    "ready_at",
    "deleting_at",
    "gone_at",
    "maintenance_from",
    "maintenance_until",
    "out_from",  # a reboot or a reset (node_actions.py)
    "out_until",
)

WARNING_PHASES = (ABNORMAL, ERROR)
COUNT_ORDER = ("available", "abnormal", "creating", "deleting")


@dataclass(frozen=True)
class PoolEvent:
    at: float
    sequence: int  # order among the events of one moment
    type: str
    reason: str
    message: str

    @property
    def key(self) -> str:
        return f"{self.at!r}/{self.sequence}"

    def render(self) -> dict[str, Any]:
        stamp = rfc3339(self.at)
        return {
            "apiVersion": "v1",
            "kind": "Event",
            "type": self.type,
            "firstTimestamp": stamp,
            "lastTimestamp": stamp,
            "count": 1,
            "reason": self.reason,
            "message": self.message,
        }


def _moments(pool: PoolRecord, now: float) -> list[float]:
    times = {at for at, _ in pool.schedule}
    times.update(getattr(pool, name) for name in POOL_TIMES)
    for node in [*pool.nodes, *pool.removed_nodes]:
        times.update(getattr(node, name) for name in NODE_TIMES)
    return sorted(at for at in times if at is not None and pool.created_at <= at <= now)


def _counts(pool: PoolRecord, moment: float) -> tuple[int, ...]:
    counts = dict.fromkeys(COUNT_ORDER, 0)
    for node in [*pool.nodes, *pool.removed_nodes]:
        if (phase := node.phase(moment)) is not None:
            counts[GROUP_BY_NODE_PHASE.get(phase, "abnormal")] += 1
    return tuple(counts[group] for group in COUNT_ORDER)


def _status_event(pool: PoolRecord, moment: float, before: str, after: str) -> PoolEvent:
    if after in WARNING_PHASES:
        message = f"Pool status changed, from {before} to {after}, details: {pool.message.rstrip('.')}."
        return PoolEvent(moment, 0, WARNING, POOL_STATUS_CHANGE, message)
    return PoolEvent(moment, 0, NORMAL, POOL_STATUS_CHANGE, f"Pool status changed, from {before} to {after}.")


def _resources_event(moment: float, before: tuple[int, ...], after: tuple[int, ...]) -> PoolEvent:
    abnormal = COUNT_ORDER.index("abnormal")
    message = (
        "Pool resources status changed, available/abnormal/creating/deleting count from "
        f"{'/'.join(map(str, before))} to {'/'.join(map(str, after))}, timestamp: {int(moment)}."
    )
    kind = WARNING if after[abnormal] > before[abnormal] else NORMAL
    return PoolEvent(moment, 1, kind, POOL_RESOURCES_STATUS_CHANGE, message)


def pool_events(pool: PoolRecord, now: float) -> list[PoolEvent]:
    """Every event of the pool up to ``now``, newest first."""
    found: list[PoolEvent] = []
    for moment in _moments(pool, now):
        instant_before = math.nextafter(moment, -math.inf)
        after = pool.phase(moment)
        if moment == pool.created_at:
            found.append(PoolEvent(moment, 0, NORMAL, POOL_STATUS_CHANGE, f"Pool created, status {after}."))
        elif (before := pool.phase(instant_before)) != after and after != GONE:
            found.append(_status_event(pool, moment, before, after))
        counts_before = _counts(pool, instant_before) if moment > pool.created_at else (0, 0, 0, 0)
        counts_after = _counts(pool, moment)
        if counts_before != counts_after:
            found.append(_resources_event(moment, counts_before, counts_after))
    return sorted(found, key=lambda event: (event.at, event.sequence), reverse=True)


def _epoch(query: Mapping[str, str], name: str) -> float | None:
    text = query.get(name)
    if text is None or text == "":
        return None
    if not text.isdigit() or len(text) > 12:
        raise errors.bad_request(f"{name}: must be a timestamp in whole seconds since the epoch")
    return float(text)


def list_events(store: Store, project_id: str, query: Mapping[str, str]) -> dict[str, Any]:
    if query.get("resource") != RESOURCE_POOLS:
        raise errors.bad_request("resource: must be pools")
    name = query.get("name")
    if not name:
        raise errors.bad_request("name: the pool's metadata.name is required")
    kind = query.get("type")
    if kind not in (None, "", *EVENT_TYPES):
        raise errors.bad_request("type: must be Normal or Warning")
    try:
        limit = paging.parse_limit(query.get("limit"))
    except ValueError as problem:
        raise errors.bad_request(f"limit: {problem}") from None
    since, until = _epoch(query, "since"), _epoch(query, "until")
    after = ""
    if token := query.get("continue"):
        try:
            after = paging.decode(token, name)
        except ValueError as problem:
            raise errors.bad_request(f"continue: {problem}") from None
    with store.lock:
        pool = next((pool for pool in store.project_pools(project_id) if pool.name == name), None)
        found = pool_events(pool, store.now()) if pool is not None else []
    chosen = [
        event
        for event in found
        if (not kind or event.type == kind)
        and (since is None or event.at >= since)
        and (until is None or event.at <= until)
    ]
    if after:
        keys = [event.key for event in chosen]
        chosen = chosen[keys.index(after) + 1 :] if after in keys else []
    page, remaining = chosen[:limit], len(chosen) - min(limit, len(chosen))
    metadata: dict[str, Any] = {}
    if remaining:
        metadata = {"continue": paging.encode(name, page[-1].key), "remainingItemCount": remaining}
    return {
        "apiVersion": "v1",
        "kind": "EventList",
        "metadata": metadata,
        "items": [e.render() for e in page],
    }
