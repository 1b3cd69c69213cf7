"""Running change requests in the background: the web request that approves (or asks to run again) only
queues the run; a worker (``manage.py db_worker``) claims the request and makes the one call to ModelArts.

Exactly once does not depend on the queue: the task claims the request with the same compare-and-set
(approved → executing) as every other way of running it, so a task delivered twice, a task racing the
scheduled job, or a task racing a person's "Execute now" makes the call once; the others find it claimed
and stop. A run is queued only once the transaction that approved it has committed, so the worker never
looks before the approval is there. A worker that dies during the call leaves the request "executing", and
the scheduled job settles it by looking at ModelArts, as after any crash (``housekeeping``).

The scheduled job (``process_change_requests``: expiry, runs a crash left behind, settling, following changes
in progress; then the notifications' look for failed pools, abnormal nodes and warning events; then pruning
the finished task results older than TASK_RESULTS_KEEP_DAYS, which the queue keeps forever) is a task too:
each run queues the next one CHANGE_REQUEST_JOB_SECONDS later, and the worker queues the first when it starts.
Cron can still run the management command instead, or as well (every step of the job is a compare-and-set, so
two runs at once do each thing once).

The tasks use django-tasks, the backport of Django 6's ``django.tasks``: the backend is the setting TASKS
(the database backend in production and the demo, the immediate backend in the tests that run in-line).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResult, TaskResultStatus, task
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from pools.models import ChangeRequest
from pools.services.change_requests.execution import claim_and_run, unexpired
from pools.services.change_requests.housekeeping import process_change_requests
from pools.services.notifications.watch import conditions_watch

logger = logging.getLogger(__name__)

Status = ChangeRequest.Status


@task()
def run_change_request(change_request_id: int, user_id: int, action: str) -> bool:
    """Claim the approved request and make its call (``claim_and_run``), as ``user`` (who approved it, or
    asked to run it again). False when it is no longer approved: someone else ran it, or it expired."""
    change_request = ChangeRequest.objects.select_related("connection").filter(pk=change_request_id).first()
    if change_request is None:
        return False
    user = get_user_model().objects.get(pk=user_id)
    return claim_and_run(change_request, user, from_status=Status.APPROVED, action=action, match=unexpired())


def run_in_background(change_request: ChangeRequest, user, *, action: str) -> TaskResult:
    """Queue the run of an approved request now. With the immediate backend it has run when this returns."""
    return run_change_request.enqueue(change_request.pk, user.pk, action)


def run_in_background_after_commit(change_request: ChangeRequest, user, *, action: str) -> None:
    """Queue the run once the current transaction commits (at once outside one). A queue that cannot take it
    is logged, not raised: the request stays approved, and the scheduled job runs it after the grace."""
    transaction.on_commit(partial(_queue_or_log, change_request.pk, user.pk, action))


def _queue_or_log(change_request_id: int, user_id: int, action: str) -> None:
    try:
        run_change_request.enqueue(change_request_id, user_id, action)
    except Exception:
        logger.exception(
            "Change request #%s: could not be queued; the scheduled job runs it later", change_request_id
        )


def ran_and_found_it_taken(result: TaskResult) -> bool:
    """True when the backend has already run the task (the immediate backend) and it found the request no
    longer approved: someone else claimed it first."""
    return result.status == TaskResultStatus.SUCCESSFUL and result.return_value is False


# --- the scheduled job ---------------------------------------------------------------------------------------


@task()
def scheduled_job(every: float) -> str:
    """One run of the scheduled job; the next run is queued ``every`` seconds later, even when this one
    failed (the failure is logged with the task)."""
    try:
        processed = process_change_requests()
        return f"{processed}; {conditions_watch()}; {prune_task_results()}"
    finally:
        change_requests_job_schedule(every=every, after=every)


def prune_task_results() -> str:
    """Delete the finished task results older than TASK_RESULTS_KEEP_DAYS (0: keep them): the job alone adds
    one a minute, and the database backend deletes none by itself."""
    days = settings.TASK_RESULTS_KEEP_DAYS
    if days <= 0:
        return "task results kept"
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lte=cutoff).delete()
    return f"pruned {deleted} task results"


def job_can_be_scheduled() -> bool:
    """The job reschedules itself with a delay and looks for a waiting run in the queue's table: the database
    backend does both. With another backend, cron runs the command."""
    return isinstance(scheduled_job.get_backend(), DatabaseBackend)


def change_requests_job_schedule(*, every: float | None = None, after: float = 0.0) -> TaskResult | None:
    """Queue a run of the scheduled job ``after`` seconds from now (every ``every`` seconds after it, default
    CHANGE_REQUEST_JOB_SECONDS) unless a run is already waiting. None when nothing was queued: one waits, the
    interval is 0 (cron runs the job), or the backend cannot schedule.

    Two workers that look at the same moment may both queue one; the next time either chain looks, it sees
    the other's run waiting and stops, so the schedule never multiplies and never stops while a worker runs.
    """
    every = float(settings.CHANGE_REQUEST_JOB_SECONDS if every is None else every)
    if every <= 0 or not job_can_be_scheduled():
        return None
    with transaction.atomic():
        waiting = DBTaskResult.objects.filter(
            task_path=scheduled_job.module_path, status=TaskResultStatus.READY
        )
        if waiting.exists():
            return None
        when = timezone.now() + timedelta(seconds=after)
        return scheduled_job.using(run_after=when).enqueue(every)
