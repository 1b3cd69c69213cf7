"""Running a change request exactly once: claim it, re-check the live state, call ModelArts, settle the result;
and, when the answer was lost, look at what ModelArts shows instead of sending the change again.

Exactly once: every state change is a compare-and-set UPDATE (``ChangeRequest.objects.transition``) whose
row count says who won. Execution first claims the request (approved → executing, or failed/unknown →
executing on retry) and only the claimant calls ModelArts; everyone racing it gets 0 rows and stops. A call
whose answer was lost (or unreadable) is never sent again blindly: the request's outcome is "unknown", looked
up (the pool by display name, the pool or its nodes for deletes) and settled from what ModelArts shows; it is
sent again only when ModelArts still shows nothing CHANGE_REQUEST_EXECUTION_GRACE_SECONDS after the call.
"""

from __future__ import annotations

import logging
from contextlib import closing
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation

from pools.change_kinds import DONE, FAILED, PENDING, Observation
from pools.core.clients import usable_client_for
from pools.core.errors import ApplicationError, upstream_title
from pools.modelarts.errors import InvalidResponseError, ModelArtsError, OutcomeUnknownError
from pools.models import ChangeRequest
from pools.selectors.cache import forget_connection
from pools.selectors.live_state import Revalidation, problems_in, revalidate
from pools.services.change_requests import events, messages, notifications
from pools.services.change_requests.rules import moment_text

logger = logging.getLogger(__name__)

Status = ChangeRequest.Status
Kind = ChangeRequest.Kind

SETTLE_ACTIONS = {
    Status.SUCCEEDED: "succeed",
    Status.FAILED: "fail",
    Status.UNKNOWN: "outcome_unknown",
    Status.IN_PROGRESS: "in_progress",
}
# What a look at ModelArts found (``reconcile``): the change shows, it does not, or ModelArts could not be asked.
MADE, MISSING, UNCHECKED = "made", "missing", "unchecked"


def unexpired() -> dict[str, Any]:
    """The claim's condition that the request is not past its expiry."""
    return {"expires_at__gt": timezone.now()}


# --- claim and run -------------------------------------------------------------------------------------------


