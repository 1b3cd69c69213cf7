"""Runs in the background (``background.py``): an approval only queues the run, a worker makes the call, and
the call is made once however the run is delivered or raced.

These tests use the database backend (``database_tasks``), as production does: queued tasks wait in the
database until ``run_queued_tasks`` runs the package's own worker.
"""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from pools import permissions
from pools.change_kinds.delete_pool import DeletePool
from pools.models import ChangeRequest
from pools.services import change_requests as svc
from pools.services.change_requests import background
from pools.services.notifications.delivery import QUEUE as NOTIFICATIONS_QUEUE
from tests.fixtures.approvals import DELETE_POOL
from tests.fixtures.tasks import queued_runs, run_queued_tasks
from tests.services.change_requests.helpers import actions_of, request_delete_pool

Status = ChangeRequest.Status


def change_request_tasks():
    """The tasks of the default queue (runs and the scheduled job); notifications wait in their own queue."""
    return DBTaskResult.objects.exclude(queue_name=NOTIFICATIONS_QUEUE)


pytestmark = pytest.mark.usefixtures("database_tasks")


class WorkerKilled(BaseException):
    """The worker process dying (SIGKILL, a lost machine): nothing in the task gets to handle it."""


def approved_and_queued(operator, approver, connection, pool):
    cr = request_delete_pool(operator, connection, pool)
    svc.change_request_approve(user=approver, change_request=cr)
    cr.refresh_from_db()
    assert cr.status == Status.APPROVED and len(queued_runs()) == 1
    return cr


@pytest.mark.django_db
def test_an_approval_queues_the_run_and_the_worker_makes_the_call_once(
    operator, approver, cloud, cloud_connection, pool
):
    cr = approved_and_queued(operator, approver, cloud_connection, pool)
    assert cloud.calls[DELETE_POOL] == 0 and cr.attempts == 0

    assert run_queued_tasks() == 1

    cr.refresh_from_db()
    assert cr.status == Status.SUCCEEDED and cr.attempts == 1 and cr.executed_by == approver
    assert cloud.calls[DELETE_POOL] == 1
    assert actions_of(cr) == [
        "change_request.create",
        "change_request.approve",
        "change_request.execute",
        "change_request.succeed",
    ]
    assert change_request_tasks().get().return_value is True


@pytest.mark.django_db
def test_a_run_delivered_twice_calls_modelarts_once(operator, approver, cloud, cloud_connection, pool):
    cr = approved_and_queued(operator, approver, cloud_connection, pool)
    background.run_change_request.enqueue(cr.pk, approver.pk, "execute")  # the same run, delivered again

    assert run_queued_tasks() == 2

    cr.refresh_from_db()
    assert cloud.calls[DELETE_POOL] == 1 and cr.status == Status.SUCCEEDED and cr.attempts == 1
    assert sorted(change_request_tasks().values_list("return_value", flat=True)) == [False, True]
    assert actions_of(cr).count("change_request.execute") == 1


@pytest.mark.django_db
def test_a_queued_run_that_the_scheduled_job_overtook_does_nothing(
    operator, approver, cloud, cloud_connection, pool, settings
):
    cr = approved_and_queued(operator, approver, cloud_connection, pool)
    # The worker was down past the grace: the scheduled job, run by cron, runs the request itself.
    grace = settings.CHANGE_REQUEST_EXECUTION_GRACE_SECONDS
    ChangeRequest.objects.filter(pk=cr.pk).update(decided_at=timezone.now() - timedelta(seconds=grace + 1))
    assert svc.process_change_requests().executed == [cr.pk]

    assert run_queued_tasks() == 1  # the worker comes back

    cr.refresh_from_db()
    assert cloud.calls[DELETE_POOL] == 1 and cr.status == Status.SUCCEEDED and cr.attempts == 1
    assert change_request_tasks().get().return_value is False


