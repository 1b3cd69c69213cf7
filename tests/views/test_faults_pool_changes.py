"""The fault matrix for pool changes: the scale, edit and tags pages under every upstream fault show a banner
(never a 500), and an approved scale, edit or tag change under every fault happens at most once and settles
(succeeded, failed, or in progress while ModelArts works on it)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from pools.core.errors import ApplicationError
from pools.models import ChangeRequest
from pools.services import change_requests
from tests.fixtures import sandbox as sandbox_account
from tests.fixtures.approvals import wait_until
from tests.views.test_faults_by_page import FAULTS, closed_port, connection_for, impatient, inject

pytestmark = pytest.mark.django_db
__all__ = ["impatient"]  # the fixture, shared with the pages' fault matrix

PAGES = ("scale_pool_request", "edit_pool_request", "pool_tags_request")
T4 = "modelarts.vm.gpu.t4u8"


@pytest.mark.usefixtures("impatient")
@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("fault", FAULTS)
def test_a_change_page_under_a_fault_shows_a_banner(
    fault, page, seeded_sandbox, sandbox_connection, operator, client
):
    connection = connection_for(fault, seeded_sandbox, sandbox_connection)
    pool_name = seeded_sandbox.pools(sandbox_account.PROJECT_ID)[0]["metadata"]["name"]
    client.force_login(operator)
    inject(seeded_sandbox, fault)

    response = client.get(reverse(f"pools:{page}", args=[connection.pk, pool_name]))

    assert response.status_code == 502
    assert b"upstream-error" in response.content, "the error banner is missing"


def _running_t4_pool(sandbox) -> str:
    created = sandbox.create_pool(
        sandbox_account.PROJECT_ID, sandbox_account.pool_body("fault-scale", count=2)
    )
    sandbox.settle()
    return created["metadata"]["name"]


CHANGES = {
    "scale_pool": ("PatchPool", {"spec": {"resources": [{"flavor": T4, "count": 3}]}}),
    "edit_pool": ("PatchPool", {"metadata": {"annotations": {"os.modelarts/description": "under a fault"}}}),
    "pool_tags": ("BatchCreatePoolTags", {"add": {"fault": "yes"}, "remove": []}),
}


def made(sandbox, kind: str, pool: str) -> bool:
    record = sandbox.store.find(sandbox_account.PROJECT_ID, pool)
    if kind == "scale_pool":
        return record.spec["resources"][0]["count"] == 3
    if kind == "edit_pool":
        return record.annotations.get("os.modelarts/description") == "under a fault"
    return record.tags.get("fault") == "yes"


@pytest.mark.usefixtures("impatient")
@pytest.mark.parametrize("kind", sorted(CHANGES))
@pytest.mark.parametrize("fault", FAULTS)
def test_an_approved_pool_change_under_a_fault_happens_at_most_once_and_settles(
    fault, kind, sandbox, sandbox_connection, operator, approver
):
    pool = _running_t4_pool(sandbox)
    operation, body = CHANGES[kind]
    change_request = change_requests.change_request_create(
        user=operator,
        connection=sandbox_connection,
        kind=kind,
        target=pool,
        body=body,
        reason="fault matrix",
        idempotency_key=f"{fault}-{kind}",
    )
    if fault == "down":
        sandbox_connection.endpoint = f"http://127.0.0.1:{closed_port()}"
        sandbox_connection.save()
    sandbox.clear_calls()
    inject(sandbox, fault, operation=operation)

    try:
        change_requests.change_request_approve(user=approver, change_request=change_request)
    except ApplicationError:
        pass
    if fault == "latency":
        wait_until(lambda: made(sandbox, kind, pool), what=f"the late {operation}")
    sandbox.faults.clear()
    if fault == "down":
        sandbox_connection.endpoint = sandbox.url
        sandbox_connection.save()
    sandbox.settle()
    change_requests.process_change_requests()
    change_request.refresh_from_db()

    assert sandbox.calls(operation) <= 1, f"{operation} was sent twice"
    assert change_request.status in {ChangeRequest.Status.SUCCEEDED, ChangeRequest.Status.FAILED}
    assert (change_request.status == ChangeRequest.Status.SUCCEEDED) == made(sandbox, kind, pool)
