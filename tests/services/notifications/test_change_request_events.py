"""Each step of a change request announces its event to the routes that want it, and only to those."""

import pytest

from pools.models import ChangeRequest
from pools.services import change_requests as svc
from pools.services.change_requests import notifications
from pools.services.change_requests.housekeeping import change_request_expire
from pools.services.notifications.routes import notification_route_create
from tests.services.change_requests.helpers import request_delete_pool
from tests.services.notifications.conftest import RECEIVER_SECRET, events_received

Status = ChangeRequest.Status
pytestmark = pytest.mark.django_db


def test_filing_approving_and_running_announce_each_step(
    receiver, webhook_route, operator, approver, cloud_connection, pool
):
    cr = request_delete_pool(operator, cloud_connection, pool)
    svc.change_request_approve(user=approver, change_request=cr)

    assert events_received(receiver) == [
        "approval_pending",
        "request_approved",
        "execution_started",
        "execution_succeeded",
    ]
    succeeded = receiver.deliveries[-1].payload
    assert succeeded["data"]["change_request"]["status"] == Status.SUCCEEDED
    assert succeeded["subject"].startswith(f"Done: #{cr.pk}")


def test_a_rejection_is_announced(receiver, webhook_route, operator, approver, cloud_connection, pool):
    cr = request_delete_pool(operator, cloud_connection, pool)
    svc.change_request_reject(user=approver, change_request=cr, comment="Not this week")
    assert events_received(receiver) == ["approval_pending", "request_rejected"]
    assert "Comment: Not this week" in receiver.deliveries[-1].payload["text"]


def test_an_expiry_is_announced(receiver, webhook_route, operator, cloud_connection, pool):
    cr = request_delete_pool(operator, cloud_connection, pool)
    ChangeRequest.objects.filter(pk=cr.pk).update(expires_at=cr.created_at)
    cr.refresh_from_db()
    assert change_request_expire(change_request=cr)
    assert events_received(receiver) == ["approval_pending", "request_expired"]


def test_a_failed_execution_is_announced(
    receiver, webhook_route, operator, approver, cloud, cloud_connection, pool
):
    cr = request_delete_pool(operator, cloud_connection, pool)
    cloud.fail_next("DeletePool", status=500)
    cr = svc.change_request_approve(user=approver, change_request=cr)
    assert cr.status == Status.FAILED
    assert events_received(receiver)[-2:] == ["execution_started", "execution_failed"]


@pytest.mark.parametrize(
    ("status", "event"),
    [
        (Status.IN_PROGRESS, "execution_in_progress"),
        (Status.UNKNOWN, "execution_unknown"),
        (Status.SUCCEEDED, "execution_succeeded"),
        (Status.FAILED, "execution_failed"),
        (Status.APPROVED, "request_approved"),
        (Status.REJECTED, "request_rejected"),
        (Status.EXPIRED, "request_expired"),
    ],
)
def test_every_settled_status_has_its_event(
    receiver, webhook_route, operator, cloud_connection, pool, status, event
):
    cr = request_delete_pool(operator, cloud_connection, pool)
    ChangeRequest.objects.filter(pk=cr.pk).update(status=status)
    cr.refresh_from_db()
    notifications.notify_status(cr)
    assert events_received(receiver)[-1] == event


def test_routes_get_only_their_events_of_their_connection(
    receiver, operator, approver, administrator, cloud_connection, make_connection, pool
):
    def route(name, connection, events, **options):
        return notification_route_create(
            user=administrator,
            connection=connection,
            name=name,
            channel="webhook",
            target=f"{receiver.url}/{name}",
            secret=RECEIVER_SECRET,
            events=events,
            **options,
        )

    route("outcomes", cloud_connection, ["execution_succeeded", "execution_failed"])
    route("approvals", cloud_connection, ["approval_pending"])
    route("switched-off", cloud_connection, ["approval_pending"], enabled=False)
    route("elsewhere", make_connection("other"), ["approval_pending", "execution_succeeded"])

    cr = request_delete_pool(operator, cloud_connection, pool)
    svc.change_request_approve(user=approver, change_request=cr)

    received = [(d.path.rsplit("/", 1)[-1], d.payload["event"]) for d in receiver.deliveries]
    assert received == [("approvals", "approval_pending"), ("outcomes", "execution_succeeded")]
