"""The whole path of a new pool: requested by an operator, approved by an approver through the page,
created once in the sandbox, Creating then Running, every step in the sealed audit log, everyone told."""

import pytest
from django.contrib.admin.models import LogEntry
from django.core import mail
from django.urls import reverse

from pools import audit
from pools.core import audit_messages
from pools.core.clients import client_for_connection
from pools.models import ChangeRequest
from pools.services import change_requests as svc
from tests.fixtures.approvals import CREATE_POOL, create_body
from tests.fixtures.users import PASSWORD

pytestmark = pytest.mark.django_db


def test_operator_requests_approver_approves_pool_is_created_then_running(
    client, operator, approver, cloud, cloud_connection
):
    cloud.sandbox.timings.creation_seconds = 5
    cr = svc.change_request_create(
        user=operator,
        connection=cloud_connection,
        kind="create_pool",
        target="pool-vision",
        body=create_body("pool-vision", count=2),
        reason="The vision team starts training next week.",
        idempotency_key="wizard-1",
    )
    assert [m.to for m in mail.outbox] == [[approver.email]]
    assert "Approval needed" in mail.outbox[0].subject and f"/requests/{cr.pk}/" in mail.outbox[0].body

    client.force_login(approver)
    response = client.post(
        reverse("pools:change_request_approve", args=[cr.pk]),
        {"password": PASSWORD, "comment": "Budget confirmed."},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and 'data-status="succeeded"' in response.content.decode()

    cr.refresh_from_db()
    assert cr.status == ChangeRequest.Status.SUCCEEDED and cloud.calls[CREATE_POOL] == 1
    with client_for_connection(cloud_connection) as modelarts:
        assert modelarts.show_pool(cr.result_pool_name).phase == "Creating"
        cloud.sandbox.advance(5)
        created = modelarts.show_pool(cr.result_pool_name)
    assert created.phase == "Running" and created.display_name == "pool-vision" and created.node_count == 2

    entries = LogEntry.objects.filter(object_id=str(cr.pk)).order_by("pk")
    steps = [(audit_messages.parse_message(e)["action"], e.user.username) for e in entries]
    assert steps == [
        ("change_request.create", operator.username),
        ("change_request.approve", approver.username),
        ("change_request.execute", approver.username),
        ("change_request.succeed", approver.username),
    ]
    succeeded = audit_messages.parse_message(entries.last())
    assert succeeded["details"]["pool_name"] == cr.result_pool_name
    assert succeeded["request_id"] == cloud.request_id(CREATE_POOL)
    assert audit.verify_chain().ok
    assert [m.to for m in mail.outbox[1:]] == [[operator.email], [operator.email]]
    assert "Approved" in mail.outbox[1].subject and "Done" in mail.outbox[2].subject
    assert cr.result_pool_name in mail.outbox[2].body
