"""What people do with a change request: file it, approve it (four eyes), reject, cancel or comment on it, and
run it (again): execute an approved one a crash left behind, retry a failed one. Running is queued: a worker
makes the call (``background``), never the web request.

A decision re-reads the request first and refuses to act on one that is no longer pending; one past its
expiry is expired then (a decision is a write) and refused.
"""

from __future__ import annotations

from contextlib import closing
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from pools.change_kinds import change_kind
from pools.core.clients import CONNECTION_DELETED, usable_client_for
from pools.core.errors import ApplicationError
from pools.modelarts.errors import ModelArtsError
from pools.models import ChangeRequest, ChangeRequestApproval, ChangeRequestComment, Connection
from pools.permissions import APPROVE_CHANGE, REQUEST_CHANGE
from pools.selectors.change_requests import can_view
from pools.selectors.live_state import READING_LIVE_STATE, live_state, problems_in, revalidate
from pools.services.change_requests import background, events, messages, notifications
from pools.services.change_requests.execution import settled_as_made_before_retry, unexpired
from pools.services.change_requests.housekeeping import change_request_expire
from pools.services.change_requests.rules import (
    COMMENT_MAX,
    RETRYABLE,
    OpenRequestExists,
    Submission,
    SubmissionReused,
    moment_text,
    refuse_duplicate,
    refuse_if_run_expired,
    refuse_own_request,
    require_permission,
    validated_request,
)

Status = ChangeRequest.Status


# --- file a request ------------------------------------------------------------------------------------------


def change_request_create(
    *,
    user,
    connection: Connection,
    kind: str,
    target: str,
    body: Any,
    reason: str,
    idempotency_key: str,
) -> ChangeRequest:
    """Record a request for approval (or return the one this form submission already made).

    ``kind`` "create_pool": ``target`` is the display name, ``body`` the full CreatePool body.
    ``kind`` "delete_pool": ``target`` is the pool id (metadata.name), ``body`` None.
    ``kind`` "delete_nodes": ``target`` is the pool id, ``body`` {"deleteNodeNames": [...]}.
    The live state is read and checked now (and kept as the snapshot approvers compare against).
    """
    require_permission(user, REQUEST_CHANGE, messages.CANNOT_REQUEST)
    key = (idempotency_key or "").strip()
    if not key or len(key) > 64:
        raise ApplicationError(messages.IDEMPOTENCY_KEY_REQUIRED, field="idempotency_key")
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(messages.REASON_REQUIRED, field="reason")
    kind, target, body = validated_request(kind, target, body)
    submission = Submission(user, key, kind, target, body, reason)
    existing = _already_filed(submission)
    if existing is not None:
        return existing
    try:
        refuse_duplicate(connection, kind, target, body)  # early, before ModelArts is read
    except OpenRequestExists:
        # The same form submitted twice at once: the other submission has just filed it.
        existing = _already_filed(submission)
        if existing is not None:
            return existing
        raise
    snapshot = _checked_snapshot(connection, kind, target, body)
    try:
        change_request, filed_now = _file(submission, connection=connection, snapshot=snapshot)
    except IntegrityError:
        # The same form was submitted twice at once and the other submission stored it first.
        return _already_filed(submission)
    if filed_now:
        notifications.notify_approvers(change_request)
    return change_request


def _already_filed(submission: Submission) -> ChangeRequest | None:
    """The request this submission's key already filed, if any; ``SubmissionReused`` when that key filed
    other values (a form sent again after going back and changing it, an API client reusing a key)."""
    existing = ChangeRequest.objects.filter(
        requested_by=submission.user, idempotency_key=submission.key
    ).first()
    if existing is not None and not submission.same_values_as(existing):
        raise SubmissionReused(existing)
    return existing


def _checked_snapshot(connection: Connection, kind: str, target: str, body: Any) -> dict[str, Any]:
    """The live state of what the request would change, refused when it forbids the change."""
    try:
        with closing(usable_client_for(connection)) as client:
            snapshot = live_state(client=client, connection=connection, kind=kind, target=target, body=body)
    except ModelArtsError as error:
        raise ApplicationError.from_upstream(READING_LIVE_STATE.format(pool=target), error) from error
    problems = problems_in(kind=kind, target=target, body=body, live=snapshot)
    if problems:
        raise ApplicationError(" ".join(problems), field=change_kind(kind).problem_field)
    return snapshot


