"""Every upstream fault on every browse page: a banner, never a 500; and change requests under each fault end
executed once or failed, never duplicated and never stuck.

Faults: 500, 503, a 429 storm, malformed JSON, a dropped connection, latency past the client's timeout, and
ModelArts down (the connection points at a closed port). The client gives up fast (small timeout, deadline
and retries via ``settings``), so each case costs well under a second.
"""

from __future__ import annotations

import socket

import pytest
from django.urls import reverse

from pools.core.errors import ApplicationError
from pools.models import ChangeRequest
from pools.sandbox import maintenance
from pools.services import change_requests
from tests.fixtures import sandbox as sandbox_account
from tests.fixtures.approvals import CREATE_POOL, DELETE_POOL, create_body, wait_until
from tests.fixtures.connections import build_connection

pytestmark = pytest.mark.django_db

TIMEOUT_SECONDS = 0.3
SLOWER_THAN_TIMEOUT_MS = 1000

FAULTS = ("error-500", "error-503", "throttle-storm", "malformed-json", "dropped", "latency", "down")


def inject(sandbox, fault: str, **where) -> None:
    """Every matching call fails with ``fault`` until the faults are cleared ("down" needs no rule)."""
    if fault == "error-500":
        sandbox.faults.error(500, **where)
    elif fault == "error-503":
        sandbox.faults.error(503, **where)
    elif fault == "throttle-storm":
        sandbox.faults.throttle(retry_after=1, **where)
    elif fault == "malformed-json":
        sandbox.faults.malformed(**where)
    elif fault == "dropped":
        sandbox.faults.drop(**where)
    elif fault == "latency":
        sandbox.faults.latency(SLOWER_THAN_TIMEOUT_MS, **where)


