"""Reads of the audit log: filtered LogEntry rows and the flat records the page and the exports show."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from pools.core.audit_messages import parse_message
from pools.models import AuditChainHead

FLAG_NAMES = {ADDITION: "add", CHANGE: "change", DELETION: "delete"}


@dataclass(frozen=True)
class AuditFilters:
    username: str = ""
    action: str = ""  # an action ("pool.create") or a dotted prefix of one ("change_request")
    text: str = ""  # searched in the object's name and in the details (pool names, ids)
    start: date | None = None  # UTC days, both ends included
    end: date | None = None


def _message_prefix(action: str) -> str:
    # message_for (pools/core/audit_messages.py) writes sorted keys with json.dumps' default separators, so "action" comes first.
    return '{"action": ' + json.dumps(action, ensure_ascii=False)[:-1]


def log_entry_list(*, filters: AuditFilters | None = None) -> QuerySet[LogEntry]:
    """Entries matching ``filters``, newest first, with user and content type joined."""
    filters = filters or AuditFilters()
    entries = LogEntry.objects.select_related("user", "content_type").order_by("-action_time", "-pk")
    if filters.username:
        entries = entries.filter(user__username=filters.username)
    if filters.action:
        prefix = _message_prefix(filters.action)
        entries = entries.filter(
            Q(change_message__startswith=prefix + '", ') | Q(change_message__startswith=prefix + ".")
        )
    if filters.text:
        entries = entries.filter(
            Q(object_repr__icontains=filters.text) | Q(change_message__icontains=filters.text)
        )
    if filters.start:
        entries = entries.filter(action_time__gte=datetime.combine(filters.start, time.min, tzinfo=UTC))
    if filters.end:
        next_day = datetime.combine(filters.end + timedelta(days=1), time.min, tzinfo=UTC)
        entries = entries.filter(action_time__lt=next_day)
    return entries


def audit_usernames() -> list[str]:
    """Usernames of everyone who has at least one entry, for the user filter."""
    user_model = get_user_model()
    field = f"{user_model.USERNAME_FIELD}"
    return list(
        user_model.objects.filter(logentry__isnull=False)
        .order_by(field)
        .values_list(field, flat=True)
        .distinct()
    )


def recent_actions(limit: int = 1000) -> list[str]:
    """The distinct actions among the newest ``limit`` entries, as suggestions for the action filter."""
    actions = set()
    for message in LogEntry.objects.order_by("-pk").values_list("change_message", flat=True)[:limit]:
        action = _action_of(message)
        if action:
            actions.add(action)
    return sorted(actions)


def _action_of(message: str) -> str:
    try:
        payload = json.loads(message)
    except (TypeError, ValueError):
        return ""
    return str(payload.get("action") or "") if isinstance(payload, dict) else ""


def utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def entry_record(entry: LogEntry) -> dict[str, Any]:
    """One entry as the page and the exports show it: flat, JSON-ready, times in UTC."""
    payload = parse_message(entry)
    details = payload.get("details")
    content_type = entry.content_type
    return {
        "id": entry.pk,
        "time": utc_iso(entry.action_time),
        "user": entry.user.get_username() if entry.user_id else "",
        "action": str(payload.get("action") or ""),
        "flag": FLAG_NAMES.get(entry.action_flag, str(entry.action_flag)),
        "object_type": f"{content_type.app_label}.{content_type.model}" if content_type else "",
        "object_id": entry.object_id or "",
        "object": entry.object_repr,
        "details": details if isinstance(details, dict) else {"value": details},
        "request_id": str(payload.get("request_id") or ""),
    }


def audit_chain_length() -> int:
    """How many entries the audit chain has sealed (the chain head's sequence; 0 before the first)."""
    return AuditChainHead.objects.values_list("sequence", flat=True).first() or 0
