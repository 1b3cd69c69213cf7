"""What the change-request service tests share: filing requests, reading their audit entries, and
putting them in the states a crash or a slow ModelArts leaves behind."""

from datetime import timedelta

from django.contrib.admin.models import LogEntry
from django.utils import timezone

from pools.core import audit_messages
from pools.models import ChangeRequest
from pools.services import change_requests as svc
from tests.fixtures.approvals import create_body

Status = ChangeRequest.Status


def actions_of(change_request):
    entries = LogEntry.objects.filter(object_id=str(change_request.pk)).order_by("pk")
    return [audit_messages.parse_message(entry)["action"] for entry in entries]


def entry_for(change_request, action):
    entries = LogEntry.objects.filter(object_id=str(change_request.pk)).order_by("pk")
    found = [
        audit_messages.parse_message(e)
        for e in entries
        if audit_messages.parse_message(e)["action"] == action
    ]
    assert found, f"no {action} entry"
    return found[-1]


def request_delete_pool(user, connection, pool, key="k1", reason="Team disbanded"):
    return svc.change_request_create(
        user=user,
        connection=connection,
        kind="delete_pool",
        target=pool,
        body=None,
        reason=reason,
        idempotency_key=key,
    )


def request_delete_nodes(user, connection, pool, nodes, key="k-nodes"):
    return svc.change_request_create(
        user=user,
        connection=connection,
        kind="delete_nodes",
        target=pool,
        body={"deleteNodeNames": nodes},
        reason="Shrink after the sprint",
        idempotency_key=key,
    )


def request_create(user, connection, name="pool-vision", key="k-create"):
    return svc.change_request_create(
        user=user,
        connection=connection,
        kind="create_pool",
        target=name,
        body=create_body(name),
        reason="Vision team needs GPUs",
        idempotency_key=key,
    )


def sent_long_ago(cr, seconds=601):
    """As if the last call went out ``seconds`` ago (past the default grace of 600 s)."""
    ChangeRequest.objects.filter(pk=cr.pk).update(
        execution_started_at=timezone.now() - timedelta(seconds=seconds)
    )


def stuck_executing(cr, minutes_ago=30):
    ChangeRequest.objects.filter(pk=cr.pk).update(
        status=Status.EXECUTING,
        attempts=1,
        execution_started_at=timezone.now() - timedelta(minutes=minutes_ago),
    )