def closed_port() -> int:
    """A loopback port nothing listens on: bound, read back, released."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def client_timeouts(settings, seconds: float) -> None:
    settings.MODELARTS_TIMEOUT_SECONDS = seconds
    settings.MODELARTS_DEADLINE_SECONDS = seconds * 2


# What the client allows where no fault is meant: filing and settling read a 520-node pool's live state,
# which must not turn into a timeout of its own on a busy machine.
USUAL_TIMEOUT_SECONDS = 10.0


@pytest.fixture
def impatient(settings):
    client_timeouts(settings, TIMEOUT_SECONDS)
    settings.MODELARTS_RETRIES = 1
    settings.CHANGE_REQUEST_EXECUTION_GRACE_SECONDS = 0
    # A cache of this test's own, so no earlier answer hides the fault.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"faults-by-page-{id(settings)}",
        }
    }


def connection_for(fault: str, sandbox, sandbox_connection):
    if fault != "down":
        return sandbox_connection
    return build_connection(
        "down",
        access_key=sandbox_account.AK,
        secret_key=sandbox_account.SK,
        region=sandbox_account.REGION,
        project_id=sandbox_account.PROJECT_ID,
        endpoint=f"http://127.0.0.1:{closed_port()}",
    )


def page_urls(connection, pool_name: str, node_name: str = "os-node-created-00000") -> dict[str, str]:
    pool = {"connection_id": connection.pk, "pool_name": pool_name}
    return {
        "workloads": reverse("pools:pool_workloads", kwargs=pool),
        "workload counts": reverse("pools:pool_workload_counts", kwargs=pool),
        "node": reverse("pools:node_detail", kwargs={**pool, "node_name": node_name}),
        "reboot request": reverse("pools:reboot_nodes_request", kwargs=pool) + f"?nodes={node_name}",
        "overview card": reverse("pools:overview_card", kwargs={"connection_id": connection.pk}),
        "pool list": reverse("pools:pool_list") + f"?connection={connection.pk}",
        "pool detail": reverse("pools:pool_detail", kwargs=pool),
        "nodes": reverse("pools:pool_nodes", kwargs=pool),
        "monitoring": reverse("pools:pool_monitoring", kwargs=pool),
        "CSV": reverse("pools:pool_monitoring_csv", kwargs=pool),
        "events": reverse("pools:pool_events", kwargs=pool),
        "events inbox": reverse("pools:events_inbox"),
    }


PAGES = (
    "overview card",
    "pool list",
    "pool detail",
    "nodes",
    "monitoring",
    "CSV",
    "workloads",
    "workload counts",
    "node",
    "reboot request",
    "events",
    "events inbox",
)


@pytest.mark.usefixtures("impatient")
@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("fault", FAULTS)
def test_a_page_under_a_fault_shows_a_banner(
    fault, page, seeded_sandbox, sandbox_connection, administrator, client
):
    connection = connection_for(fault, seeded_sandbox, sandbox_connection)
    pool_name = seeded_sandbox.pools(sandbox_account.PROJECT_ID)[0]["metadata"]["name"]
    node_name = seeded_sandbox.nodes(sandbox_account.PROJECT_ID, pool_name)[0]["metadata"]["name"]
    client.force_login(administrator)
    client.post(reverse("pools:connection_switch"), {"connection": connection.pk, "next": "/"})
    inject(seeded_sandbox, fault)

    response = client.get(page_urls(connection, pool_name, node_name)[page])

    if page == "CSV":
        # The export answers in text: 502 and what failed, never a 500 or an empty file.
        assert response.status_code == 502
        assert response["Content-Type"].startswith("text/plain")
        assert response.content.strip()
    elif page == "reboot request":
        # Without the pool's nodes there is nothing to confirm: 502 and the banner, as for node deletion.
        assert response.status_code == 502
        assert b"upstream-error" in response.content, "the error banner is missing"
    else:
        assert response.status_code == 200
        assert b"upstream-error" in response.content, "the error banner is missing"
    if fault != "down":
        wait_until(lambda: seeded_sandbox.calls() > 0, what="the faulty call")


def scheduled_event(sandbox, **query) -> dict:
    return maintenance.list_scheduled_events(sandbox.store, sandbox_account.PROJECT_ID, query)["events"][0]


def file_request(kind: str, connection, operator, pool_name: str, key: str, sandbox=None) -> ChangeRequest:
    """``pool_name`` is the event id for accept_event (read from ``sandbox``)."""
    if kind == "accept_event":
        event = scheduled_event(sandbox, id=pool_name)
        return change_requests.change_request_create(
            user=operator,
            connection=connection,
            kind="accept_event",
            target=event["poolName"],
            body={
                "eventId": event["id"],
                "workspaceId": "0",
                "nodeName": event["nodeName"],
                "eventType": event["type"],
                "accept": {"redeployConfig": {"type": "HARD", "autoFlow": "false"}},
            },
            reason="faults by page",
            idempotency_key=key,
        )
    if kind == "create_pool":
        return change_requests.change_request_create(
            user=operator,
            connection=connection,
            kind="create_pool",
            target=pool_name,
            body=create_body(pool_name),
            reason="faults by page",
            idempotency_key=key,
        )
    if kind == "reboot_nodes":
        return change_requests.change_request_create(
            user=operator,
            connection=connection,
            kind="reboot_nodes",
            target=pool_name,
            body={"nodeNames": [REBOOTED_NODE[pool_name]]},
            reason="faults by page",
            idempotency_key=key,
        )
    return change_requests.change_request_create(
        user=operator,
        connection=connection,
        kind="delete_pool",
        target=pool_name,
        body=None,
        reason="faults by page",
        idempotency_key=key,
    )


# The node each reboot request of a pool names (set when the request is filed).
REBOOTED_NODE: dict[str, str] = {}


def pools_named(sandbox, display_name: str) -> list[dict]:
    return [
        pool
        for pool in sandbox.pools(sandbox_account.PROJECT_ID)
        if pool["metadata"]["labels"].get("os.modelarts/name") == display_name
    ]


def applied(sandbox, kind: str, target: str) -> bool:
    """Whether ModelArts now holds the change: the pool exists, or it is deleting or gone; the event is
    accepted."""
    if kind == "accept_event":
        return scheduled_event(sandbox, id=target)["state"] != "inquiring"
    if kind == "create_pool":
        return bool(pools_named(sandbox, target))
    if kind == "reboot_nodes":
        return bool(sandbox.store.find(sandbox_account.PROJECT_ID, target).jobs)
    remaining = {pool["metadata"]["name"]: pool for pool in sandbox.pools(sandbox_account.PROJECT_ID)}
    return target not in remaining or remaining[target]["status"].get("phase") in {"Deleting", "Deleted"}


@pytest.mark.usefixtures("impatient")
@pytest.mark.parametrize("kind", ["create_pool", "delete_pool", "reboot_nodes", "accept_event"])
@pytest.mark.parametrize("fault", FAULTS)
def test_an_approved_change_under_a_fault_happens_at_most_once_and_settles(
    fault, kind, seeded_sandbox, sandbox_connection, operator, approver, settings
):
    if kind == "create_pool":
        target = "fault-probe"
    elif kind == "accept_event":
        target = scheduled_event(seeded_sandbox, state="inquiring")["id"]
    else:
        target = seeded_sandbox.pools(sandbox_account.PROJECT_ID)[0]["metadata"]["name"]
    if kind == "reboot_nodes":
        nodes = seeded_sandbox.nodes(sandbox_account.PROJECT_ID, target)
        REBOOTED_NODE[target] = next(
            n["metadata"]["name"] for n in nodes if n["status"]["phase"] == "Available"
        )
    # Filing reads the live state, so ModelArts goes down (and the client turns impatient) only after the
    # request is filed.
    client_timeouts(settings, USUAL_TIMEOUT_SECONDS)
    change_request = file_request(
        kind, sandbox_connection, operator, target, key=f"{fault}-{kind}", sandbox=seeded_sandbox
    )
    client_timeouts(settings, TIMEOUT_SECONDS)
    if fault == "down":
        sandbox_connection.endpoint = f"http://127.0.0.1:{closed_port()}"
        sandbox_connection.save()
    seeded_sandbox.clear_calls()
    operation = {
        "create_pool": CREATE_POOL,
        "delete_pool": DELETE_POOL,
        "accept_event": "AcceptScheduledEvent",
    }.get(kind, "BatchRebootPoolNodes")
    inject(seeded_sandbox, fault, operation=operation)

    try:
        change_requests.change_request_approve(user=approver, change_request=change_request)
    except ApplicationError:
        pass  # The approval view shows this as a message; what matters is the state it leaves.
    if fault == "latency":
        # The slow answer is applied late: wait for the sandbox to have done it before settling.
        wait_until(lambda: applied(seeded_sandbox, kind, target), what=f"the late {operation}")
    seeded_sandbox.faults.clear()
    seeded_sandbox.advance(seeded_sandbox.timings.reboot_seconds)  # a reboot that was made has ended
    client_timeouts(settings, USUAL_TIMEOUT_SECONDS)  # settling: the fault is gone
    change_requests.process_change_requests()
    change_request.refresh_from_db()

    assert change_request.status in {ChangeRequest.Status.SUCCEEDED, ChangeRequest.Status.FAILED}
    if kind == "create_pool":
        assert len(pools_named(seeded_sandbox, target)) <= 1, "the pool was created twice"
    if kind == "reboot_nodes":
        assert seeded_sandbox.calls("BatchRebootPoolNodes") <= 1, "the reboot was sent twice"
    assert (change_request.status == ChangeRequest.Status.SUCCEEDED) == applied(seeded_sandbox, kind, target)