def claim_and_run(
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
    notifications.notify_execution_started(change_request)
    _run_claimed(change_request, user)
    return True


def _run_claimed(change_request: ChangeRequest, user) -> None:
    attempt = change_request.attempts
    try:
        with closing(usable_client_for(change_request.connection)) as client:
            _run_with(client, change_request, user, attempt)
    except ApplicationError as error:  # e.g. the connection's keys cannot be opened: nothing was sent
        settle(
            change_request,
            user,
            attempt,
            Status.FAILED,
            result_message=messages.REACHED_NOTHING.format(message=error),
        )
    except Exception as error:
        # Whatever broke, the request must not stay "executing"; whether anything was sent is unknown.
        logger.exception("Change request #%s: execution attempt %s failed", change_request.pk, attempt)
        settle(
            change_request,
            user,
            attempt,
            Status.UNKNOWN,
            result_message=messages.UNEXPECTED.format(error=type(error).__name__),
            outcome_unknown=True,
        )


def _run_with(client, change_request: ChangeRequest, user, attempt: int) -> None:
    """Re-validate, then make the call once and settle from its answer (or, without one, from a look)."""
    check = revalidate(change_request, client=client)
    if not check.ok:
        settle(
            change_request,
            user,
            attempt,
            Status.FAILED,
            upstream=check.error.upstream if check.error else None,
            result_message=messages.REVALIDATION_FAILED.format(problems=" ".join(check.problems)),
            revalidation=_problems_as_audited(change_request, check),
        )
        return
    try:
        called = change_request.change_kind.call(client, change_request)
    except (OutcomeUnknownError, InvalidResponseError) as error:
        # No answer, or none we can read: the change may or may not have happened. Look, never resend.
        _record_lost_answer(change_request, attempt, error)
        reconcile(client, change_request, user, attempt, why=messages.LOST_ANSWER, missing=Status.UNKNOWN)
    except ModelArtsError as error:  # an error answer, or a connection that never reached ModelArts
        settle(
            change_request,
            user,
            attempt,
            Status.FAILED,
            upstream=error,
            result_message=messages.REFUSED_BY_MODELARTS.format(title=upstream_title(error)),
            outcome_unknown=False,
        )
    else:
        # A change ModelArts completes later (a scale, a reboot) is followed until it is complete.
        in_progress = called.follow is not None
        settle(
            change_request,
            user,
            attempt,
            Status.IN_PROGRESS if in_progress else Status.SUCCEEDED,
            result_http_status=200,
            result_request_id=called.request_id,
            result_pool_name=called.pool_name,
            result_message=messages.ACCEPTED_IN_PROGRESS if in_progress else "",
            tracking=dict(called.follow or {}),
            outcome_unknown=False,
        )


def _problems_as_audited(change_request: ChangeRequest, check: Revalidation) -> list[str]:
    """The kind's live-state problems as the audit entry records them: in English, as they always were, so
    entries read alike whoever ran the request (its outcome message is in that person's language)."""
    if check.error is not None:
        return list(check.problems)
    with translation.override("en"):
        return problems_in(
            kind=change_request.kind, target=change_request.target, body=change_request.body, live=check.live
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


# --- settle --------------------------------------------------------------------------------------------------


def settle(
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
        notifications.notify_status(change_request)
    return won


def settle_made(
    change_request: ChangeRequest, user, attempt: int, pool_name: str, *, why: str, from_status: str
) -> bool:
    """Settle as succeeded because ModelArts shows the change (after a lost answer)."""
    return settle(
        change_request,
        user,
        attempt,
        Status.SUCCEEDED,
        from_status=from_status,
        result_pool_name=pool_name,
        result_message=messages.CONFIRMED_BY_QUERY.format(why=why),
        result_http_status=None,
        result_error_code="",
        result_error_msg="",
        outcome_unknown=False,
    )


# --- observe and reconcile -----------------------------------------------------------------------------------


def observe(client, change_request: ChangeRequest) -> Observation:
    """What ModelArts shows of the change (``ChangeKind.observe``). Raises ModelArtsError."""
    return change_request.change_kind.observe(client, change_request)


def settle_seen(
    change_request: ChangeRequest, user, attempt: int, seen: Observation, *, why: str, from_status: str
) -> bool:
    """Settle from a look that found the change: complete (succeeded), under way (in progress) or failed at
    ModelArts. Nothing is sent again in any of these cases."""
    if seen.state == DONE:
        return settle_made(change_request, user, attempt, seen.pool_name, why=why, from_status=from_status)
    failed = seen.state == FAILED
    return settle(
        change_request,
        user,
        attempt,
        Status.FAILED if failed else Status.IN_PROGRESS,
        from_status=from_status,
        result_pool_name=seen.pool_name,
        result_message=(messages.FAILED_AT_MODELARTS if failed else messages.FOUND_IN_PROGRESS).format(
            why=why, progress=seen.progress or messages.NO_DETAILS
        ),
        outcome_unknown=False,
    )


def reconcile(
    client,
    change_request: ChangeRequest,
    user,
    attempt: int,
    *,
    why: str,
    missing: str | None,
    from_status: str = Status.EXECUTING,
) -> str:
    """Settle a request whose last call lost its answer from what ModelArts shows: MADE (settled as
    succeeded), MISSING (the change does not show) or UNCHECKED (ModelArts could not be asked).

    ``missing`` is where it goes when the change does not show: ``Status.UNKNOWN`` right after the call (a
    slow ModelArts may still apply it; ModelArts that cannot be asked leaves it unknown too),
    ``Status.FAILED`` once the grace since the call has passed, or None to leave it as it is.
    """
    try:
        seen = observe(client, change_request)
    except ModelArtsError as error:
        events.record(change_request, user=user, action="reconcile", found=None, why=why, error=str(error))
        if missing == Status.UNKNOWN:
            settle(
                change_request,
                user,
                attempt,
                Status.UNKNOWN,
                from_status=from_status,
                result_message=messages.OUTCOME_UNCHECKED.format(
                    error=change_request.result_error_msg or why
                ),
                outcome_unknown=True,
            )
        return UNCHECKED
    events.record(
        change_request, user=user, action="reconcile", found=seen.shows, why=why, pool_name=seen.pool_name
    )
    if seen.shows:
        settle_seen(change_request, user, attempt, seen, why=why, from_status=from_status)
        return MADE
    if missing == Status.UNKNOWN:
        when = moment_text(change_request.resend_allowed_at)
        settle(
            change_request,
            user,
            attempt,
            Status.UNKNOWN,
            from_status=from_status,
            result_message=messages.NOT_FOUND_YET.format(why=why, when=when),
            outcome_unknown=True,
        )
    elif missing == Status.FAILED:
        # Long enough after the call that a slow server would show it by now: it was not made. Kept
        # "outcome unknown" so a retry still looks first and the job keeps watching for a late arrival.
        settle(
            change_request,
            user,
            attempt,
            Status.FAILED,
            from_status=from_status,
            result_message=messages.NOT_MADE_AFTER_GRACE.format(why=why, grace=_grace_text()),
            outcome_unknown=True,
        )
    return MISSING


def _grace_text() -> str:
    seconds = int(settings.CHANGE_REQUEST_EXECUTION_GRACE_SECONDS)
    return f"{seconds // 60} min" if seconds >= 120 else f"{seconds} s"


def settled_as_made_before_retry(change_request: ChangeRequest, user) -> bool:
    """Before a lost change is sent again: True when ModelArts shows it made or under way (now settled as
    succeeded or in progress).

    Raises ApplicationError, sending nothing, when ModelArts cannot be asked, or when it shows nothing yet
    and the last call is too recent to rule out that it still lands.
    """
    why = messages.RETRY_CHECK
    with closing(usable_client_for(change_request.connection)) as client:
        try:
            seen = observe(client, change_request)
        except ModelArtsError as error:
            events.record(
                change_request, user=user, action="reconcile", found=None, why=why, error=str(error)
            )
            raise ApplicationError.from_upstream(messages.CHECKING_LOST_CHANGE, error) from error
    events.record(
        change_request, user=user, action="reconcile", found=seen.shows, why=why, pool_name=seen.pool_name
    )
    if seen.state in (DONE, PENDING):
        attempt, status = change_request.attempts, change_request.status
        if not settle_seen(change_request, user, attempt, seen, why=why, from_status=status):
            raise ApplicationError(
                messages.NOT_FAILED.format(
                    pk=change_request.pk, status=change_request.get_status_display().lower()
                )
            )
        return True
    # Also for a request recorded as failed with a lost answer (before "unknown" existed): too recent is too
    # recent, whatever the status says.
    resend_at = change_request.resend_allowed_at
    if resend_at is not None and timezone.now() < resend_at:
        raise ApplicationError(
            messages.STILL_UNKNOWN.format(pk=change_request.pk, when=moment_text(resend_at))
        )
    return False
