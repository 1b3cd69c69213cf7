"""Time-driven changes, made by the scheduled job (a task the worker runs every CHANGE_REQUEST_JOB_SECONDS, or
``manage.py process_change_requests`` from cron): expire requests nobody decided in time
(CHANGE_REQUEST_EXPIRY_HOURS), run approved ones no worker ran, settle ones a crash left executing or whose
answer was lost, follow changes in progress.

Pages never expire anything: until the job runs they read an overdue request as expired
(``ChangeRequest.current_status``), and a decision on it expires it then and refuses.
"""

from __future__ import annotations

from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from pools import audit
from pools.core.clients import usable_client_for
from pools.core.errors import ApplicationError
from pools.modelarts.errors import ModelArtsError
from pools.models import ChangeRequest
from pools.services.change_requests import events, messages, notifications
from pools.services.change_requests.execution import (
    UNCHECKED,
    claim_and_run,
    observe,
    reconcile,
    settle_seen,
    unexpired,
)
from pools.services.change_requests.progress import follow
from pools.services.change_requests.rules import moment_text

Status = ChangeRequest.Status


# --- expiry --------------------------------------------------------------------------------------------------


def change_request_expire(*, change_request: ChangeRequest, now: datetime | None = None) -> bool:
    """Expire ``change_request`` if it is pending and past its expiry. True when this call expired it."""
    now = now or timezone.now()
    if change_request.status != Status.PENDING or change_request.expires_at > now:
        return False
    won = ChangeRequest.objects.transition(
        change_request.pk,
        Status.PENDING,
        Status.EXPIRED,
        match={"expires_at__lte": now},
        decided_at=now,
    )
    change_request.refresh_from_db()
    if won:
        events.record(
            change_request,
            user=audit.system_user(),
            action="expire",
            expired_at=change_request.expires_at.isoformat(),
            approvals=change_request.approvals.count(),
        )
        notifications.notify_status(change_request)
    return won


def change_requests_expire_due(*, now: datetime | None = None) -> list[int]:
    """Expire every pending request past its expiry; the ids this call expired."""
    now = now or timezone.now()
    overdue = ChangeRequest.objects.filter(status=Status.PENDING, expires_at__lte=now)
    return [
        change_request.pk
        for change_request in overdue.select_related("connection", "requested_by")
        if change_request_expire(change_request=change_request, now=now)
    ]


# --- the periodic job ----------------------------------------------------------------------------------------


