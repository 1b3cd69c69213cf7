"""Frozen values of the event operations: ListEvents (a pool's events) and the scheduled maintenance of
ListScheduledEvents and AcceptScheduledEvent, with the vocabulary they use (API reference §12).

Parsing is tolerant as in ``types.py``: unknown fields are kept in ``raw``, odd values become neutral ones;
only what the dashboard cannot do without is strict (an event list's ``items``, a scheduled event's ``id``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pools.modelarts.errors import InvalidResponseError
from pools.modelarts.parsing import as_dict, as_int, as_list, items_of, parse_time

NORMAL = "Normal"
WARNING = "Warning"
EVENT_TYPES = (NORMAL, WARNING)
EVENT_PAGE_LIMIT = 500

# Scheduled events: states, and the two redeployments an event may offer.
INQUIRING = "inquiring"
SCHEDULED = "scheduled"
EXECUTING = "executing"
COMPLETED = "completed"
FAILED = "failed"
CANCELED = "canceled"
SCHEDULED_EVENT_STATES = (INQUIRING, SCHEDULED, EXECUTING, COMPLETED, FAILED, CANCELED)
OPEN_STATES = (INQUIRING, SCHEDULED, EXECUTING)  # maintenance still ahead or under way
SOFT = "SOFT"
HARD = "HARD"  # resets the node: the data on its local and cloud disks is lost
REDEPLOY_TYPES = (SOFT, HARD)
SCHEDULED_EVENT_LIMIT = 100


def api_time(moment: datetime) -> str:
    """``2025-09-15T07:02:30Z``: the form of ``notBefore`` (UTC, whole seconds)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class PoolEvent:
    type: str  # Normal or Warning
    reason: str  # e.g. PoolStatusChange, PoolResourcesStatusChange
    message: str
    first_at: datetime | None
    last_at: datetime | None
    count: int
    raw: dict[str, Any] = field(repr=False, compare=False)

    @property
    def is_warning(self) -> bool:
        return self.type == WARNING

    @classmethod
    def parse(cls, data: Any) -> PoolEvent:
        data = as_dict(data)
        last = parse_time(data.get("lastTimestamp"))
        return cls(
            type=str(data.get("type") or NORMAL),
            reason=str(data.get("reason") or ""),
            message=str(data.get("message") or ""),
            first_at=parse_time(data.get("firstTimestamp")) or last,
            last_at=last or parse_time(data.get("firstTimestamp")),
            count=as_int(data.get("count"), 1),
            raw=data,
        )


@dataclass(frozen=True)
class EventPage:
    """One page of a pool's events, in the order ModelArts sent them."""

    items: tuple[PoolEvent, ...]
    continue_token: str
    remaining: int | None
    request_id: str = field(default="", compare=False)

    @classmethod
    def parse(cls, data: Any, request_id: str = "") -> EventPage:
        items = items_of(data, "event list")
        metadata = as_dict(data.get("metadata"))
        remaining = metadata.get("remainingItemCount")
        return cls(
            items=tuple(PoolEvent.parse(item) for item in items),
            continue_token=str(metadata.get("continue") or ""),
            remaining=None if remaining is None else as_int(remaining),
            request_id=request_id,
        )


@dataclass(frozen=True)
class ScheduledEvent:
    id: str
    type: str  # system-maintenance, localdisk-recovery, node_reboot, …
    catalog: str  # hardware or software
    description: str
    state: str
    node_name: str
    pool_name: str  # the pool's metadata.name
    pool_display_name: str
    published_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    not_before: datetime | None  # planned start while inquiring; the chosen one once accepted
    progress: str
    redeploy_types: tuple[str, ...]  # the redeployments the event offers (SOFT, HARD)
    raw: dict[str, Any] = field(repr=False, compare=False)
    request_id: str = field(default="", compare=False)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def awaits_acceptance(self) -> bool:
        return self.state == INQUIRING

    @classmethod
    def parse(cls, data: Any, request_id: str = "") -> ScheduledEvent:
        if not isinstance(data, dict) or not isinstance(data.get("id"), str) or not data["id"]:
            raise InvalidResponseError("scheduled event: id is missing")
        return cls(
            id=data["id"],
            type=str(data.get("type") or ""),
            catalog=str(data.get("catalog") or ""),
            description=str(data.get("description") or ""),
            state=str(data.get("state") or ""),
            node_name=str(data.get("nodeName") or ""),
            pool_name=str(data.get("poolName") or ""),
            pool_display_name=str(data.get("poolDisplayName") or data.get("poolName") or ""),
            published_at=parse_time(data.get("publishTime")),
            started_at=parse_time(data.get("startTime")),
            finished_at=parse_time(data.get("finishTime")),
            not_before=parse_time(data.get("notBefore")),
            progress=str(data.get("jobProgress") or ""),
            redeploy_types=tuple(str(kind) for kind in as_list(data.get("redeployType"))),
            raw=data,
            request_id=request_id,
        )


@dataclass(frozen=True)
class ScheduledEventList:
    items: tuple[ScheduledEvent, ...]
    count: int  # every match, beyond this page
    request_id: str = field(default="", compare=False)

    @classmethod
    def parse(cls, data: Any, request_id: str = "") -> ScheduledEventList:
        if not isinstance(data, dict) or not isinstance(data.get("events", []), list):
            raise InvalidResponseError("scheduled event list: expected an object with an 'events' list")
        items = tuple(ScheduledEvent.parse(item) for item in data.get("events", []))
        return cls(items=items, count=as_int(data.get("count"), len(items)), request_id=request_id)


def accept_body(not_before: datetime | None, redeploy_type: str | None, auto_flow: bool | None) -> dict:
    """The AcceptScheduledEvent body (``EventUpdate``): ``notBefore`` and ``redeployConfig``."""
    if not_before is not None and not_before.tzinfo is None:
        raise ValueError("not_before must be an aware datetime")
    if redeploy_type is not None and redeploy_type not in REDEPLOY_TYPES:
        raise ValueError(f"redeploy_type must be SOFT or HARD, not {redeploy_type!r}")
    if auto_flow is not None and redeploy_type is None:
        raise ValueError("auto_flow goes with a redeployment")
    body: dict[str, Any] = {}
    if not_before is not None:
        body["notBefore"] = api_time(not_before)
    if redeploy_type is not None:
        config: dict[str, str] = {"type": redeploy_type}
        if auto_flow is not None:
            config["autoFlow"] = "true" if auto_flow else "false"
        body["redeployConfig"] = config
    return body
