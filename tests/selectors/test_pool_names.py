from datetime import timedelta

import pytest
from django.utils import timezone

from pools.models import ChangeRequest
from pools.selectors.pool_names import pool_name_check
from tests.fixtures.sandbox import PROJECT_ID, pool_body

pytestmark = pytest.mark.django_db


def create_request(connection, user, *, name="pool-vision", workspace="0", key="k1", **fields):
    body = pool_body(name)
    body["metadata"]["labels"]["os.modelarts/workspace.id"] = workspace
    return ChangeRequest.objects.create(
        connection=connection,
        kind=ChangeRequest.Kind.CREATE_POOL,
        target=name,
        body=body,
        reason="Needed.",
        requested_by=user,
        idempotency_key=key,
        expires_at=fields.pop("expires_at", timezone.now() + timedelta(hours=1)),
        **fields,
    )


def check(connection, user, *, name="pool-vision", workspace="0", wizard_id="w-mine"):
    return pool_name_check(
        connection=connection, display_name=name, workspace_id=workspace, user=user, wizard_id=wizard_id
    )


def test_a_free_name(sandbox_connection, operator):
    found = check(sandbox_connection, operator)
    assert not found.taken and found.unchecked is None


def test_a_pool_in_the_workspace_holds_the_name(sandbox_connection, operator, sandbox):
    created = sandbox.create_pool(PROJECT_ID, pool_body("pool-vision"))
    found = check(sandbox_connection, operator)
    assert found.pools == (created["metadata"]["name"],) and found.taken


@pytest.mark.parametrize(
    ("fields", "holds"),
    [
        ({}, True),
        ({"status": ChangeRequest.Status.APPROVED}, True),
        ({"status": ChangeRequest.Status.EXECUTING}, True),
        ({"status": ChangeRequest.Status.UNKNOWN}, True),  # its answer was lost: the pool may exist
        ({"status": ChangeRequest.Status.FAILED}, False),
        ({"status": ChangeRequest.Status.REJECTED}, False),
        ({"status": ChangeRequest.Status.SUCCEEDED}, False),  # then the pool itself holds it
        ({"expires_at": timezone.now() - timedelta(minutes=1)}, False),  # pending, but past its expiry
        ({"workspace": "ws-other"}, False),
        ({"name": "pool-other"}, False),
        ({"key": "w-mine"}, False),  # the request this very wizard filed
    ],
    ids=lambda value: (
        str(value) if not isinstance(value, dict) else ",".join(map(str, value.values())) or "pending"
    ),
)
def test_open_create_requests_hold_the_name(sandbox_connection, operator, fields, holds):
    create_request(sandbox_connection, operator, **fields)
    assert bool(check(sandbox_connection, operator).requests) is holds


def test_an_upstream_failure_is_reported_not_raised(sandbox_connection, operator, sandbox):
    create_request(sandbox_connection, operator)
    sandbox.faults.error(503, operation="ListPools")
    found = check(sandbox_connection, operator)
    assert found.unchecked is not None and "Listing the pools" in found.unchecked.message
    assert found.pools == () and len(found.requests) == 1  # what could be checked still counts