@pytest.mark.django_db
def test_execute_now_on_a_queued_request_queues_it_again_and_it_runs_once(
    operator, approver, second_approver, cloud, cloud_connection, pool
):
    cr = approved_and_queued(operator, approver, cloud_connection, pool)

    svc.change_request_execute(user=second_approver, change_request=cr)

    assert len(queued_runs()) == 2
    run_queued_tasks()
    cr.refresh_from_db()
    assert cloud.calls[DELETE_POOL] == 1 and cr.status == Status.SUCCEEDED and cr.attempts == 1
    assert cr.executed_by == approver  # the first run queued won the claim


@pytest.mark.django_db
def test_a_worker_that_dies_during_the_call_leaves_the_request_to_the_scheduled_job(
    operator, approver, cloud, cloud_connection, pool, monkeypatch
):
    cr = approved_and_queued(operator, approver, cloud_connection, pool)
    sent = DeletePool.call

    def call_then_die(self, client, change_request):
        sent(self, client, change_request)  # ModelArts has the change; the answer never gets recorded
        raise WorkerKilled

    monkeypatch.setattr(DeletePool, "call", call_then_die)

    run_queued_tasks()

    cr.refresh_from_db()
    assert cr.status == Status.EXECUTING and cloud.calls[DELETE_POOL] == 1
    assert change_request_tasks().get().status == "FAILED"
    monkeypatch.setattr(DeletePool, "call", sent)
    run_queued_tasks()  # nothing runs it again: the claim is gone
    assert cloud.calls[DELETE_POOL] == 1

    # The scheduled job, once the grace has passed, looks at ModelArts instead of sending it again.
    ChangeRequest.objects.filter(pk=cr.pk).update(execution_started_at=timezone.now() - timedelta(hours=1))
    summary = svc.process_change_requests()

    cr.refresh_from_db()
    assert summary.reconciled == {cr.pk: Status.SUCCEEDED} and cr.status == Status.SUCCEEDED
    assert cloud.calls[DELETE_POOL] == 1


@pytest.mark.django_db
def test_a_retry_goes_back_to_approved_and_the_worker_runs_the_next_attempt(
    operator, approver, second_approver, cloud, cloud_connection, pool
):
    cloud.fail_next(DELETE_POOL, 500)
    cr = approved_and_queued(operator, approver, cloud_connection, pool)
    run_queued_tasks()
    cr.refresh_from_db()
    assert cr.status == Status.FAILED and cr.attempts == 1

    svc.change_request_retry(user=second_approver, change_request=cr)

    cr.refresh_from_db()
    assert cr.status == Status.APPROVED and cr.attempts == 1 and len(queued_runs()) == 1
    assert cr.result_error_code  # the failed attempt's outcome stays on show until the next one
    run_queued_tasks()
    cr.refresh_from_db()
    assert cr.status == Status.SUCCEEDED and cr.attempts == 2 and cr.executed_by == second_approver
    assert cloud.calls[DELETE_POOL] == 2
    assert actions_of(cr)[-3:] == ["change_request.queue", "change_request.retry", "change_request.succeed"]


