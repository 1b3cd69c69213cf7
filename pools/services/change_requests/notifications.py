"""What a change request's steps announce (``pools/services/notifications``): to approvers when one awaits
them, to the requester when theirs is decided or run, and to the connection's routes that subscribe to each
event (filed, approved, rejected, expired, execution started, in progress, succeeded, failed, unknown).

Each notice is written by a function of the request that uses the active language (``announce`` calls it
once per language of the site); the words are marked for translation, the request's own values (names, ids,
its reason and comments, ModelArts' answers) are shown as they are.

Every notice is queued once the state change has committed and sent by a task: a mail server or chat that
is down is retried and logged, and never undoes, blocks or fails a decision.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pools.models import ChangeRequest
from pools.permissions import APPROVE_CHANGE
from pools.services.notifications import Notice, announce
from pools.services.notifications.notices import moment

Status = ChangeRequest.Status

# The event each status announces, and the subject the requester's e-mail (and every route) gets.
STATUS_EVENTS = {
    Status.APPROVED: ("request_approved", gettext_lazy("Approved: {headline}")),
    Status.REJECTED: ("request_rejected", gettext_lazy("Rejected: {headline}")),
    Status.EXPIRED: ("request_expired", gettext_lazy("Expired without a decision: {headline}")),
    Status.IN_PROGRESS: ("execution_in_progress", gettext_lazy("In progress at ModelArts: {headline}")),
    Status.SUCCEEDED: ("execution_succeeded", gettext_lazy("Done: {headline}")),
    Status.FAILED: ("execution_failed", gettext_lazy("Failed: {headline}")),
    Status.UNKNOWN: ("execution_unknown", gettext_lazy("Outcome unknown, being checked: {headline}")),
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
        link_text=_("Open change request #{id}:").format(id=change_request.pk),
        data=_data(change_request),
    )


def _about(change_request: ChangeRequest) -> list[str]:
    """The lines every notice of a request has: its connection and what it changes."""
    return [
        _("Connection: {name}").format(name=change_request.connection.name),
        _("Change: {summary}").format(summary=change_request.summary),
    ]


def notify_approvers(change_request: ChangeRequest) -> None:
    """A request was filed: its approvers (one message each, in their language) and the routes of
    ``approval_pending``."""
    announce(partial(_approval_pending, change_request), people=approvers_for(change_request))


def _approval_pending(change_request: ChangeRequest) -> Notice:
    lines = [
        _("{user} asks for approval of change request #{id}.").format(
            user=change_request.requested_by, id=change_request.pk
        ),
        "",
        *_about(change_request),
        _("Reason: {reason}").format(reason=change_request.reason),
        _("Approvals: {count} of {required}").format(
            count=change_request.approvals.count(), required=change_request.approvals_required
        ),
        _("Expires: {moment}").format(moment=moment(change_request.expires_at)),
    ]
    subject = _("Approval needed: {headline}").format(headline=_headline(change_request))
    return _notice(change_request, "approval_pending", subject, lines)


def notify_status(change_request: ChangeRequest) -> None:
    """A request was decided or its execution settled: the requester (by e-mail, in their language) and the
    routes."""
    if change_request.status not in STATUS_EVENTS:
        return
    requester = change_request.requested_by
    mailed = change_request.status in REQUESTER_MAILED and requester.is_active and requester.email
    announce(partial(_status_notice, change_request), people=[requester] if mailed else [])


def _status_notice(change_request: ChangeRequest) -> Notice:
    event, subject = STATUS_EVENTS[change_request.status]
    lines = [
        _("Change request #{id} is now {status}.").format(
            id=change_request.pk, status=change_request.get_status_display().lower()
        ),
        "",
        *_about(change_request),
        _("Requested by: {user}").format(user=change_request.requested_by),
        *_outcome_lines(change_request),
    ]
    return _notice(change_request, event, subject.format(headline=_headline(change_request)), lines)


def notify_execution_started(change_request: ChangeRequest) -> None:
    """A worker claimed the request and is about to call ModelArts: the routes of ``execution_started``."""
    announce(partial(_execution_started, change_request))


def _execution_started(change_request: ChangeRequest) -> Notice:
    lines = [
        _("Change request #{id} is being executed (attempt {attempt}).").format(
            id=change_request.pk, attempt=change_request.attempts
        ),
        "",
        *_about(change_request),
        _("Run by: {user}").format(user=change_request.executed_by),
    ]
    subject = _("Executing: {headline}").format(headline=_headline(change_request))
    return _notice(change_request, "execution_started", subject, lines)


def _outcome_lines(change_request: ChangeRequest) -> list[str]:
    cr, lines = change_request, []
    if cr.decided_by_id and cr.status in (Status.APPROVED, Status.REJECTED):
        lines.append(_("Decided by: {user}").format(user=cr.decided_by))
    if cr.decision_comment:
        lines.append(_("Comment: {comment}").format(comment=cr.decision_comment))
    if cr.result_pool_name:
        lines.append(_("Pool: {name}").format(name=cr.result_pool_name))
    if cr.result_message:
        lines.append(_("Result: {message}").format(message=cr.result_message))
    if cr.result_error_code or cr.result_error_msg:
        error = f"{cr.result_error_code} {cr.result_error_msg}".strip()
        lines.append(_("Error: {error}").format(error=error))
    if cr.result_request_id:
        lines.append(_("Request id: {id}").format(id=cr.result_request_id))
    return lines