def _file(
    submission: Submission, *, connection: Connection, snapshot: dict[str, Any]
) -> tuple[ChangeRequest, bool]:
    """Store the request and its audit entry: (the request, True), or (the one this submission already
    filed, False)."""
    with transaction.atomic():
        # Locked as a delete of the connection locks it: a request is either filed before the delete
        # (which then refuses) or refused here after it.
        if not Connection.objects.in_use().select_for_update().filter(pk=connection.pk).exists():
            raise ApplicationError(CONNECTION_DELETED.format(name=connection.name))
        # Checked again under that lock, so two submissions of one form, or two people filing the same
        # change at once, file one request.
        existing = _already_filed(submission)
        if existing is not None:
            return existing, False
        refuse_duplicate(connection, submission.kind, submission.target, submission.body)
        change_request = ChangeRequest.objects.create(
            connection=connection,
            kind=submission.kind,
            target=submission.target,
            body=submission.body,
            reason=submission.reason,
            requested_by=submission.user,
            idempotency_key=submission.key,
            approvals_required=max(1, int(settings.APPROVALS_REQUIRED.get(submission.kind, 1))),
            snapshot=snapshot,
            expires_at=timezone.now() + timedelta(hours=settings.CHANGE_REQUEST_EXPIRY_HOURS),
        )
        events.record(
            change_request,
            user=submission.user,
            action="create",
            flag="add",
            reason=submission.reason,
            body=submission.body,
            snapshot=snapshot,
            approvals_required=change_request.approvals_required,
            expires_at=change_request.expires_at.isoformat(),
        )
    return change_request, True


# --- decide --------------------------------------------------------------------------------------------------


def _refuse_unless_pending(change_request: ChangeRequest, action: str) -> None:
    """Refuse unless pending; one past its expiry is expired first (audited, its requester told)."""
    change_request.refresh_from_db()
    change_request_expire(change_request=change_request)
    if change_request.status == Status.EXPIRED:
        raise ApplicationError(
            messages.EXPIRED.format(pk=change_request.pk, when=moment_text(change_request.expires_at))
        )
    if change_request.status != Status.PENDING:
        raise _not_pending(change_request, action)


def _not_pending(change_request: ChangeRequest, action: str) -> ApplicationError:
    status = change_request.get_status_display().lower()
    return ApplicationError(messages.NOT_PENDING.format(pk=change_request.pk, status=status, action=action))


def _lock_pending(change_request: ChangeRequest, now: datetime, action: str) -> None:
    """Inside a transaction: take the row's write lock while it is still pending and not expired.

    The no-op UPDATE blocks every other decision on this request until we commit (a row lock on
    PostgreSQL, the database write lock on SQLite); whoever comes second re-reads and is refused.
    """
    locked = ChangeRequest.objects.filter(
        pk=change_request.pk, status=Status.PENDING, expires_at__gt=now
    ).update(updated_at=now)
    if not locked:
        raise _not_pending(ChangeRequest.objects.get(pk=change_request.pk), action)


def change_request_approve(*, user, change_request: ChangeRequest, comment: str = "") -> ChangeRequest:
    """Add ``user``'s approval; with enough approvals the request is approved and its run queued (once the
    approval has committed), to be executed by a worker.

    A request the live state no longer allows (e.g. its pool is gone) is refused and stays pending, to be
    rejected or cancelled; when the live state cannot be read, the approval stands and execution re-checks.
    """
    require_permission(user, APPROVE_CHANGE, messages.CANNOT_DECIDE)
    refuse_own_request(user, change_request)
    _refuse_unless_pending(change_request, "approved")
    check = revalidate(change_request)
    if not check.ok and check.error is None:
        # Another approver may have approved and run it while the live state was read: say that, not what
        # the change it ran did to the pool.
        change_request.refresh_from_db()
        _refuse_unless_pending(change_request, "approved")
        raise ApplicationError(messages.NOT_APPROVABLE.format(problems=" ".join(check.problems)))
    comment = (comment or "").strip()[:COMMENT_MAX]
    if _add_approval(user, change_request, comment):
        notifications.notify_status(change_request)
        background.run_in_background_after_commit(change_request, user, action="execute")
        change_request.refresh_from_db()  # the immediate backend has run it by now
    return change_request


def _add_approval(user, change_request: ChangeRequest, comment: str) -> bool:
    """Record ``user``'s approval; True when it was the last one needed (the request is now approved)."""
    now = timezone.now()
    with transaction.atomic():
        _lock_pending(change_request, now, "approved")
        if change_request.approvals.filter(approver=user).exists():
            raise ApplicationError(messages.ALREADY_APPROVED)
        try:
            with transaction.atomic():
                ChangeRequestApproval.objects.create(
                    change_request=change_request, approver=user, comment=comment
                )
        except IntegrityError:
            raise ApplicationError(messages.ALREADY_APPROVED) from None
        approvals = change_request.approvals.count()
        approved = approvals >= change_request.approvals_required and ChangeRequest.objects.transition(
            change_request.pk,
            Status.PENDING,
            Status.APPROVED,
            decided_at=now,
            decided_by=user,
            decision_comment=comment,
        )
        change_request.refresh_from_db()
        events.record(
            change_request,
            user=user,
            action="approve",
            comment=comment,
            approvals=approvals,
            approvals_required=change_request.approvals_required,
        )
    return approved


