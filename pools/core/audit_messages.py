"""The message an audit entry carries: what pools/audit.py writes into ``LogEntry.change_message`` and what
the pages, exports and admin read back. A format only, below both the writer and the readers: reading it
never needs the module that writes (and seals) entries.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django.contrib.admin.models import LogEntry
from django.utils.translation import gettext_lazy as _

# Never stored in an entry's details, at any depth.
FORBIDDEN_KEYS = frozenset({"sk", "secret_key", "secret", "access_key", "ak", "password", "authorization"})


def _scrub(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _scrub(v) for k, v in value.items() if str(k).lower() not in FORBIDDEN_KEYS}
    if isinstance(value, list | tuple):
        return [_scrub(v) for v in value]
    return value


# What pages call an entry's action, in the reader's language. The codes stay in the entries, the exports,
# the API and the audit log's filter; an action not named here is shown as its code.
ACTION_WORDS = {
    "change_request.create": _("Filed"),
    "change_request.approve": _("Approved"),
    "change_request.reject": _("Rejected"),
    "change_request.cancel": _("Cancelled"),
    "change_request.comment": _("Commented"),
    "change_request.expire": _("Expired"),
    "change_request.execute": _("Run started"),
    "change_request.queue": _("Queued for another attempt"),
    "change_request.retry": _("Run again"),
    "change_request.in_progress": _("In progress"),
    "change_request.reconcile": _("Checked in ModelArts"),
    "change_request.succeed": _("Succeeded"),
    "change_request.fail": _("Failed"),
    "change_request.outcome_unknown": _("Outcome unknown"),
}


def action_words(action: str) -> str:
    """``action`` ("change_request.approve") as words in the active language, or the code when it has none."""
    return str(ACTION_WORDS.get(action, action))


def message_for(action: str, details: Mapping[str, Any] | None, request_id: str | None) -> str:
    payload = {"action": action, "details": _scrub(details or {}), "request_id": request_id or ""}
    return json.dumps(payload, sort_keys=True, default=str, ensure_ascii=False)


def parse_message(entry: LogEntry) -> dict[str, Any]:
    """The JSON payload of an entry pools/audit.py wrote; other entries come back as plain text."""
    try:
        payload = json.loads(entry.change_message)
    except (TypeError, ValueError):
        return {"action": "", "details": {"message": entry.change_message}, "request_id": ""}
    if not isinstance(payload, dict):
        return {"action": "", "details": {"message": entry.change_message}, "request_id": ""}
    return payload
