"""E-mails about change requests: approvers when one awaits them, requesters when theirs is decided or run.

Mail is sent after the state change has been committed; a mail server that is down is logged and never
undoes or blocks an approval.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.urls import reverse

from pools.models import ChangeRequest
from pools.permissions import APPROVE_CHANGE

logger = logging.getLogger(__name__)

SUBJECT_PREFIX = "[ModelArts Admin] "
REQUESTER_SUBJECTS = {
    ChangeRequest.Status.APPROVED: "Approved: {summary}",
    ChangeRequest.Status.REJECTED: "Rejected: {summary}",
    ChangeRequest.Status.EXPIRED: "Expired without a decision: {summary}",
    ChangeRequest.Status.SUCCEEDED: "Done: {summary}",
    ChangeRequest.Status.FAILED: "Failed: {summary}",
    ChangeRequest.Status.UNKNOWN: "Outcome unknown, being checked: {summary}",
}


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


def _send(messages: list[EmailMessage]) -> int:
    if not messages:
        return 0
    try:
        return get_connection().send_messages(messages) or 0
    except Exception:
        # A broken mail server must not turn a committed approval into an error page.
        logger.exception("Could not send %d change-request e-mail(s)", len(messages))
        return 0


def notify_approvers(change_request: ChangeRequest) -> int:
    """One message per approver (addresses are not shown to each other)."""
    approvals = change_request.approvals.count()
    body = "\n".join(
        [
            f"{change_request.requested_by} asks for approval of change request #{change_request.pk}.",
            "",
            f"Connection: {change_request.connection.name}",
            f"Change: {change_request.summary}",
            f"Reason: {change_request.reason}",
            f"Approvals: {approvals} of {change_request.approvals_required}",
            f"Expires: {change_request.expires_at:%Y-%m-%d %H:%M %Z}",
            "",
            f"Review it here: {detail_url(change_request)}",
        ]
    )
    subject = f"{SUBJECT_PREFIX}Approval needed: {_headline(change_request)}"
    messages = [
        EmailMessage(subject=subject, body=body, to=[user.email]) for user in approvers_for(change_request)
    ]
    return _send(messages)


def notify_requester(change_request: ChangeRequest) -> int:
    """Tell the requester the request's current (decided or finished) state."""
    requester = change_request.requested_by
    template = REQUESTER_SUBJECTS.get(change_request.status)
    if template is None or not requester.is_active or not requester.email:
        return 0
    lines = [
        f"Your change request #{change_request.pk} is now {change_request.get_status_display().lower()}.",
        "",
        f"Connection: {change_request.connection.name}",
        f"Change: {change_request.summary}",
    ]
    if change_request.decided_by_id and change_request.status in (
        ChangeRequest.Status.APPROVED,
        ChangeRequest.Status.REJECTED,
    ):
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
    lines += ["", f"Details: {detail_url(change_request)}"]
    subject = SUBJECT_PREFIX + template.format(summary=_headline(change_request))
    return _send([EmailMessage(subject=subject, body="\n".join(lines), to=[requester.email])])