def change_request_reject(*, user, change_request: ChangeRequest, comment: str) -> ChangeRequest:
    """End the request; one rejection by any approver is enough."""
    require_permission(user, APPROVE_CHANGE, messages.CANNOT_DECIDE)
    refuse_own_request(user, change_request)
    comment = (comment or "").strip()
    if not comment:
        raise ApplicationError(messages.REJECT_COMMENT_REQUIRED, field="comment")
    comment = comment[:COMMENT_MAX]
    _refuse_unless_pending(change_request, "rejected")
    now = timezone.now()
    with transaction.atomic():
        rejected = ChangeRequest.objects.transition(
            change_request.pk,
            Status.PENDING,
            Status.REJECTED,
            match={"expires_at__gt": now},
            decided_at=now,
            decided_by=user,
            decision_comment=comment,
        )
        change_request.refresh_from_db()
        if not rejected:
            raise _not_pending(change_request, "rejected")
        events.record(change_request, user=user, action="reject", comment=comment)
    notifications.notify_status(change_request)
    return change_request


def change_request_cancel(*, user, change_request: ChangeRequest) -> ChangeRequest:
    """The requester withdraws their own pending request."""
    require_permission(user, REQUEST_CHANGE, messages.CANNOT_REQUEST)
    if change_request.requested_by_id != user.pk:
        raise PermissionDenied(messages.CANCEL_NOT_OWN)
    _refuse_unless_pending(change_request, "cancelled")
    now = timezone.now()
    with transaction.atomic():
        cancelled = ChangeRequest.objects.transition(
            change_request.pk, Status.PENDING, Status.CANCELLED, decided_at=now, decided_by=user
        )
        change_request.refresh_from_db()
        if not cancelled:
            raise _not_pending(change_request, "cancelled")
        events.record(change_request, user=user, action="cancel")
    return change_request


def change_request_comment(*, user, change_request: ChangeRequest, text: str) -> ChangeRequestComment:
    """A note in the request's discussion, by its requester or any approver, in any state."""
    if not can_view(user, change_request) or not (
        user.has_perm(APPROVE_CHANGE) or change_request.requested_by_id == user.pk
    ):
        raise PermissionDenied(messages.CANNOT_COMMENT)
    text = (text or "").strip()
    if not text:
        raise ApplicationError(messages.COMMENT_REQUIRED, field="text")
    if len(text) > COMMENT_MAX:
        raise ApplicationError(messages.COMMENT_TOO_LONG, field="text")
    with transaction.atomic():
        comment = ChangeRequestComment.objects.create(change_request=change_request, author=user, text=text)
        events.record(change_request, user=user, action="comment", comment=text)
    return comment


# --- run (again) ---------------------------------------------------------------------------------------------


def change_request_execute(*, change_request: ChangeRequest, user) -> ChangeRequest:
    """Queue the run of an approved request again (its first run was lost, or waits for a worker). Only the
    run whose claim (approved → executing) wins calls ModelArts, so asking twice runs it once."""
    require_permission(user, APPROVE_CHANGE, messages.CANNOT_DECIDE)
    refuse_own_request(user, change_request)
    change_request.refresh_from_db()
    refuse_if_run_expired(change_request)
    if change_request.status != Status.APPROVED:
        raise _not_approved(change_request)
    result = background.run_in_background(change_request, user, action="execute")
    change_request.refresh_from_db()
    if background.ran_and_found_it_taken(result):
        raise _not_approved(change_request)
    return change_request


def _not_approved(change_request: ChangeRequest) -> ApplicationError:
    status = change_request.get_status_display().lower()
    return ApplicationError(messages.NOT_APPROVED.format(pk=change_request.pk, status=status))


def change_request_retry(*, user, change_request: ChangeRequest) -> ChangeRequest:
    """Queue a failed request to run again, or settle one whose outcome is unknown (→ approved, or →
    succeeded).

    A lost answer is looked up first: when ModelArts shows the change, the request succeeded and nothing is
    sent. When it shows nothing, the change is sent again only once the last call is older than
    CHANGE_REQUEST_EXECUTION_GRACE_SECONDS (a slow ModelArts may still apply it); sooner it is refused.
    Otherwise the request goes back to approved (a compare-and-set on its attempt, so of two people retrying
    at once one wins) and its run is queued; the worker's claim starts the next attempt.
    """
    require_permission(user, APPROVE_CHANGE, messages.CANNOT_DECIDE)
    refuse_own_request(user, change_request)
    change_request.refresh_from_db()
    if change_request.status not in RETRYABLE:
        raise _not_retryable(change_request)
    refuse_if_run_expired(change_request)
    if change_request.outcome_unknown and settled_as_made_before_retry(change_request, user):
        return change_request
    with transaction.atomic():
        # Holds only if nobody acted since we looked (same attempt) and the request is still valid.
        queued = ChangeRequest.objects.transition(
            change_request.pk,
            change_request.status,
            Status.APPROVED,
            match={"attempts": change_request.attempts, **unexpired()},
        )
        change_request.refresh_from_db()
        if not queued:
            raise _not_retryable(change_request)
        events.record(change_request, user=user, action="queue", attempt=change_request.attempts + 1)
    background.run_in_background_after_commit(change_request, user, action="retry")
    change_request.refresh_from_db()  # the immediate backend has run it by now
    return change_request


def _not_retryable(change_request: ChangeRequest) -> ApplicationError:
    status = change_request.get_status_display().lower()
    return ApplicationError(messages.NOT_FAILED.format(pk=change_request.pk, status=status))