@pytest.mark.django_db
def test_a_run_queued_for_a_request_that_expired_meanwhile_sends_nothing(
    operator, approver, cloud, cloud_connection, pool
):
    cr = approved_and_queued(operator, approver, cloud_connection, pool)
    ChangeRequest.objects.filter(pk=cr.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    run_queued_tasks()

    cr.refresh_from_db()
    assert cr.status == Status.APPROVED and cloud.calls[DELETE_POOL] == 0
    svc.process_change_requests()  # the scheduled job fails it, unsent
    cr.refresh_from_db()
    assert cr.status == Status.FAILED and "expired" in cr.result_message and cloud.calls[DELETE_POOL] == 0


@pytest.mark.django_db(transaction=True)
def test_the_run_is_queued_only_once_the_approval_commits(
    django_user_model, operator, approver, cloud, cloud_connection, pool
):
    permissions.ensure_roles()
    cr = request_delete_pool(operator, cloud_connection, pool)

    with transaction.atomic():  # e.g. ATOMIC_REQUESTS: the approval is part of a larger transaction
        svc.change_request_approve(user=approver, change_request=cr)
        assert queued_runs() == []
    assert len(queued_runs()) == 1

    other = request_delete_pool(operator, cloud_connection, cloud.add_pool("pool-other"), key="k2")
    with pytest.raises(RuntimeError), transaction.atomic():
        svc.change_request_approve(user=approver, change_request=other)
        raise RuntimeError("the larger transaction rolls back")
    assert len(queued_runs()) == 1
    assert ChangeRequest.objects.get(pk=other.pk).status == Status.PENDING


# --- the scheduled job as a task -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_scheduled_job_runs_as_a_task_and_queues_its_next_run_never_two(operator, cloud_connection, pool):
    overdue = request_delete_pool(operator, cloud_connection, pool)
    ChangeRequest.objects.filter(pk=overdue.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    first = svc.change_requests_job_schedule(every=60)
    assert first is not None and svc.change_requests_job_schedule(every=60) is None

    assert run_queued_tasks() == 1

    overdue.refresh_from_db()
    assert overdue.status == Status.EXPIRED
    assert change_request_tasks().get(pk=first.id).return_value.startswith("expired 1,")
    waiting = change_request_tasks().get(status="READY")
    assert waiting.task_path == background.scheduled_job.module_path
    assert waiting.args_kwargs == {"args": [60.0], "kwargs": {}}
    due_in = (waiting.run_after - timezone.now()).total_seconds()
    assert 50 < due_in <= 60
    assert svc.change_requests_job_schedule(every=60) is None  # one is waiting: still one
    assert run_queued_tasks() == 0  # not due yet


@pytest.mark.django_db
def test_a_failing_run_of_the_scheduled_job_still_queues_the_next(monkeypatch):
    def broken():
        raise RuntimeError("the database went away for a moment")

    monkeypatch.setattr(background, "process_change_requests", broken)
    svc.change_requests_job_schedule(every=30)

    run_queued_tasks()

    assert change_request_tasks().get(status="FAILED").exception_class_path == "builtins.RuntimeError"
    assert (
        change_request_tasks().filter(status="READY", task_path=background.scheduled_job.module_path).count()
        == 1
    )


@pytest.mark.django_db
def test_the_job_is_left_to_cron_with_an_interval_of_0_or_a_backend_that_cannot_schedule(settings):
    assert svc.change_requests_job_schedule(every=0) is None
    settings.CHANGE_REQUEST_JOB_SECONDS = 0
    assert svc.change_requests_job_schedule() is None
    settings.CHANGE_REQUEST_JOB_SECONDS = 60
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assert not background.job_can_be_scheduled() and svc.change_requests_job_schedule() is None
    assert not change_request_tasks().exists()


@pytest.mark.django_db
def test_the_scheduled_job_prunes_finished_task_results_past_their_keeping_time(settings):
    settings.TASK_RESULTS_KEEP_DAYS = 14
    svc.change_requests_job_schedule(every=60)
    run_queued_tasks()  # one finished run of the job, and the next one waiting
    finished = change_request_tasks().get(status="SUCCESSFUL")
    old = change_request_tasks().filter(pk=finished.pk)
    old.update(finished_at=timezone.now() - timedelta(days=15))
    recent = DBTaskResult.objects.get(pk=finished.pk)
    recent.pk = None  # a copy that finished an hour ago stays
    recent.save()
    DBTaskResult.objects.filter(pk=recent.pk).update(finished_at=timezone.now() - timedelta(hours=1))
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())

    run_queued_tasks()

    assert not change_request_tasks().filter(pk=finished.pk).exists(), "finished 15 days ago: deleted"
    assert change_request_tasks().filter(pk=recent.pk).exists()
    assert change_request_tasks().filter(status="READY").count() == 1, "the next run still waits"
    newest = change_request_tasks().filter(status="SUCCESSFUL").order_by("-finished_at").first()
    assert newest.return_value.endswith("pruned 1 task results")


@pytest.mark.django_db
def test_task_results_are_kept_with_a_keeping_time_of_0(settings):
    settings.TASK_RESULTS_KEEP_DAYS = 0
    svc.change_requests_job_schedule(every=60)
    run_queued_tasks()
    change_request_tasks().filter(status="SUCCESSFUL").update(
        finished_at=timezone.now() - timedelta(days=400)
    )
    assert background.prune_task_results() == "task results kept"
    assert change_request_tasks().filter(status="SUCCESSFUL").count() == 1
