"""What the API sends: the selectors' values and the models as plain JSON-ready data.

ModelArts' values are dataclasses: ``plain`` turns them into dicts (times as ISO 8601 in UTC) and leaves out
the raw answers, except a pool's and a node's, which come along as ``raw`` for fields the typed value lacks.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pools.models import ChangeRequest, Connection
from pools.selectors.audit import entry_record
from pools.selectors.change_requests import change_request_timeline

LEFT_OUT = frozenset({"raw", "request_id"})


def plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            item.name: plain(getattr(value, item.name))
            for item in dataclasses.fields(value)
            if item.name not in LEFT_OUT
        }
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return value


def with_raw(value: Any) -> dict[str, Any]:
    """A pool or a node: its typed fields, and ModelArts' own JSON of it as ``raw``."""
    return {**plain(value), "raw": value.raw}


def connection_json(connection: Connection) -> dict[str, Any]:
    return {
        "id": connection.pk,
        "name": connection.name,
        "region": connection.region,
        "project_id": connection.project_id,
        "workspace_id": connection.workspace_id,
    }


def _moment(value: datetime | None) -> str | None:
    return plain(value) if value is not None else None


def change_request_json(change_request: ChangeRequest) -> dict[str, Any]:
    """A request as lists show it."""
    return {
        "id": change_request.pk,
        "kind": change_request.kind,
        "status": change_request.current_status,
        "connection": change_request.connection_id,
        "target": change_request.target,
        "summary": change_request.summary,
        "reason": change_request.reason,
        "requested_by": change_request.requested_by.get_username(),
        "created_at": _moment(change_request.created_at),
        "expires_at": _moment(change_request.expires_at),
        "approvals": [approval.approver.get_username() for approval in change_request.approvals.all()],
        "approvals_required": change_request.approvals_required,
    }


def change_request_detail_json(change_request: ChangeRequest) -> dict[str, Any]:
    """A request with everything its page shows: the body, the outcome, the comments, the history."""
    return {
        **change_request_json(change_request),
        "body": change_request.body,
        "decided_by": change_request.decided_by.get_username() if change_request.decided_by_id else None,
        "decided_at": _moment(change_request.decided_at),
        "decision_comment": change_request.decision_comment,
        "result": {
            "http_status": change_request.result_http_status,
            "request_id": change_request.result_request_id,
            "error_code": change_request.result_error_code,
            "error_msg": change_request.result_error_msg,
            "message": change_request.result_message,
            "pool_name": change_request.result_pool_name,
        },
        "comments": [
            {"author": comment.author.get_username(), "at": _moment(comment.created_at), "text": comment.text}
            for comment in change_request.comments.select_related("author").order_by("created_at", "pk")
        ],
        "timeline": [
            {**item, "at": _moment(item["at"]), "user": item["user"].get_username() if item["user"] else ""}
            for item in change_request_timeline(change_request)
        ],
    }


def audit_entry_json(entry) -> dict[str, Any]:
    return entry_record(entry)
