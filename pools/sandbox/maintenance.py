"""Scheduled events: ListScheduledEvents and AcceptScheduledEvent, on the records of ``model.py``.

ModelArts publishes maintenance it needs to do on a node (``inquiring``) and waits for the owner to
authorise it. Accepting sets when the work may start (``notBefore``; none means at once) and, for events that
offer it, a redeployment (``SOFT`` keeps the disks, ``HARD`` resets the node and loses its local and cloud
disks' data). The event is then ``scheduled``, ``executing`` from its start for ``maintenance_seconds``
(the node ``Abnormal`` meanwhile), and ``completed`` (the node repaired). An event whose node is removed
before the work starts is ``canceled``.

Choices where the docs are silent (**sandbox**): ``notBefore`` must lie after now and no later than the
event's planned start (the ``notBefore`` it shows while inquiring); ``autoFlow`` is ``"true"`` or
``"false"``; an unknown event answers 404 ``ModelArts.50016001``; accepting an event that is no longer
``inquiring`` answers 400. Both operations cover one workspace, ``workspaceId`` (``"0"`` when not given, as
documented): an event of a pool in another workspace is not listed, and accepting it answers 404.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pools.sandbox import errors, hashing
from pools.sandbox.clock import rfc3339
from pools.sandbox.model import (
    EVENT_EXECUTING,
    NodeRecord,
    PoolRecord,
    ScheduledEventRecord,
)
from pools.sandbox.store import Store
from pools.sandbox.validation import parse_json_object

EVENT_NOT_FOUND = "ModelArts.50016001"
STATES = ("inquiring", "scheduled", "executing", "completed", "failed", "canceled")
EVENT_TYPES = (
    "system-maintenance",
    "localdisk-recovery",
    "node_reboot",
    "operation-request",
    "node_maintenance",
    "node_redeploy",
    "node_localdisk_recovery",
)
REDEPLOY_TYPES = ("SOFT", "HARD")
AUTO_FLOW_VALUES = ("true", "false")
MAX_LIMIT = 100
DEFAULT_WORKSPACE = "0"
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


def event_id(store: Store, pool_name: str, node_name: str, published_at: float) -> str:
    """Lower-case letters, digits and hyphens, starting with a letter, under 63 characters."""
    return f"se-{hashing.hex32('scheduled-event', store.seed, pool_name, node_name, published_at)[:24]}"


def _node(pool: PoolRecord, name: str) -> NodeRecord | None:
    return next((node for node in pool.nodes if node.name == name), None)


def render_event(pool: PoolRecord, event: ScheduledEventRecord, now: float) -> dict[str, Any]:
    node = _node(pool, event.node_name)
    state = event.state(now, node)
    progress = ""
    if state == EVENT_EXECUTING and event.starts_at is not None and event.finished_at is not None:
        share = (now - event.starts_at) / max(event.finished_at - event.starts_at, 1)
        progress = f"{int(share * 100)}%"
    accepted = event.accepted_at is not None and now >= event.accepted_at
    return {
        "id": event.id,
        "catalog": event.catalog,
        "type": event.type,
        "description": event.description,
        "state": state,
        "instanceType": "standard",
        "instanceId": hashing.uuid_of("instance", pool.name, event.node_name),
        "nodeName": event.node_name,
        "poolName": pool.name,
        "poolDisplayName": pool.display_name,
        "publishTime": rfc3339(event.published_at),
        "startTime": rfc3339(event.starts_at) if accepted and event.starts_at is not None else "",
        "finishTime": rfc3339(event.finished_at) if state == "completed" and event.finished_at else "",
        "notBefore": rfc3339(event.starts_at if accepted and event.starts_at else event.planned_at),
        "probeMsg": "",
        "jobProgress": progress,
        "redeployType": list(event.redeploy_types),
        "underLyingInstanceId": "",
    }


def _csv(query: Mapping[str, str], name: str, allowed: tuple[str, ...]) -> set[str]:
    values = {value for value in (query.get(name) or "").split(",") if value}
    unknown = values - set(allowed)
    if unknown:
        raise errors.bad_request(f"{name}: unknown value {sorted(unknown)[0]!r}")
    return values


def _whole(query: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    text = query.get(name)
    if text is None or text == "":
        return default
    if not text.isdigit() or not low <= int(text) <= high:
        raise errors.bad_request(f"{name}: must be a whole number from {low} to {high}")
    return int(text)


def _matches(rendered: dict[str, Any], pool: PoolRecord, query: Mapping[str, str], states, types) -> bool:
    wanted = {"id": query.get("id"), "nodeName": query.get("nodeName"), "poolName": query.get("poolName")}
    return (
        (not states or rendered["state"] in states)
        and (not types or rendered["type"] in types)
        and all(not value or rendered[key] == value for key, value in wanted.items())
        and pool.workspace_id == (query.get("workspaceId") or DEFAULT_WORKSPACE)
        and (not query.get("publishStartTime") or rendered["publishTime"] >= query["publishStartTime"])
        and (not query.get("publishEndTime") or rendered["publishTime"] <= query["publishEndTime"])
    )


def list_scheduled_events(store: Store, project_id: str, query: Mapping[str, str]) -> dict[str, Any]:
    states = _csv(query, "state", STATES)
    types = _csv(query, "type", EVENT_TYPES)
    offset = _whole(query, "offset", 0, 0, 1_000_000_000)
    limit = _whole(query, "limit", MAX_LIMIT, 1, MAX_LIMIT)
    with store.lock:
        now = store.now()
        found = [
            rendered
            for pool in store.project_pools(project_id)
            for event in pool.scheduled_events
            if _matches(rendered := render_event(pool, event, now), pool, query, states, types)
        ]
    found.sort(key=lambda item: (item["publishTime"], item["id"]), reverse=True)
    return {"events": found[offset : offset + limit], "count": len(found)}


def _find(
    store: Store, project_id: str, wanted: str, workspace: str
) -> tuple[PoolRecord, ScheduledEventRecord]:
    for pool in store.project_pools(project_id):
        if pool.workspace_id != workspace:
            continue
        for event in pool.scheduled_events:
            if event.id == wanted:
                return pool, event
    raise errors.ApiError(404, EVENT_NOT_FOUND, "scheduled event not found")


def _not_before(value: Any, now: float, event: ScheduledEventRecord) -> float | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _TIME.fullmatch(value):
        raise errors.bad_request("notBefore: must be a UTC time written yyyy-MM-ddTHH:mm:ssZ")
    moment = datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()
    if moment <= now:
        raise errors.bad_request("notBefore: must be later than the current time")
    if moment > event.planned_at:
        raise errors.bad_request(
            f"notBefore: must be no later than the planned start {rfc3339(event.planned_at)}"
        )
    return moment


def _redeploy(
    value: Any, event: ScheduledEventRecord, node: NodeRecord | None, now: float
) -> tuple[str, str]:
    if value is None:
        return "", ""
    if not isinstance(value, dict):
        raise errors.bad_request("redeployConfig: must be an object")
    kind, auto_flow = value.get("type"), value.get("autoFlow", "")
    if kind not in REDEPLOY_TYPES:
        raise errors.bad_request("redeployConfig.type: must be SOFT or HARD")
    if kind not in event.redeploy_types:
        offered = ", ".join(event.redeploy_types) or "none"
        raise errors.bad_request(f"redeployConfig.type: this event offers {offered}")
    if kind == "SOFT" and node is not None and node.phase(now) != "Available":
        raise errors.bad_request("redeployConfig.type: the node is unavailable, only HARD is possible")
    if auto_flow not in ("", *AUTO_FLOW_VALUES):
        raise errors.bad_request("redeployConfig.autoFlow: must be true or false")
    return kind, auto_flow


def accept_scheduled_event(
    store: Store, project_id: str, wanted: str, query: Mapping[str, str], body: bytes
) -> dict[str, Any]:
    data = parse_json_object(body) if body.strip() else {}
    with store.lock:
        pool, event = _find(store, project_id, wanted, query.get("workspaceId") or DEFAULT_WORKSPACE)
        now = store.now()
        node = _node(pool, event.node_name)
        state = event.state(now, node)
        if state != "inquiring":
            raise errors.bad_request(f"the event is {state}; only an inquiring event can be accepted")
        starts_at = _not_before(data.get("notBefore"), now, event) or now
        event.redeploy_type, event.auto_flow = _redeploy(data.get("redeployConfig"), event, node, now)
        event.accepted_at, event.starts_at = now, starts_at
        event.finished_at = starts_at + store.timings.maintenance_seconds
        if node is not None:
            node.maintenance_from, node.maintenance_until = starts_at, event.finished_at
            if event.redeploy_type == "HARD":
                node.disks_wiped_at = starts_at
        store.changed()
        return render_event(pool, event, now)


def plan_event(
    pool: PoolRecord,
    node: NodeRecord,
    *,
    event_id_text: str,
    type: str,
    catalog: str,
    description: str,
    published_at: float,
    planned_at: float,
    redeploy_types: list[str],
) -> ScheduledEventRecord:
    """A new inquiring event on ``node`` of ``pool`` (the demo estate's maintenance)."""
    event = ScheduledEventRecord(
        id=event_id_text,
        node_name=node.name,
        type=type,
        catalog=catalog,
        description=description,
        published_at=published_at,
        planned_at=planned_at,
        redeploy_types=list(redeploy_types),
    )
    pool.scheduled_events.append(event)
    return event
