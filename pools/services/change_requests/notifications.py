"""What a change request's steps announce (``pools/services/notifications``): to approvers when one awaits
them, to the requester when theirs is decided or run, and to the connection's routes that subscribe to each
event (filed, approved, rejected, expired, execution started, in progress, succeeded, failed, unknown).

Every notice is queued once the state change has committed and sent by a task: a mail server or chat that
is down is retried and logged, and never undoes, blocks or fails a decision.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from pools.models import ChangeRequest
from pools.permissions import APPROVE_CHANGE
from pools.services.notifications import Notice, announce

Status = ChangeRequest.Status

# The event each status announces, and the subject the requester's e-mail (and every route) gets.
STATUS_EVENTS = {
    Status.APPROVED: ("request_approved", "Approved: {headline}"),
    Status.REJECTED: ("request_rejected", "Rejected: {headline}"),
    Status.EXPIRED: ("request_expired", "Expired without a decision: {headline}"),
    Status.IN_PROGRESS: ("execution_in_progress", "In progress at ModelArts: {headline}"),
    Status.SUCCEEDED: ("execution_succeeded", "Done: {headline}"),
    Status.FAILED: ("execution_failed", "Failed: {headline}"),
    Status.UNKNOWN: ("execution_unknown", "Outcome unknown, being checked: {headline}"),
}
# The requester is e-mailed about these; "in progress" goes to routes only (the end follows by e-mail).
REQUESTER_MAILED = frozenset(
    {Status.APPROVED, Status.REJECTED, Status.EXPIRED, Status.SUCCEEDED, Status.FAILED, Status.UNKNOWN}
)


def detail_url(change_request: ChangeRequest) -> str:
    path = reverse("pools:change_request_detail", args=[change_request.pk])
    return settings.DASHBOARD_URL.rstrip("/") + path


PERMISSIONS_BACKEND = "pools.auth_backends.CachedPermissionsBackend"


def approvers_for(change_request: ChangeRequest):
    """Active users who may approve it, have an e-mail address, are not its requester and have not
    approved it yet."""
    already = change_request.approvals.values_list("approver_id", flat=True)
    return (
        get_user_model()
        # The backend that holds permissions (single sign-on adds one that holds none).
        .objects.with_perm(
            APPROVE_CHANGE, is_active=True, include_superusers=True, backend=PERMISSIONS_BACKEND
        )
        .exclude(email="")
        .exclude(pk=change_request.requested_by_id)
        .exclude(pk__in=already)
        .order_by("pk")
    )


def _headline(change_request: ChangeRequest) -> str:
    return f"#{change_request.pk} {change_request.get_kind_display().lower()} {change_request.target}"


def _data(change_request: ChangeRequest) -> dict[str, Any]:
    """What the JSON webhook carries about the request: names and states, never a secret."""
    return {
        "change_request": {
            "id": change_request.pk,
            "kind": change_request.kind,
            "target": change_request.target,
            "summary": change_request.summary,
            "status": change_request.status,
            "requested_by": str(change_request.requested_by),
            "decided_by": str(change_request.decided_by) if change_request.decided_by_id else "",
            "approvals": change_request.approvals.count(),
            "approvals_required": change_request.approvals_required,
            "attempt": change_request.attempts,
            "pool_name": change_request.result_pool_name or change_request.pool_name,
            "node_names": change_request.node_names,
            "result": change_request.result_message,
            "error_code": change_request.result_error_code,
            "upstream_request_id": change_request.result_request_id,
        }
    }


def _notice(change_request: ChangeRequest, event: str, subject: str, lines: list[str]) -> Notice:
    return Notice(
        event=event,
        connection_id=change_request.connection_id,
        connection_name=change_request.connection.name,
        subject=subject,
        lines=tuple(lines),
        link=detail_url(change_request),
        data=_data(change_request),
    )


def notify_approvers(change_request: ChangeRequest) -> None:
    """A request was filed: its approvers (one message each) and the routes of ``approval_pending``."""
    lines = [
        f"{change_request.requested_by} asks for approval of change request #{change_request.pk}.",
        "",
        f"Connection: {change_request.connection.name}",
        f"Change: {change_request.summary}",
        f"Reason: {change_request.reason}",
        f"Approvals: {change_request.approvals.count()} of {change_request.approvals_required}",
        f"Expires: {change_request.expires_at:%Y-%m-%d %H:%M %Z}",
    ]
    subject = f"Approval needed: {_headline(change_request)}"
    people = [user.email for user in approvers_for(change_request)]
    announce(_notice(change_request, "approval_pending", subject, lines), people=people)


def notify_status(change_request: ChangeRequest) -> None:
    """A request was decided or its execution settled: the requester (by e-mail) and the routes."""
    event_and_subject = STATUS_EVENTS.get(change_request.status)
    if event_and_subject is None:
        return
    event, subject = event_and_subject
    requester = change_request.requested_by
    lines = [
        f"Change request #{change_request.pk} is now {change_request.get_status_display().lower()}.",
        "",
        f"Connection: {change_request.connection.name}",
        f"Change: {change_request.summary}",
        f"Requested by: {requester}",
        *_outcome_lines(change_request),
    ]
    mailed = change_request.status in REQUESTER_MAILED and requester.is_active and requester.email
    notice = _notice(change_request, event, subject.format(headline=_headline(change_request)), lines)
    announce(notice, people=[requester.email] if mailed else [])


def notify_execution_started(change_request: ChangeRequest) -> None:
    """A worker claimed the request and is about to call ModelArts: the routes of ``execution_started``."""
    lines = [
        f"Change request #{change_request.pk} is being executed (attempt {change_request.attempts}).",
        "",
        f"Connection: {change_request.connection.name}",
        f"Change: {change_request.summary}",
        f"Run by: {change_request.executed_by}",
    ]
    subject = f"Executing: {_headline(change_request)}"
    announce(_notice(change_request, "execution_started", subject, lines))


def _outcome_lines(change_request: ChangeRequest) -> list[str]:
    lines = []
    if change_request.decided_by_id and change_request.status in (Status.APPROVED, Status.REJECTED):
        lines.append(f"Decided by: {change_request.decided_by}")
    if change_request.decision_comment:
        lines.append(f"Comment: {change_request.decision_comment}")
    if change_request.result_pool_name:
        lines.append(f"Pool: {change_request.result_pool_name}")
    if change_request.result_message:
        lines.append(f"Result: {change_request.result_message}")
    if change_request.result_error_code or change_request.result_error_msg:
        lines.append(f"Error: {change_request.result_error_code} {change_request.result_error_msg}".rstrip())
    if change_request.result_request_id:
        lines.append(f"Request id: {change_request.result_request_id}")
    return lines
