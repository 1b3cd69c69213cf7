"""Deliveries over real HTTP to a local receiver: the payload and its signature, retries, and a destination
that is down never failing the decision that announced something."""

import logging
import socket

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from pools.models import ChangeRequest, NotificationRoute
from pools.services import change_requests as svc
from pools.services.notifications import Notice, announce
from pools.services.notifications.delivery import QUEUE, deliver_notice, to_route
from pools.webhooks.signing import verify
from tests.fixtures.tasks import run_queued_tasks
from tests.services.change_requests.helpers import request_delete_pool
from tests.services.notifications.conftest import RECEIVER_SECRET, events_received

Status = ChangeRequest.Status
pytestmark = pytest.mark.django_db


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"


def test_a_filed_request_reaches_the_webhook_signed_with_the_routes_secret(
    receiver, webhook_route, operator, cloud_connection, pool
):
    cr = request_delete_pool(operator, cloud_connection, pool)

    [delivery] = receiver.deliveries
    assert delivery.problem == ""
    payload = verify(delivery.body, delivery.headers, RECEIVER_SECRET)
    assert payload["event"] == "approval_pending" and payload["version"] == 1
    assert payload["connection"] == {"id": cloud_connection.pk, "name": cloud_connection.name}
    assert payload["subject"].startswith(f"Approval needed: #{cr.pk} delete pool")
    assert payload["url"].endswith(f"/requests/{cr.pk}/")
    assert payload["data"]["change_request"]["target"] == pool
    assert payload["data"]["change_request"]["requested_by"] == operator.username
    assert delivery.headers["X-Notification-Id"] == payload["id"]
    webhook_route.refresh_from_db()
    assert webhook_route.last_sent_at is not None and not webhook_route.last_delivery_failed


def test_a_destination_that_is_down_never_fails_the_decision(
    webhook_route, operator, approver, cloud_connection, pool, settings, caplog
):
    settings.NOTIFICATION_ATTEMPTS = 3
    url = closed_port_url()
    webhook_route.target = url
    webhook_route.save()
    cr = request_delete_pool(operator, cloud_connection, pool)

    with caplog.at_level(logging.WARNING, logger="pools.services.notifications"):
        cr = svc.change_request_approve(user=approver, change_request=cr)

    assert cr.status == Status.SUCCEEDED
    webhook_route.refresh_from_db()
    assert webhook_route.last_delivery_failed
    assert webhook_route.last_failure == "the webhook could not be reached (ConnectionError)"
    failures = [r for r in caplog.records if r.levelno == logging.ERROR]
    # filed, approved, execution started, succeeded: each given up after 3 attempts, and said so once
    assert [r.args[1] for r in failures] == [
        "approval_pending",
        "request_approved",
        "execution_started",
        "execution_succeeded",
    ]
    assert all("after 3 attempt(s)" in r.getMessage() for r in failures)
    assert url not in caplog.text and "127.0.0.1" not in caplog.text and RECEIVER_SECRET not in caplog.text


def test_a_failed_delivery_is_tried_again_with_the_same_id(receiver, webhook_route, cloud_connection):
    receiver.refuse_next = 2
    notice = Notice(
        event="pool_failed",
        connection_id=cloud_connection.pk,
        connection_name=cloud_connection.name,
        subject="Pool failed: p",
        lines=("p is Error.",),
    )
    assert deliver_notice.call(notice.to_json(), to_route(webhook_route)) == "retrying"
    [delivery] = receiver.deliveries  # the third attempt, after two 503s
    assert delivery.payload["id"] == notice.id and delivery.problem == ""


def test_with_the_database_backend_a_retry_waits_in_its_queue(
    database_tasks, receiver, webhook_route, cloud_connection, settings
):
    settings.NOTIFICATION_RETRY_SECONDS = 60
    receiver.refuse_next = 1
    notice = Notice(
        event="pool_failed",
        connection_id=cloud_connection.pk,
        connection_name=cloud_connection.name,
        subject="Pool failed: p",
        lines=("p is Error.",),
    )
    announce(lambda: notice)
    assert run_queued_tasks(queues=(QUEUE,)) == 1 and receiver.deliveries == []

    [retry] = DBTaskResult.objects.filter(queue_name=QUEUE, status="READY")
    assert retry.args_kwargs["args"][2] == 2
    assert 50 < (retry.run_after - timezone.now()).total_seconds() <= 60
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    assert run_queued_tasks(queues=(QUEUE,)) == 1
    assert events_received(receiver) == ["pool_failed"]


def test_a_route_deleted_or_turned_off_before_its_delivery_gets_nothing(
    receiver, webhook_route, cloud_connection
):
    notice = Notice(
        event="pool_failed",
        connection_id=cloud_connection.pk,
        connection_name=cloud_connection.name,
        subject="s",
        lines=(),
    )
    NotificationRoute.objects.filter(pk=webhook_route.pk).update(enabled=False)
    assert deliver_notice.call(notice.to_json(), to_route(webhook_route)) == "gone"
    assert receiver.deliveries == []


def test_chat_goes_through_apprise_to_the_services_own_webhook(
    httpserver, cloud_connection, administrator, monkeypatch
):
    from apprise.plugins.feishu import NotifyFeishu

    from pools.services.notifications.routes import notification_route_create, notification_route_test

    monkeypatch.setattr(NotifyFeishu, "notify_url", httpserver.url_for("/open-apis/bot/v2/hook/{token}/"))
    token = "a1b2c3d4e5f6a7b8c9d0"
    httpserver.expect_request(f"/open-apis/bot/v2/hook/{token}/", method="POST").respond_with_json(
        {"code": 0}
    )
    route = notification_route_create(
        user=administrator,
        connection=cloud_connection,
        name="team chat",
        channel="chat",
        target=f"feishu://{token}",
        events=["pool_failed"],
    )
    outcome = notification_route_test(user=administrator, route=route)

    assert outcome.ok, outcome.message
    [(request, _)] = httpserver.log
    assert "Test of route “team chat”" in request.get_data(as_text=True)
    assert route.target_hint == "feishu://…"


def test_a_failure_is_shown_in_the_sites_language(webhook_route, cloud_connection, settings):
    settings.LANGUAGE_CODE, settings.NOTIFICATION_ATTEMPTS = "zh-hans", 1
    webhook_route.target = closed_port_url()  # an English route: the reason is for the route's page
    webhook_route.save()
    notice = Notice(
        event="pool_failed",
        connection_id=cloud_connection.pk,
        connection_name=cloud_connection.name,
        subject="s",
        lines=(),
    )
    assert deliver_notice.call(notice.to_json(), to_route(webhook_route)) == "failed"
    webhook_route.refresh_from_db()
    assert webhook_route.last_failure == "无法连接 webhook（ConnectionError）"
