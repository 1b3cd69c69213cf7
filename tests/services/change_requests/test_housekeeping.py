"""The scheduled job (process_change_requests): expiry, approved requests a crash left unclaimed, executions
left unsettled, lost answers that arrive late."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.core import mail
from django.utils import timezone

from pools import audit
from pools.models import ChangeRequest
from pools.services import change_requests as svc
from tests.fixtures.approvals import CREATE_POOL, DELETE_NODES, DELETE_POOL
from tests.services.change_requests.helpers import (
    actions_of,
    entry_for,
    request_create,
    request_delete_nodes,
    request_delete_pool,
    stuck_executing,
)

pytestmark = pytest.mark.django_db
Status = ChangeRequest.Status


def test_process_fails_an_approved_request_left_unclaimed_past_its_expiry(
    operator, cloud, cloud_connection, pool
):
    cr = request_delete_pool(operator, cloud_connection, pool)
    ChangeRequest.objects.filter(pk=cr.pk).update(
        status=Status.APPROVED,
        decided_at=timezone.now() - timedelta(days=4),
        expires_at=timezone.now() - timedelta(days=1),
    )

    summary = svc.process_change_requests()

    cr.refresh_from_db()
    assert summary.executed == [] and summary.reconciled == {cr.pk: Status.FAILED}
    assert cr.status == Status.FAILED and cr.result_message.startswith("Not executed: the request expired")
    assert cloud.calls[DELETE_POOL] == 0
    assert actions_of(cr)[-1] == "change_request.fail"


def test_process_expires_overdue_requests(operator, cloud_connection, pool):
    cr = request_delete_pool(operator, cloud_connection, pool)
    later = timezone.now() + timedelta(hours=73)

    summary = svc.process_change_requests(now=later)

    assert summary.expired == [cr.pk]
    cr.refresh_from_db()
    assert cr.status == Status.EXPIRED
    expired = entry_for(cr, "change_request.expire")
    assert expired["details"]["status"] == "expired"
    assert (
        LogEntry.objects.filter(object_id=str(cr.pk)).order_by("pk").last().user.username
        == audit.SYSTEM_USERNAME
    )
    assert svc.process_change_requests(now=later).expired == []


def test_process_reconciles_a_create_left_executing(operator, cloud, cloud_connection):
    found = request_create(operator, cloud_connection, name="pool-made", key="a")
    missing = request_create(operator, cloud_connection, name="pool-lost", key="b")
    fresh = request_create(operator, cloud_connection, name="pool-fresh", key="c")
    stuck_executing(found)
    stuck_executing(missing)
    stuck_executing(fresh, minutes_ago=1)
    made = cloud.add_pool("pool-made")

    summary = svc.process_change_requests()

    assert summary.reconciled == {found.pk: Status.SUCCEEDED, missing.pk: Status.FAILED}
    found.refresh_from_db()
    missing.refresh_from_db()
    assert found.result_pool_name == made
    assert missing.outcome_unknown and "shows no sign" in missing.result_message
    assert ChangeRequest.objects.get(pk=fresh.pk).status == Status.EXECUTING
    assert cloud.calls[CREATE_POOL] == 0
    assert "change_request.reconcile" in actions_of(found)


def test_process_reconciles_deletes_left_executing(operator, cloud, cloud_connection):
    gone = cloud.add_pool("pool-gone")
    kept = cloud.add_pool("pool-kept")
    nodes_pool = cloud.add_pool("pool-nodes", nodes=3)
    node = cloud.node_names(nodes_pool)[0]
    cr_gone = request_delete_pool(operator, cloud_connection, gone, key="1")
    cr_kept = request_delete_pool(operator, cloud_connection, kept, key="2")
    cr_nodes = request_delete_nodes(operator, cloud_connection, nodes_pool, [node], key="3")
    for cr in (cr_gone, cr_kept, cr_nodes):
        stuck_executing(cr)
    cloud.delete_pool_elsewhere(gone)
    cloud.delete_nodes_elsewhere(nodes_pool, [node])
    cloud.finish_deletions()  # the pool answers 404, the node is gone from the list

    summary = svc.process_change_requests()

    assert summary.reconciled == {
        cr_gone.pk: Status.SUCCEEDED,
        cr_kept.pk: Status.FAILED,
        cr_nodes.pk: Status.SUCCEEDED,
    }
    assert cloud.calls[DELETE_POOL] == cloud.calls[DELETE_NODES] == 0


def test_process_leaves_executing_when_modelarts_cannot_be_asked(operator, cloud, cloud_connection, pool):
    cr = request_delete_pool(operator, cloud_connection, pool)
    stuck_executing(cr)
    cloud.fail_next("ShowPool", 503)

    summary = svc.process_change_requests()

    assert list(summary.unresolved) == [cr.pk]
    assert ChangeRequest.objects.get(pk=cr.pk).status == Status.EXECUTING


def test_process_runs_an_approved_request_a_crash_left_unclaimed(operator, cloud, cloud_connection, pool):
    cr = request_delete_pool(operator, cloud_connection, pool)
    ChangeRequest.objects.filter(pk=cr.pk).update(
        status=Status.APPROVED, decided_at=timezone.now() - timedelta(minutes=30)
    )

    summary = svc.process_change_requests()

    assert summary.executed == [cr.pk]
    assert ChangeRequest.objects.get(pk=cr.pk).status == Status.SUCCEEDED
    assert cloud.calls[DELETE_POOL] == 1


def test_command_prints_the_summary(operator, cloud_connection, pool, capsys):
    from django.core.management import call_command

    cr = request_delete_pool(operator, cloud_connection, pool)
    ChangeRequest.objects.filter(pk=cr.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    call_command("process_change_requests")
    out = capsys.readouterr().out
    assert f"#{cr.pk}: expired" in out and "expired 1" in out


def test_process_marks_a_lost_create_succeeded_once_the_pool_shows_up(
    operator, approver, cloud, cloud_connection
):
    cr = request_create(operator, cloud_connection)
    cloud.lose_next_answer(CREATE_POOL, applied=False)
    svc.change_request_approve(user=approver, change_request=cr)
    assert svc.process_change_requests().reconciled == {}  # nothing there yet, but it may still come
    assert ChangeRequest.objects.get(pk=cr.pk).status == Status.UNKNOWN

    # Still nothing once the grace has passed since the call: it was not made (failed, retryable)...
    later = timezone.now() + timedelta(seconds=601)
    assert svc.process_change_requests(now=later).reconciled == {cr.pk: Status.FAILED}
    cr.refresh_from_db()
    assert cr.outcome_unknown and "was not made" in cr.result_message

    made = cloud.add_pool("pool-vision")  # it turned up after all (e.g. created by a slow server)
    mail.outbox.clear()
    summary = svc.process_change_requests()

    cr.refresh_from_db()
    assert summary.reconciled == {cr.pk: Status.SUCCEEDED}
    assert cr.status == Status.SUCCEEDED and cr.result_pool_name == made and not cr.outcome_unknown
    assert cloud.calls[CREATE_POOL] == 1
    assert actions_of(cr)[-2:] == ["change_request.reconcile", "change_request.succeed"]
    assert [m.to for m in mail.outbox] == [[operator.email]] and "Done" in mail.outbox[0].subject
