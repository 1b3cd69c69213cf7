"""Accept scheduled maintenance: AcceptScheduledEvent on one event of one pool's node.

The request's target is the pool; its body names the event, the workspace it was listed in, the node, the
event's type, and the ``EventUpdate`` to send (``notBefore``, ``redeployConfig``). A HARD redeploy resets
the node and loses the data on its local and cloud disks: the summary, the call shown to the approver and the
request page say so.

Completion is observed, not assumed: after the call the event is read back, and the request succeeds once
ModelArts shows it accepted (``scheduled``, ``executing`` or ``completed``). The maintenance itself may take
hours or days; the pool's Events tab follows it from there.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pools.change_kinds import messages
from pools.change_kinds.base import (
    DONE,
    FAILED,
    MISSING,
    PENDING,
    CallDescription,
    Called,
    ChangeKind,
    Observation,
)
from pools.core.errors import ApplicationError
from pools.modelarts.events import (
    CANCELED,
    COMPLETED,
    EXECUTING,
    HARD,
    INQUIRING,
    REDEPLOY_TYPES,
    SCHEDULED,
    api_time,
)
from pools.modelarts.events import (
    FAILED as EVENT_FAILED,
)
from pools.modelarts.parsing import parse_time

BODY_KEYS = {"eventId", "workspaceId", "nodeName", "eventType", "accept"}
WORKSPACE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
EVENT_TYPE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
API_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
ACCEPTED_STATES = (SCHEDULED, EXECUTING, COMPLETED)
HARD_NOTE = gettext_lazy(
    "HARD redeploy: the node is reset and the data on its local and cloud disks is lost."
)


def _accept(body: Any) -> dict[str, Any]:
    return body.get("accept") or {} if isinstance(body, dict) else {}


def redeploy_type(body: Any) -> str:
    return str((_accept(body).get("redeployConfig") or {}).get("type") or "")


def wipes_disks(body: Any) -> bool:
    return redeploy_type(body) == HARD


def _validated_accept(accept: Any) -> dict[str, Any]:
    if not isinstance(accept, dict) or not set(accept) <= {"notBefore", "redeployConfig"}:
        raise ApplicationError(messages.BAD_ACCEPT_BODY, field="body")
    clean: dict[str, Any] = {}
    if "notBefore" in accept:
        if not isinstance(accept["notBefore"], str) or not API_TIME.match(accept["notBefore"]):
            raise ApplicationError(messages.BAD_ACCEPT_BODY, field="body")
        clean["notBefore"] = accept["notBefore"]
    if "redeployConfig" in accept:
        config = accept["redeployConfig"]
        if (
            not isinstance(config, dict)
            or config.get("type") not in REDEPLOY_TYPES
            or config.get("autoFlow", "false") not in ("true", "false")
            or not set(config) <= {"type", "autoFlow"}
        ):
            raise ApplicationError(messages.BAD_ACCEPT_BODY, field="body")
        clean["redeployConfig"] = {"type": config["type"], "autoFlow": config.get("autoFlow", "false")}
    return clean


class AcceptEvent(ChangeKind):
    name = "accept_event"
    label = gettext_lazy("Accept scheduled maintenance")

    def validate(self, target: str, body: Any) -> tuple[str, Any]:
        self.require_pool_id(target)
        if not isinstance(body, dict) or set(body) != BODY_KEYS:
            raise ApplicationError(messages.BAD_ACCEPT_BODY, field="body")
        event_id, workspace, node, event_type = (
            body[key] for key in ("eventId", "workspaceId", "nodeName", "eventType")
        )
        if not all(isinstance(value, str) for value in (event_id, workspace, node, event_type)):
            raise ApplicationError(messages.BAD_ACCEPT_BODY, field="body")
        if not (
            messages.POOL_ID.match(event_id)
            and WORKSPACE_ID.match(workspace)
            and messages.POOL_ID.match(node)
            and EVENT_TYPE.match(event_type)
        ):
            raise ApplicationError(messages.BAD_ACCEPT_BODY, field="body")
        accept = _validated_accept(body["accept"])
        return target, {
            "eventId": event_id,
            "workspaceId": workspace,
            "nodeName": node,
            "eventType": event_type,
            "accept": accept,
        }

    def same_change(self, target, body, other_target, other_body) -> bool:
        """One open acceptance per event."""
        return isinstance(other_body, dict) and body.get("eventId") == other_body.get("eventId")

    def summary(self, change_request) -> str:
        body = change_request.body
        event = {"event": body.get("eventType"), "node": body.get("nodeName"), "pool": change_request.target}
        start = _accept(body).get("notBefore")
        if start:
            when = start.replace("T", " ").removesuffix("Z")
            text = _("Accept {event} on node {node} of pool {pool}, from {start} UTC").format(
                start=when, **event
            )
        else:
            text = _("Accept {event} on node {node} of pool {pool}, at once").format(**event)
        kind = redeploy_type(body)
        if kind and wipes_disks(body):
            text = _("{summary}, {kind} redeploy (wipes the node's disks)").format(summary=text, kind=kind)
        elif kind:
            text = _("{summary}, {kind} redeploy").format(summary=text, kind=kind)
        return text

    def describe(self, change_request) -> CallDescription:
        body = change_request.body
        path = (
            f"/v1/{{project_id}}/scheduled-events/{body.get('eventId')}/accept"
            f"?workspaceId={body.get('workspaceId')}"
        )
        notes = (str(HARD_NOTE),) if wipes_disks(body) else ()
        return CallDescription("POST", path, _accept(body), "application/json", notes)

    def node_names(self, body: Any) -> list[str]:
        return [body["nodeName"]] if isinstance(body, dict) and body.get("nodeName") else []

    # --- the live state: the event as ModelArts lists it now ---------------------------------------------

    def read_live(self, client, *, connection, target: str, body: Any) -> dict[str, Any]:
        listed = client.list_scheduled_events(workspace_id=body["workspaceId"], event_id=body["eventId"])
        event = next((item for item in listed.items if item.id == body["eventId"]), None)
        if event is None:
            return {"exists": False}
        return {
            "exists": True,
            "state": event.state,
            "planned_start": api_time(event.not_before) if event.not_before else "",
            "redeploy_types": list(event.redeploy_types),
            "node_name": event.node_name,
            "pool_name": event.pool_name,
        }

    def problems(self, target: str, body: Any, live: Mapping[str, Any]) -> list[str]:
        if not live.get("exists"):
            return [messages.EVENT_GONE.format(event=body.get("eventId"))]
        problems = []
        if live.get("pool_name") != target:
            problems.append(messages.EVENT_OF_ANOTHER_POOL.format(event=body.get("eventId"), pool=target))
        if live.get("state") != INQUIRING:
            problems.append(messages.EVENT_NOT_WAITING.format(state=live.get("state")))
        chosen = parse_time(_accept(body).get("notBefore"))
        planned = parse_time(live.get("planned_start"))
        if chosen is not None and chosen <= datetime.now(UTC):
            problems.append(messages.START_PASSED.format(start=api_time(chosen)))
        if chosen is not None and planned is not None and chosen > planned:
            problems.append(
                messages.START_AFTER_PLANNED.format(start=api_time(chosen), planned=api_time(planned))
            )
        kind = redeploy_type(body)
        if kind and kind not in live.get("redeploy_types", []):
            problems.append(messages.REDEPLOY_NOT_OFFERED.format(kind=kind))
        return problems

    def changes(self, snapshot: Mapping[str, Any], live: Mapping[str, Any]) -> list[str]:
        if not snapshot:
            return []
        if snapshot.get("exists") and not live.get("exists"):
            return [_("ModelArts no longer lists the event.")]
        changes = []
        for key, label in (
            ("state", _("State")),
            ("planned_start", _("Planned start")),
            ("redeploy_types", _("Redeployments")),
        ):
            if snapshot.get(key) != live.get(key):
                changes.append(
                    _("{name}: {then} → {now}.").format(
                        name=label, then=snapshot.get(key) or "—", now=live.get(key) or "—"
                    )
                )
        return changes

    # --- running ---------------------------------------------------------------------------------------

    def call(self, client, change_request) -> Called:
        body = change_request.body
        accept = _accept(body)
        config = accept.get("redeployConfig") or {}
        accepted = client.accept_scheduled_event(
            body["eventId"],
            not_before=parse_time(accept.get("notBefore")),
            redeploy_type=config.get("type") or None,
            auto_flow=(config.get("autoFlow") == "true") if config else None,
            workspace_id=body["workspaceId"],
        )
        # Followed until ModelArts shows the event accepted (the first look, normally).
        return Called(change_request.target, accepted.request_id, {"event_id": accepted.id})

    def observe(self, client, change_request) -> Observation:
        body = change_request.body
        listed = client.list_scheduled_events(workspace_id=body["workspaceId"], event_id=body["eventId"])
        event = next((item for item in listed.items if item.id == body["eventId"]), None)
        pool_name = change_request.target
        if event is None or event.state == INQUIRING:
            return Observation(MISSING, pool_name)
        if event.state in (EVENT_FAILED, CANCELED):
            return Observation(FAILED, pool_name, messages.MAINTENANCE_ENDED.format(state=event.state))
        if event.state == SCHEDULED and event.not_before is not None:
            start = api_time(event.not_before).replace("T", " ").removesuffix("Z")
            return Observation(DONE, pool_name, messages.ACCEPTED_STARTS.format(start=start))
        if event.state == EXECUTING:
            progress = f" ({event.progress})" if event.progress else ""
            return Observation(DONE, pool_name, messages.ACCEPTED_UNDER_WAY.format(progress=progress))
        if event.state in ACCEPTED_STATES:
            return Observation(DONE, pool_name, messages.ACCEPTED_DONE.format(state=event.state))
        return Observation(PENDING, pool_name, messages.ACCEPTED_OTHER.format(state=event.state))
