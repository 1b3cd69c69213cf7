"""Change requests: the only path by which a pool is created or deleted, or nodes are deleted.

Requested by one person, approved by another (four eyes), executed exactly once, audited at every step.

Exactly once: every state change is a compare-and-set UPDATE (``ChangeRequest.objects.transition``) whose
row count says who won. Execution first claims the request (approved → executing, or failed/unknown →
executing on retry) and only the claimant calls ModelArts; everyone racing it gets 0 rows and stops. A call
whose answer was lost (or unreadable) is never sent again blindly: the request's outcome is "unknown", looked
up (the pool by display name, the pool or its nodes for deletes) and settled from what ModelArts shows; it is
sent again only when ModelArts still shows nothing CHANGE_REQUEST_EXECUTION_GRACE_SECONDS after the call.
"""

from __future__ import annotations

import logging
import re
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from pools import audit
from pools.core.clients import CONNECTION_DELETED, usable_client_for
from pools.core.errors import ApplicationError
from pools.modelarts.errors import (
    InvalidResponseError,
    ModelArtsError,
    NotFoundError,
    OutcomeUnknownError,
)
from pools.modelarts.types import NODE_DELETING
from pools.models import ChangeRequest, ChangeRequestApproval, ChangeRequestComment, Connection
from pools.permissions import APPROVE_CHANGE, REQUEST_CHANGE
from pools.selectors.cache import forget_connection
from pools.selectors.change_requests import can_view, open_duplicate
from pools.selectors.live_state import live_state, pools_named, problems_in, revalidate, workspace_of
from pools.services import change_request_events as events
from pools.services import notifications
from pools.services.change_request_expiry import change_request_expire, change_requests_expire_due
from pools.services.pool_body import DISPLAY_NAME, create_pool_body_problem

__all__ = [
    "OpenRequestExists",
    "ProcessSummary",
    "change_request_approve",
    "change_request_cancel",
    "change_request_comment",
    "change_request_create",
    "change_request_execute",
    "change_request_expire",
    "change_request_reject",
    "change_request_retry",
    "change_requests_expire_due",
    "process_change_requests",
]

logger = logging.getLogger(__name__)

Status = ChangeRequest.Status
Kind = ChangeRequest.Kind

# Refusals: permission problems raise PermissionDenied (the views answer 403), the rest ApplicationError.
CANNOT_REQUEST = "You may not request pool changes."
CANNOT_DECIDE = "You may not approve, reject or run change requests."
OWN_REQUEST = "You cannot approve, reject or run your own change request; another approver must."
CANCEL_NOT_OWN = "Only the person who made a change request can cancel it."
CANNOT_COMMENT = "You may not comment on this change request."
REASON_REQUIRED = "Say why this change is needed."
REJECT_COMMENT_REQUIRED = "Say why you reject this request."
COMMENT_REQUIRED = "Write a comment first."
COMMENT_TOO_LONG = "Keep comments under 5000 characters."
IDEMPOTENCY_KEY_REQUIRED = "The form is missing its submission key; reload the page and try again."
ALREADY_APPROVED = "You have already approved this request."
NOT_PENDING = "Change request #{pk} is {status}; only a pending request can be {action}."
EXPIRED = "Change request #{pk} expired on {when}; make a new request if the change is still needed."
NOT_APPROVED = "Change request #{pk} is {status}; only an approved request can be executed."
NOT_FAILED = (
    "Change request #{pk} is {status}; only a failed request, or one whose outcome is unknown, "
    "can be retried."
)
RUN_EXPIRED = (
    "Change request #{pk} expired on {when}; it can no longer be run. Make a new request if the change is "
    "still needed."
)
ALREADY_REQUESTED = (
    "Change request #{pk} already asks for this ({status}); follow it there instead of filing another."
)
UNKNOWN_KIND = "Choose what to change: create a pool, delete a pool or delete nodes."
TARGET_REQUIRED = "Name the pool this change is about."
BAD_POOL_ID = "That is not a pool id (letters, digits, '.', '_' and '-', at most 128 characters)."
BAD_DISPLAY_NAME = "A pool name has 1 to 64 letters, digits, '.', '_' or '-'."
DELETE_POOL_TAKES_NO_BODY = "Deleting a pool sends no body."
BAD_NODE_LIST = 'Nodes to delete must be {"deleteNodeNames": [node names]} with at least one name.'
BAD_CREATE_BODY = "The CreatePool body is invalid: {problem}."
REVALIDATION_FAILED = "Not executed: the live state no longer allows this change. {problems}"
NOT_APPROVABLE = (
    "Not approved: the live state no longer allows this change. {problems} Reject it, or its requester can "
    "cancel it."
)
REACHED_NOTHING = "Not executed: {message}"
CONFIRMED_BY_QUERY = "ModelArts shows the change was made (checked after {why})."
NOT_FOUND_YET = (
    "ModelArts shows no sign of the change yet (checked after {why}), but a slow ModelArts may still apply "
    "it. It is checked again; it is sent again only if it still does not show after {when}."
)
NOT_MADE_AFTER_GRACE = (
    "ModelArts still shows no sign of the change {grace} after it was sent (checked after {why}), so it "
    "was not made. It can be retried; a retry checks again before sending anything."
)
OUTCOME_UNCHECKED = (
    "The answer was lost ({error}) and the outcome could not be checked yet; ModelArts is asked again "
    "before anything is sent."
)
STILL_UNKNOWN = (
    "Nothing was sent: ModelArts shows no sign of change request #{pk} yet, but the last call may still be "
    "applied. It can be sent again after {when} if it still does not show by then."
)
EXPIRED_BEFORE_RUN = "Not executed: the request expired on {when} before it ran."
CHECKING_LOST_CHANGE = "Checking whether the change whose answer was lost was made"
LOST_ANSWER = "the answer to the call was lost"
LATER_CHECK = "a later check of a lost answer"
RETRY_CHECK = "a retry of a lost answer"
UNEXPECTED = "Execution stopped on an unexpected error ({error}); the outcome is checked before any retry."