@dataclass
class ProcessSummary:
    expired: list[int] = field(default_factory=list)
    executed: list[int] = field(default_factory=list)
    reconciled: dict[int, str] = field(default_factory=dict)
    unresolved: dict[int, str] = field(default_factory=dict)
    # Changes in progress looked at, and the status each is in afterwards.
    followed: dict[int, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return (
            f"expired {len(self.expired)}, executed {len(self.executed)}, "
            f"reconciled {len(self.reconciled)}, unresolved {len(self.unresolved)}, "
            f"followed {len(self.followed)}"
        )


def process_change_requests(now: datetime | None = None) -> ProcessSummary:
    """Expire overdue requests, run approved ones a crash left unclaimed, settle ones a crash left executing
    or whose answer was lost, and mark as succeeded failed ones whose lost answer turns out to have been
    applied.

    Run by the worker as a scheduled task (``background.scheduled_job``), or from cron
    (``manage.py process_change_requests``). Only requests untouched for
    CHANGE_REQUEST_EXECUTION_GRACE_SECONDS are picked up, so a queued run or a live call is never overtaken; an
    unknown outcome is looked at on every run, but settled as failed only once that long has passed.
    """
    now = now or timezone.now()
    summary = ProcessSummary(expired=change_requests_expire_due(now=now))
    cutoff = now - timedelta(seconds=settings.CHANGE_REQUEST_EXECUTION_GRACE_SECONDS)
    system = audit.system_user()
    _run_left_unclaimed(summary, system, now=now, cutoff=cutoff)
    _settle_left_unsettled(summary, system, cutoff=cutoff)
    _confirm_late_arrivals(summary, system, now=now)
    _follow_in_progress(summary, system)
    return summary


def _run_left_unclaimed(summary: ProcessSummary, system, *, now: datetime, cutoff: datetime) -> None:
    """Approved requests whose run no worker took within the grace (the worker is down, the run was lost):
    run now. Past their expiry (no run claims them then): failed unsent, at once."""
    approved = ChangeRequest.objects.filter(status=Status.APPROVED)
    for change_request in approved.filter(Q(decided_at__lte=cutoff) | Q(expires_at__lte=now)):
        if change_request.expires_at <= now:
            _fail_unrun_expired(change_request, system, now)
            summary.reconciled[change_request.pk] = change_request.status
        elif claim_and_run(
            change_request, system, from_status=Status.APPROVED, action="execute", match=unexpired()
        ):
            summary.executed.append(change_request.pk)


def _settle_left_unsettled(summary: ProcessSummary, system, *, cutoff: datetime) -> None:
    """Requests a crash left executing, and those whose outcome is unknown: settled from what ModelArts shows."""
    stuck = ChangeRequest.objects.filter(status=Status.EXECUTING, execution_started_at__lte=cutoff)
    unknown = ChangeRequest.objects.filter(status=Status.UNKNOWN)
    for change_request in [*stuck.select_related("connection"), *unknown.select_related("connection")]:
        before = change_request.status
        # A call older than the grace would show by now: not showing means not made (failed, retryable).
        settled_late = (
            change_request.execution_started_at is None or change_request.execution_started_at <= cutoff
        )
        why = messages.INTERRUPTED if before == Status.EXECUTING else messages.LATER_CHECK
        try:
            with closing(usable_client_for(change_request.connection)) as client:
                seen = reconcile(
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
            summary.unresolved[change_request.pk] = messages.UNRESOLVED_UNCHECKED
        else:
            summary.unresolved[change_request.pk] = messages.UNRESOLVED_NOT_SEEN


def _follow_in_progress(summary: ProcessSummary, system) -> None:
    """Changes ModelArts completes later: looked at on every run until complete, failed or timed out."""
    for change_request in ChangeRequest.objects.filter(status=Status.IN_PROGRESS).select_related(
        "connection"
    ):
        try:
            with closing(usable_client_for(change_request.connection)) as client:
                summary.followed[change_request.pk] = follow(client, change_request, system)
        except ApplicationError as error:
            summary.unresolved[change_request.pk] = error.message
        except ModelArtsError:
            summary.unresolved[change_request.pk] = messages.UNRESOLVED_UNCHECKED


def _confirm_late_arrivals(summary: ProcessSummary, system, *, now: datetime) -> None:
    """Failed with a lost answer: a slow ModelArts may have applied it since. Looked at while recent."""
    recent = now - timedelta(hours=settings.CHANGE_REQUEST_EXPIRY_HOURS)
    lost = ChangeRequest.objects.filter(status=Status.FAILED, outcome_unknown=True, finished_at__gte=recent)
    for change_request in lost.select_related("connection"):
        try:
            with closing(usable_client_for(change_request.connection)) as client:
                if _confirm_late_outcome(client, change_request, system):
                    summary.reconciled[change_request.pk] = change_request.status
        except ApplicationError as error:
            summary.unresolved[change_request.pk] = error.message


def _confirm_late_outcome(client, change_request: ChangeRequest, user) -> bool:
    """A request that failed with a lost answer succeeded after all if ModelArts now shows the change."""
    try:
        seen = observe(client, change_request)
    except ModelArtsError:
        return False
    if not seen.shows:
        return False
    events.record(
        change_request,
        user=user,
        action="reconcile",
        found=True,
        why=messages.LATER_CHECK,
        pool_name=seen.pool_name,
    )
    return settle_seen(
        change_request,
        user,
        change_request.attempts,
        seen,
        why=messages.LATER_CHECK,
        from_status=Status.FAILED,
    )


def _fail_unrun_expired(change_request: ChangeRequest, system, now: datetime) -> None:
    """An approved request a crash left unclaimed past its expiry is too old to run: failed, unsent."""
    with transaction.atomic():
        won = ChangeRequest.objects.transition(
            change_request.pk,
            Status.APPROVED,
            Status.FAILED,
            match={"expires_at__lte": now},
            finished_at=now,
            result_message=messages.EXPIRED_BEFORE_RUN.format(when=moment_text(change_request.expires_at)),
        )
        change_request.refresh_from_db()
        if won:
            events.record(change_request, user=system, action="fail", **events.result_details(change_request))
    if won:
        notifications.notify_status(change_request)
