"""E-mails about change requests: approvers when one awaits them, requesters when theirs is decided or run.

Mail is sent after the state change has been committed; a mail server that is down is logged and never
undoes or blocks an approval. It is written in NOTIFICATION_LANGUAGE (the site's language unless set), not
in the language of whoever's click sent it.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from pools.models import ChangeRequest
from pools.permissions import APPROVE_CHANGE

logger = logging.getLogger(__name__)

SUBJECT_PREFIX = "[ModelArts Admin] "
REQUESTER_SUBJECTS = {
    ChangeRequest.Status.APPROVED: _("Approved: {summary}"),
    ChangeRequest.Status.REJECTED: _("Rejected: {summary}"),
    ChangeRequest.Status.EXPIRED: _("Expired without a decision: {summary}"),
    ChangeRequest.Status.SUCCEEDED: _("Done: {summary}"),
    ChangeRequest.Status.FAILED: _("Failed: {summary}"),
    ChangeRequest.Status.UNKNOWN: _("Outcome unknown, being checked: {summary}"),
}
APPROVAL_NEEDED = _("Approval needed: {summary}")
ASKS_FOR_APPROVAL = _("{user} asks for approval of change request #{pk}.")
NOW_IN_STATE = _("Your change request #{pk} is now {status}.")
CONNECTION = _("Connection")
CHANGE = _("Change")
REASON = _("Reason")
APPROVALS = _("Approvals")
APPROVALS_COUNT = _("{count} of {required}")
EXPIRES = _("Expires")
REVIEW_HERE = _("Review it here")
DECIDED_BY = _("Decided by")
COMMENT = _("Comment")
POOL = _("Pool")
RESULT = _("Result")
ERROR = _("Error")
REQUEST_ID = _("Request id")
DETAILS = _("Details")


def _line(label, value) -> str:
    return gettext("{label}: {value}").format(label=label, value=value)


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
    with translation.override(settings.NOTIFICATION_LANGUAGE):
        return _send(_approver_messages(change_request))


def _approver_messages(change_request: ChangeRequest) -> list[EmailMessage]:
    approvals = change_request.approvals.count()
    body = "\n".join(
        [
            ASKS_FOR_APPROVAL.format(user=change_request.requested_by, pk=change_request.pk),
            "",
            _line(CONNECTION, change_request.connection.name),
            _line(CHANGE, change_request.summary),
            _line(REASON, change_request.reason),
            _line(
                APPROVALS, APPROVALS_COUNT.format(count=approvals, required=change_request.approvals_required)
            ),
            _line(EXPIRES, f"{change_request.expires_at:%Y-%m-%d %H:%M %Z}"),
            "",
            _line(REVIEW_HERE, detail_url(change_request)),
        ]
    )
    subject = SUBJECT_PREFIX + APPROVAL_NEEDED.format(summary=_headline(change_request))
    return [
        EmailMessage(subject=subject, body=body, to=[user.email]) for user in approvers_for(change_request)
    ]


def notify_requester(change_request: ChangeRequest) -> int:
    """Tell the requester the request's current (decided or finished) state."""
    requester = change_request.requested_by
    if change_request.status not in REQUESTER_SUBJECTS or not requester.is_active or not requester.email:
        return 0
    with translation.override(settings.NOTIFICATION_LANGUAGE):
        return _send([_requester_message(change_request)])


def _requester_message(change_request: ChangeRequest) -> EmailMessage:
    status = change_request.get_status_display().lower()
    lines = [
        NOW_IN_STATE.format(pk=change_request.pk, status=status),
        "",
        _line(CONNECTION, change_request.connection.name),
        _line(CHANGE, change_request.summary),
    ]
    if change_request.decided_by_id and change_request.status in (
        ChangeRequest.Status.APPROVED,
        ChangeRequest.Status.REJECTED,
    ):
        lines.append(_line(DECIDED_BY, change_request.decided_by))
    if change_request.decision_comment:
        lines.append(_line(COMMENT, change_request.decision_comment))
    if change_request.result_pool_name:
        lines.append(_line(POOL, change_request.result_pool_name))
    if change_request.result_message:
        lines.append(_line(RESULT, change_request.result_message))
    if change_request.result_error_code or change_request.result_error_msg:
        lines.append(
            _line(ERROR, f"{change_request.result_error_code} {change_request.result_error_msg}".strip())
        )
    if change_request.result_request_id:
        lines.append(_line(REQUEST_ID, change_request.result_request_id))
    lines += ["", _line(DETAILS, detail_url(change_request))]
    subject = SUBJECT_PREFIX + REQUESTER_SUBJECTS[change_request.status].format(
        summary=_headline(change_request)
    )
    return EmailMessage(subject=subject, body="\n".join(lines), to=[change_request.requested_by.email])
