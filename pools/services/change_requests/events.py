"""The audit entry every change-request event leaves behind: what happened, to which remote pool and nodes,
and the upstream request id. Never a secret: only names, statuses and ModelArts' own error texts."""

from __future__ import annotations

from typing import Any

from pools import audit
from pools.models import ChangeRequest

ACTION_PREFIX = "change_request."


def details_for(change_request: ChangeRequest, **extra: Any) -> dict[str, Any]:
    details: dict[str, Any] = {
        "change_request": change_request.pk,
        "kind": change_request.kind,
        "connection": change_request.connection.name,
        "target": change_request.target,
        "status": change_request.status,
    }
    if change_request.kind == ChangeRequest.Kind.CREATE_POOL:
        details["display_name"] = change_request.target
    else:
        details["pool_name"] = change_request.target
    if change_request.result_pool_name:
        details["pool_name"] = change_request.result_pool_name
    if change_request.node_names:
        details["node_names"] = change_request.node_names
    details.update({key: value for key, value in extra.items() if value not in (None, "")})
    return details


def result_details(change_request: ChangeRequest) -> dict[str, Any]:
    """The recorded upstream outcome of the latest execution attempt."""
    return {
        "attempt": change_request.attempts,
        "http_status": change_request.result_http_status,
        "upstream_request_id": change_request.result_request_id,
        "error_code": change_request.result_error_code,
        "error_msg": change_request.result_error_msg,
        "message": change_request.result_message,
        "outcome_unknown": change_request.outcome_unknown or None,
    }


def record(change_request: ChangeRequest, *, user, action: str, flag: str = "change", **extra: Any):
    """One sealed audit entry ``change_request.<action>`` about ``change_request``."""
    details = details_for(change_request, **extra)
    return audit.record(
        user=user,
        action=ACTION_PREFIX + action,
        obj=change_request,
        details=details,
        request_id=details.get("upstream_request_id") or change_request.result_request_id or None,
        flag=flag,
    )