COMMENT_MAX = 5000
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


class OpenRequestExists(ApplicationError):
    """Refusal of a request for a change that an open request (``existing``) already asks for."""

    def __init__(self, existing: ChangeRequest):
        super().__init__(
            ALREADY_REQUESTED.format(pk=existing.pk, status=existing.get_status_display().lower())
        )
        self.existing = existing


# --- helpers -------------------------------------------------------------------------------------------------


def _require(user, perm: str, message: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied(message)


def _not_requester(user, change_request: ChangeRequest) -> None:
    if change_request.requested_by_id == user.pk:
        raise PermissionDenied(OWN_REQUEST)


def _when(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M %Z")


def _ensure_pending(change_request: ChangeRequest, action: str) -> None:
    """Refuse unless pending; expires it first when it is overdue."""
    change_request.refresh_from_db()
    change_request_expire(change_request=change_request)
    if change_request.status == Status.EXPIRED:
        raise ApplicationError(EXPIRED.format(pk=change_request.pk, when=_when(change_request.expires_at)))
    if change_request.status != Status.PENDING:
        raise ApplicationError(
            NOT_PENDING.format(
                pk=change_request.pk, status=change_request.get_status_display().lower(), action=action
            )
        )


def _lock_pending(change_request: ChangeRequest, now: datetime, action: str) -> None:
    """Inside a transaction: take the row's write lock while it is still pending and not expired.

    The no-op UPDATE blocks every other decision on this request until we commit (a row lock on
    PostgreSQL, the database write lock on SQLite); whoever comes second re-reads and is refused.
    """
    locked = ChangeRequest.objects.filter(
        pk=change_request.pk, status=Status.PENDING, expires_at__gt=now
    ).update(updated_at=now)
    if not locked:
        raise ApplicationError(
            NOT_PENDING.format(
                pk=change_request.pk,
                status=ChangeRequest.objects.get(pk=change_request.pk).get_status_display().lower(),
                action=action,
            )
        )


# --- validation of what is requested -------------------------------------------------------------------------


def _validated(kind: str, target: str, body: Any) -> tuple[str, str, Any]:
    if kind not in Kind.values:
        raise ApplicationError(UNKNOWN_KIND, field="kind")
    target = (target or "").strip()
    if not target:
        raise ApplicationError(TARGET_REQUIRED, field="target")
    if kind == Kind.CREATE_POOL:
        if not DISPLAY_NAME.match(target):
            raise ApplicationError(BAD_DISPLAY_NAME, field="target")
        problem = create_pool_body_problem(target, body)
        if problem:
            raise ApplicationError(BAD_CREATE_BODY.format(problem=problem), field="body")
        return kind, target, body
    if not _NAME.match(target):
        raise ApplicationError(BAD_POOL_ID, field="target")
    if kind == Kind.DELETE_POOL:
        if body not in (None, {}):
            raise ApplicationError(DELETE_POOL_TAKES_NO_BODY, field="body")
        return kind, target, None
    names = (
        body.get("deleteNodeNames") if isinstance(body, dict) and set(body) == {"deleteNodeNames"} else None
    )
    if (
        not isinstance(names, list)
        or not names
        or not all(isinstance(name, str) and _NAME.match(name) for name in names)
    ):
        raise ApplicationError(BAD_NODE_LIST, field="body")
    return kind, target, {"deleteNodeNames": list(dict.fromkeys(names))}


# --- request, decide, cancel, comment ------------------------------------------------------------------------


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
    _require(user, REQUEST_CHANGE, CANNOT_REQUEST)
    key = (idempotency_key or "").strip()
    if not key or len(key) > 64:
        raise ApplicationError(IDEMPOTENCY_KEY_REQUIRED, field="idempotency_key")
    existing = _already_filed(user, key)
    if existing is not None:
        return existing
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(REASON_REQUIRED, field="reason")
    kind, target, body = _validated(kind, target, body)
    _refuse_duplicate(connection, kind, target, body)

    try:
        with closing(usable_client_for(connection)) as client:
            snapshot = live_state(client=client, connection=connection, kind=kind, target=target, body=body)
    except ModelArtsError as error:
        raise ApplicationError.from_upstream(f"Reading the live state of {target}", error) from error
    problems = problems_in(kind=kind, target=target, body=body, live=snapshot)
    if problems:
        raise ApplicationError(" ".join(problems), field="body" if kind == Kind.DELETE_NODES else "target")

    now = timezone.now()
    try:
        with transaction.atomic():
            # Locked as a delete of the connection locks it: a request is either filed before the delete
            # (which then refuses) or refused here after it.
            if not Connection.objects.in_use().select_for_update().filter(pk=connection.pk).exists():
                raise ApplicationError(CONNECTION_DELETED.format(name=connection.name))
            # Checked again under that lock, so two submissions of one form, or two people filing the same
            # change at once, file one request.
            existing = _already_filed(user, key)
            if existing is not None:
                return existing
            _refuse_duplicate(connection, kind, target, body)
            change_request = ChangeRequest.objects.create(
                connection=connection,
                kind=kind,
                target=target,
                body=body,
                reason=reason,
                requested_by=user,
                idempotency_key=key,
                approvals_required=max(1, int(settings.APPROVALS_REQUIRED.get(kind, 1))),
                snapshot=snapshot,
                expires_at=now + timedelta(hours=settings.CHANGE_REQUEST_EXPIRY_HOURS),
            )
            events.record(
                change_request,
                user=user,
                action="create",
                flag="add",
                reason=reason,
                body=body,
                snapshot=snapshot,
                approvals_required=change_request.approvals_required,
                expires_at=change_request.expires_at.isoformat(),
            )
    except IntegrityError:
        # The same form was submitted twice at once and the other submission stored it first.
        return ChangeRequest.objects.get(requested_by=user, idempotency_key=key)
    notifications.notify_approvers(change_request)
    return change_request


def _already_filed(user, idempotency_key: str) -> ChangeRequest | None:
    """The request this form submission (``idempotency_key``) already filed, if any."""
    return ChangeRequest.objects.filter(requested_by=user, idempotency_key=idempotency_key).first()


def _refuse_duplicate(connection: Connection, kind: str, target: str, body: Any) -> None:
    existing = open_duplicate(connection=connection, kind=kind, target=target, body=body)
    if existing is not None:
        raise OpenRequestExists(existing)


def change_request_approve(*, user, change_request: ChangeRequest, comment: str = "") -> ChangeRequest:
    """Add ``user``'s approval; with enough approvals the request is approved and executed at once.

    A request the live state no longer allows (e.g. its pool is gone) is refused and stays pending, to be
    rejected or cancelled; when the live state cannot be read, the approval stands and execution re-checks.
    """
    _require(user, APPROVE_CHANGE, CANNOT_DECIDE)
    _not_requester(user, change_request)
    _ensure_pending(change_request, "approved")
    check = revalidate(change_request)
    if not check.ok and check.error is None:
        raise ApplicationError(NOT_APPROVABLE.format(problems=" ".join(check.problems)))
    comment = (comment or "").strip()[:COMMENT_MAX]
    now = timezone.now()
    with transaction.atomic():
        _lock_pending(change_request, now, "approved")
        if change_request.approvals.filter(approver=user).exists():
            raise ApplicationError(ALREADY_APPROVED)
        try:
            with transaction.atomic():
                ChangeRequestApproval.objects.create(
                    change_request=change_request, approver=user, comment=comment
                )
        except IntegrityError:
            raise ApplicationError(ALREADY_APPROVED) from None
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
    if approved:
        notifications.notify_requester(change_request)
        _claim_and_run(change_request, user, from_status=Status.APPROVED, action="execute")
    return change_request


def change_request_reject(*, user, change_request: ChangeRequest, comment: str) -> ChangeRequest:
    """End the request; one rejection by any approver is enough."""
    _require(user, APPROVE_CHANGE, CANNOT_DECIDE)
    _not_requester(user, change_request)
    comment = (comment or "").strip()
    if not comment:
        raise ApplicationError(REJECT_COMMENT_REQUIRED, field="comment")
    comment = comment[:COMMENT_MAX]
    _ensure_pending(change_request, "rejected")
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
            raise ApplicationError(
                NOT_PENDING.format(
                    pk=change_request.pk,
                    status=change_request.get_status_display().lower(),
                    action="rejected",
                )
            )
        events.record(change_request, user=user, action="reject", comment=comment)
    notifications.notify_requester(change_request)
    return change_request


def change_request_cancel(*, user, change_request: ChangeRequest) -> ChangeRequest:
    """The requester withdraws their own pending request."""
    _require(user, REQUEST_CHANGE, CANNOT_REQUEST)
    if change_request.requested_by_id != user.pk:
        raise PermissionDenied(CANCEL_NOT_OWN)
    _ensure_pending(change_request, "cancelled")
    now = timezone.now()
    with transaction.atomic():
        cancelled = ChangeRequest.objects.transition(
            change_request.pk, Status.PENDING, Status.CANCELLED, decided_at=now, decided_by=user
        )
        change_request.refresh_from_db()
        if not cancelled:
            raise ApplicationError(
                NOT_PENDING.format(
                    pk=change_request.pk,
                    status=change_request.get_status_display().lower(),
                    action="cancelled",
                )
            )
        events.record(change_request, user=user, action="cancel")
    return change_request


def change_request_comment(*, user, change_request: ChangeRequest, text: str) -> ChangeRequestComment:
    """A note in the request's discussion, by its requester or any approver, in any state."""
    if not can_view(user, change_request) or not (
        user.has_perm(APPROVE_CHANGE) or change_request.requested_by_id == user.pk
    ):
        raise PermissionDenied(CANNOT_COMMENT)
    text = (text or "").strip()
    if not text:
        raise ApplicationError(COMMENT_REQUIRED, field="text")
    if len(text) > COMMENT_MAX:
        raise ApplicationError(COMMENT_TOO_LONG, field="text")
    with transaction.atomic():
        comment = ChangeRequestComment.objects.create(change_request=change_request, author=user, text=text)
        events.record(change_request, user=user, action="comment", comment=text)
    return comment


# --- execution -----------------------------------------------------------------------------------------------


def change_request_execute(*, change_request: ChangeRequest, user) -> ChangeRequest:
    """Run an approved request. Only the caller whose claim (approved → executing) wins calls ModelArts."""
    _require(user, APPROVE_CHANGE, CANNOT_DECIDE)
    _not_requester(user, change_request)
    change_request.refresh_from_db()
    _refuse_if_run_expired(change_request)
    if not _claim_and_run(
        change_request, user, from_status=Status.APPROVED, action="execute", match=_unexpired()
    ):
        raise ApplicationError(
            NOT_APPROVED.format(pk=change_request.pk, status=change_request.get_status_display().lower())
        )
    return change_request


def change_request_retry(*, user, change_request: ChangeRequest) -> ChangeRequest:
    """Run a failed request again, or settle one whose outcome is unknown (→ executing, or → succeeded).

    A lost answer is looked up first: when ModelArts shows the change, the request succeeded and nothing is
    sent. When it shows nothing, the change is sent again only once the last call is older than
    CHANGE_REQUEST_EXECUTION_GRACE_SECONDS (a slow ModelArts may still apply it); sooner it is refused.
    """
    _require(user, APPROVE_CHANGE, CANNOT_DECIDE)
    _not_requester(user, change_request)
    change_request.refresh_from_db()
    if change_request.status not in RETRYABLE:
        raise ApplicationError(
            NOT_FAILED.format(pk=change_request.pk, status=change_request.get_status_display().lower())
        )
    _refuse_if_run_expired(change_request)
    if change_request.outcome_unknown and _found_by_looking(change_request, user):
        return change_request
    # The claim holds only if nobody acted since we looked (same attempt) and the request is still valid.
    if not _claim_and_run(
        change_request,
        user,
        from_status=change_request.status,
        action="retry",
        match={"attempts": change_request.attempts, **_unexpired()},
    ):
        raise ApplicationError(
            NOT_FAILED.format(pk=change_request.pk, status=change_request.get_status_display().lower())
        )
    return change_request


RETRYABLE = (Status.FAILED, Status.UNKNOWN)


def _unexpired() -> dict[str, Any]:
    return {"expires_at__gt": timezone.now()}


def _refuse_if_run_expired(change_request: ChangeRequest) -> None:
    if change_request.run_expired:
        raise ApplicationError(
            RUN_EXPIRED.format(pk=change_request.pk, when=_when(change_request.expires_at))
        )


def _found_by_looking(change_request: ChangeRequest, user) -> bool:
    """Before a lost change is sent again: True when ModelArts shows it made (now settled as succeeded).

    Raises ApplicationError, sending nothing, when ModelArts cannot be asked, or when it shows nothing yet
    and the last call is too recent to rule out that it still lands.
    """
    why = RETRY_CHECK
    with closing(usable_client_for(change_request.connection)) as client:
        try:
            made, pool_name = _observed(client, change_request)
        except ModelArtsError as error:
            events.record(
                change_request, user=user, action="reconcile", found=None, why=why, error=str(error)
            )
            raise ApplicationError.from_upstream(CHECKING_LOST_CHANGE, error) from error
    events.record(change_request, user=user, action="reconcile", found=made, why=why, pool_name=pool_name)
    if made:
        if not _settle_made(
            change_request,
            user,
            change_request.attempts,
            pool_name,
            why=why,
            from_status=change_request.status,
        ):
            raise ApplicationError(
                NOT_FAILED.format(pk=change_request.pk, status=change_request.get_status_display().lower())
            )
        return True
    # Also for a request recorded as failed with a lost answer (before "unknown" existed): too recent is too
    # recent, whatever the status says.
    resend_at = change_request.resend_allowed_at
    if resend_at is not None and timezone.now() < resend_at:
        raise ApplicationError(STILL_UNKNOWN.format(pk=change_request.pk, when=_when(resend_at)))
    return False


def _claim_and_run(
    change_request: ChangeRequest, user, *, from_status: str, action: str, match: dict | None = None
) -> bool:
    """Claim the request for one execution attempt and run it. False when someone else holds it."""
    now = timezone.now()
    claimed = ChangeRequest.objects.transition(
        change_request.pk,
        from_status,
        Status.EXECUTING,
        match=match,
        attempts=F("attempts") + 1,
        executed_by=user,
        execution_started_at=now,
        finished_at=None,
        result_http_status=None,
        result_request_id="",
        result_error_code="",
        result_error_msg="",
        result_message="",
        # Whatever an earlier lost attempt did was looked at before this claim (see change_request_retry).
        outcome_unknown=False,
    )
    change_request.refresh_from_db()
    if not claimed:
        return False
    events.record(change_request, user=user, action=action, attempt=change_request.attempts)
    _run_claimed(change_request, user)
    return True


def _call_upstream(client, change_request: ChangeRequest) -> tuple[str, str]:
    """Make the change. Returns (resulting pool name, upstream request id)."""
    if change_request.kind == Kind.CREATE_POOL:
        pool = client.create_pool(change_request.body)
        return pool.name, pool.request_id
    if change_request.kind == Kind.DELETE_POOL:
        pool = client.delete_pool(change_request.target)
        return pool.name, pool.request_id
    ack = client.delete_nodes(change_request.target, change_request.node_names)
    return change_request.target, ack.request_id


def _run_claimed(change_request: ChangeRequest, user) -> None:
    attempt = change_request.attempts
    try:
        with closing(usable_client_for(change_request.connection)) as client:
            _run_with(client, change_request, user, attempt)
    except ApplicationError as error:  # e.g. the connection's keys cannot be opened: nothing was sent
        _settle(
            change_request, user, attempt, Status.FAILED, result_message=REACHED_NOTHING.format(message=error)
        )
    except Exception as error:
        # Whatever broke, the request must not stay "executing"; whether anything was sent is unknown.
        logger.exception("Change request #%s: execution attempt %s failed", change_request.pk, attempt)
        _settle(
            change_request,
            user,
            attempt,
            Status.UNKNOWN,
            result_message=UNEXPECTED.format(error=type(error).__name__),
            outcome_unknown=True,
        )


def _run_with(client, change_request: ChangeRequest, user, attempt: int) -> None:
    """Re-validate, then make the call once and settle from its answer (or, without one, from a look)."""
    check = revalidate(change_request, client=client)
    if not check.ok:
        upstream = check.error.upstream if check.error else None
        _settle(
            change_request,
            user,
            attempt,
            Status.FAILED,
            upstream=upstream,
            result_message=REVALIDATION_FAILED.format(problems=" ".join(check.problems)),
            revalidation=list(check.problems),
        )
        return
    try:
        pool_name, request_id = _call_upstream(client, change_request)
    except (OutcomeUnknownError, InvalidResponseError) as error:
        # No answer, or none we can read: the change may or may not have happened. Look, never resend.
        _record_lost_answer(change_request, attempt, error)
        _reconcile(client, change_request, user, attempt, why=LOST_ANSWER, missing=Status.UNKNOWN)
    except ModelArtsError as error:  # an error answer, or a connection that never reached ModelArts
        _settle(
            change_request,
            user,
            attempt,
            Status.FAILED,
            upstream=error,
            result_message=f"{error.title}.",
            outcome_unknown=False,
        )
    else:
        _settle(
            change_request,
            user,
            attempt,
            Status.SUCCEEDED,
            result_http_status=200,
            result_request_id=request_id,
            result_pool_name=pool_name,
            outcome_unknown=False,
        )


def _upstream_fields(error: ModelArtsError | None) -> dict[str, Any]:
    if error is None:
        return {}
    return {
        "result_http_status": error.status,
        "result_error_code": error.error_code[:64],
        "result_error_msg": error.error_msg,
        "result_request_id": error.request_id[:128],
    }


def _record_lost_answer(change_request: ChangeRequest, attempt: int, error: ModelArtsError) -> None:
    ChangeRequest.objects.filter(pk=change_request.pk, status=Status.EXECUTING, attempts=attempt).update(
        outcome_unknown=True, updated_at=timezone.now(), **_upstream_fields(error)
    )
    change_request.refresh_from_db()


SETTLE_ACTIONS = {Status.SUCCEEDED: "succeed", Status.FAILED: "fail", Status.UNKNOWN: "outcome_unknown"}


def _settle(
    change_request: ChangeRequest,
    user,
    attempt: int,
    status: str,
    *,
    upstream: ModelArtsError | None = None,
    revalidation: list[str] | None = None,
    from_status: str = Status.EXECUTING,
    **fields: Any,
) -> bool:
    """executing → succeeded | failed | unknown (or unknown → …), for this attempt only; audited and mailed
    by the one who wins."""
    now = timezone.now()
    with transaction.atomic():
        won = ChangeRequest.objects.transition(
            change_request.pk,
            from_status,
            status,
            match={"attempts": attempt},
            finished_at=now,
            **{**_upstream_fields(upstream), **fields},
        )
        change_request.refresh_from_db()
        if won:
            events.record(
                change_request,
                user=user,
                action=SETTLE_ACTIONS[status],
                revalidation=revalidation,
                **events.result_details(change_request),
            )
    if won:
        # What the pages cached before the change is now wrong: the next view reads ModelArts afresh.
        forget_connection(change_request.connection_id)
        notifications.notify_requester(change_request)
    return won


def _settle_made(
    change_request: ChangeRequest, user, attempt: int, pool_name: str, *, why: str, from_status: str
) -> bool:
    """Settle as succeeded because ModelArts shows the change (after a lost answer)."""
    return _settle(
        change_request,
        user,
        attempt,
        Status.SUCCEEDED,
        from_status=from_status,
        result_pool_name=pool_name,
        result_message=CONFIRMED_BY_QUERY.format(why=why),
        result_http_status=None,
        result_error_code="",
        result_error_msg="",
        outcome_unknown=False,
    )


def _observed(client, change_request: ChangeRequest) -> tuple[bool, str]:
    """Does ModelArts show the change as made? (made, resulting pool name). Raises ModelArtsError."""
    if change_request.kind == Kind.CREATE_POOL:
        found = pools_named(
            client,
            display_name=change_request.target,
            workspace_id=workspace_of(change_request.body, change_request.connection),
        )
        return bool(found), found[0].name if found else ""
    pool_name = change_request.target
    if change_request.kind == Kind.DELETE_POOL:
        try:
            pool = client.show_pool(pool_name)
        except NotFoundError:
            return True, pool_name
        return pool.phase == "Deleting" or pool.deleted_at is not None, pool_name
    try:
        phases = {node.name: node.phase for node in client.iter_nodes(pool_name)}
    except NotFoundError:
        return True, pool_name
    return all(
        phases.get(name, NODE_DELETING) == NODE_DELETING for name in change_request.node_names
    ), pool_name


MADE, MISSING, UNCHECKED = "made", "missing", "unchecked"


def _reconcile(
    client,
    change_request: ChangeRequest,
    user,
    attempt: int,
    *,
    why: str,
    missing: str | None,
    from_status: str = Status.EXECUTING,
) -> str:
    """Settle a request whose last call lost its answer from what ModelArts shows: "made" (settled as
    succeeded), "missing" (the change does not show) or "unchecked" (ModelArts could not be asked).

    ``missing`` is where it goes when the change does not show: ``Status.UNKNOWN`` right after the call (a
    slow ModelArts may still apply it; ModelArts that cannot be asked leaves it unknown too),
    ``Status.FAILED`` once the grace since the call has passed, or None to leave it as it is.
    """
    try:
        made, pool_name = _observed(client, change_request)
    except ModelArtsError as error:
        events.record(change_request, user=user, action="reconcile", found=None, why=why, error=str(error))
        if missing == Status.UNKNOWN:
            _settle(
                change_request,
                user,
                attempt,
                Status.UNKNOWN,
                from_status=from_status,
                result_message=OUTCOME_UNCHECKED.format(error=change_request.result_error_msg or why),
                outcome_unknown=True,
            )
        return UNCHECKED
    events.record(change_request, user=user, action="reconcile", found=made, why=why, pool_name=pool_name)
    if made:
        _settle_made(change_request, user, attempt, pool_name, why=why, from_status=from_status)
        return MADE
    if missing == Status.UNKNOWN:
        _settle(
            change_request,
            user,
            attempt,
            Status.UNKNOWN,
            from_status=from_status,
            result_message=NOT_FOUND_YET.format(why=why, when=_when(change_request.resend_allowed_at)),
            outcome_unknown=True,
        )
    elif missing == Status.FAILED:
        # Long enough after the call that a slow server would show it by now: it was not made. Kept
        # "outcome unknown" so a retry still looks first and the job keeps watching for a late arrival.
        _settle(
            change_request,
            user,
            attempt,
            Status.FAILED,
            from_status=from_status,
            result_message=NOT_MADE_AFTER_GRACE.format(why=why, grace=_grace_text()),
            outcome_unknown=True,
        )
    return MISSING


def _grace_text() -> str:
    seconds = int(settings.CHANGE_REQUEST_EXECUTION_GRACE_SECONDS)
    return f"{seconds // 60} min" if seconds >= 120 else f"{seconds} s"


def _confirm_late_outcome(client, change_request: ChangeRequest, user) -> bool:
    """A request that failed with a lost answer succeeded after all if ModelArts now shows the change."""
    try:
        made, pool_name = _observed(client, change_request)
    except ModelArtsError:
        return False
    if not made:
        return False
    events.record(
        change_request, user=user, action="reconcile", found=True, why=LATER_CHECK, pool_name=pool_name
    )
    return _settle_made(
        change_request, user, change_request.attempts, pool_name, why=LATER_CHECK, from_status=Status.FAILED
    )


# --- the periodic job ----------------------------------------------------------------------------------------


@dataclass
class ProcessSummary:
    expired: list[int] = field(default_factory=list)
    executed: list[int] = field(default_factory=list)
    reconciled: dict[int, str] = field(default_factory=dict)
    unresolved: dict[int, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return (
            f"expired {len(self.expired)}, executed {len(self.executed)}, "
            f"reconciled {len(self.reconciled)}, unresolved {len(self.unresolved)}"
        )


def process_change_requests(now: datetime | None = None) -> ProcessSummary:
    """Expire overdue requests, run approved ones a crash left unclaimed, settle ones a crash left executing
    or whose answer was lost, and mark as succeeded failed ones whose lost answer turns out to have been
    applied.

    Run from cron (``manage.py process_change_requests``). Only requests untouched for
    CHANGE_REQUEST_EXECUTION_GRACE_SECONDS are picked up, so a live web request is never overtaken; an
    unknown outcome is looked at on every run, but settled as failed only once that long has passed.
    """
    now = now or timezone.now()
    summary = ProcessSummary(expired=change_requests_expire_due(now=now))
    cutoff = now - timedelta(seconds=settings.CHANGE_REQUEST_EXECUTION_GRACE_SECONDS)
    system = audit.system_user()

    for change_request in ChangeRequest.objects.filter(status=Status.APPROVED, decided_at__lte=cutoff):
        if change_request.expires_at <= now:
            _fail_unrun_expired(change_request, system, now)
            summary.reconciled[change_request.pk] = change_request.status
        elif _claim_and_run(
            change_request, system, from_status=Status.APPROVED, action="execute", match=_unexpired()
        ):
            summary.executed.append(change_request.pk)

    stuck = ChangeRequest.objects.filter(status=Status.EXECUTING, execution_started_at__lte=cutoff)
    unknown = ChangeRequest.objects.filter(status=Status.UNKNOWN)
    for change_request in [*stuck.select_related("connection"), *unknown.select_related("connection")]:
        before = change_request.status
        # A call older than the grace would show by now: not showing means not made (failed, retryable).
        settled_late = (
            change_request.execution_started_at is None or change_request.execution_started_at <= cutoff
        )
        why = "an interrupted execution" if before == Status.EXECUTING else LATER_CHECK
        try:
            with closing(usable_client_for(change_request.connection)) as client:
                seen = _reconcile(
                    client,
                    change_request,
                    system,
                    change_request.attempts,
                    why=why,
                    missing=Status.FAILED if settled_late else None,
                    from_status=before,
                )
        except ApplicationError as error:
            summary.unresolved[change_request.pk] = error.message
            continue
        if change_request.status != before:
            summary.reconciled[change_request.pk] = change_request.status
        elif seen == UNCHECKED:
            summary.unresolved[change_request.pk] = "ModelArts could not be asked; left for the next run."
        else:
            summary.unresolved[change_request.pk] = (
                "Outcome still unknown: nothing shows yet; checked again later."
            )

    # Failed with a lost answer: a slow ModelArts may have applied it since. Looked at while recent.
    recent = now - timedelta(hours=settings.CHANGE_REQUEST_EXPIRY_HOURS)
    lost = ChangeRequest.objects.filter(status=Status.FAILED, outcome_unknown=True, finished_at__gte=recent)
    for change_request in lost.select_related("connection"):
        try:
            with closing(usable_client_for(change_request.connection)) as client:
                if _confirm_late_outcome(client, change_request, system):
                    summary.reconciled[change_request.pk] = change_request.status
        except ApplicationError as error:
            summary.unresolved[change_request.pk] = error.message
    return summary


def _fail_unrun_expired(change_request: ChangeRequest, system, now: datetime) -> None:
    """An approved request a crash left unclaimed past its expiry is too old to run: failed, unsent."""
    with transaction.atomic():
        won = ChangeRequest.objects.transition(
            change_request.pk,
            Status.APPROVED,
            Status.FAILED,
            match={"expires_at__lte": now},
            finished_at=now,
            result_message=EXPIRED_BEFORE_RUN.format(when=_when(change_request.expires_at)),
        )
        change_request.refresh_from_db()
        if won:
            events.record(change_request, user=system, action="fail", **events.result_details(change_request))
    if won:
        notifications.notify_requester(change_request)
