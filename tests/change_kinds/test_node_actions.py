"""The node action kinds (reboot, drain, lock, unlock, reset) against the sandbox: filed with their blast radius
in the snapshot, refused when the nodes or the pool do not allow them, run once after approval, and followed
(ListJobs, the nodes, their workloads) until ModelArts shows them complete."""

import pytest

from pools.change_kinds import change_kind
from pools.change_kinds.messages import LOCKED_AGAINST_DELETION
from pools.core.errors import ApplicationError
from pools.models import ChangeRequest
from pools.node_actions import NO_ROLLING_ON_VM
from pools.selectors.live_state import revalidate
from pools.services import change_requests as svc
from tests.fixtures.approvals import wait_until
from tests.fixtures.sandbox import PROJECT_ID, pool_id
from tests.sandbox.helpers import call

pytestmark = pytest.mark.django_db
Status = ChangeRequest.Status


def available_nodes(sandbox, display_name, count=1):
    pool = pool_id(sandbox, display_name)
    names = [
        node["metadata"]["name"]
        for node in sandbox.nodes(PROJECT_ID, pool)
        if node["status"]["phase"] == "Available"
    ]
    return pool, names[:count]


def file(kind, pool, body, operator, connection, key="k-1"):
    return svc.change_request_create(
        user=operator,
        connection=connection,
        kind=kind,
        target=pool,
        body=body,
        reason="The nodes misbehave",
        idempotency_key=key,
    )


def approve(change_request, approver):
    svc.change_request_approve(user=approver, change_request=change_request)
    change_request.refresh_from_db()
    return change_request


def follow(change_request):
    svc.process_change_requests()
    change_request.refresh_from_db()
    return change_request


def test_a_reboot_is_filed_with_its_blast_radius_run_once_and_followed_to_its_end(
    seeded_sandbox, sandbox_connection, operator, approver
):
    pool, names = available_nodes(seeded_sandbox, "vision-train", 2)

    cr = file("reboot_nodes", pool, {"nodeNames": names}, operator, sandbox_connection)
    assert cr.snapshot["workloads"] > 0
    assert cr.summary == f"Reboot 2 nodes of pool {pool}: {', '.join(names)}"
    assert cr.call_description.path.endswith("/nodes/batch-reboot")

    cr = approve(cr, approver)
    assert cr.status == Status.IN_PROGRESS
    assert seeded_sandbox.calls("BatchRebootPoolNodes") == 1
    assert follow(cr).status == Status.IN_PROGRESS
    assert "job" in cr.result_message and "0 of 2 nodes Available" in cr.result_message

    seeded_sandbox.advance(seeded_sandbox.timings.reboot_seconds)
    cr = follow(cr)
    assert cr.status == Status.SUCCEEDED, cr.result_message
    assert "2 of 2 nodes Available" in cr.result_message
    assert seeded_sandbox.calls("BatchRebootPoolNodes") == 1


def test_a_rolling_reset_is_followed_by_its_job_id(seeded_sandbox, sandbox_connection, operator, approver):
    pool, names = available_nodes(seeded_sandbox, "llm-pretrain", 4)
    body = {"nodeNames": names, "rollingConfig": {"strategy": "RollingByNumber", "maxUnavailable": 2}}

    cr = approve(file("reset_nodes", pool, body, operator, sandbox_connection), approver)

    assert cr.status == Status.IN_PROGRESS and cr.tracking["job_id"]
    assert "rolling, at most 2 nodes at a time" in cr.summary
    seeded_sandbox.advance(seeded_sandbox.timings.reset_seconds)
    assert follow(cr).status == Status.IN_PROGRESS
    seeded_sandbox.advance(seeded_sandbox.timings.reset_seconds)
    assert follow(cr).status == Status.SUCCEEDED


def test_a_rolling_reset_of_vm_nodes_is_refused_when_filed(seeded_sandbox, sandbox_connection, operator):
    pool, names = available_nodes(seeded_sandbox, "infer-t4")
    body = {"nodeNames": names, "rollingConfig": {"strategy": "RollingByPercent", "maxUnavailable": 50}}

    with pytest.raises(ApplicationError) as refused:
        file("reset_nodes", pool, body, operator, sandbox_connection)

    assert str(NO_ROLLING_ON_VM) in refused.value.message


def test_a_drain_empties_the_nodes_and_is_done_when_no_workload_is_left(
    seeded_sandbox, sandbox_connection, operator, approver
):
    pool, names = available_nodes(seeded_sandbox, "vision-train", 2)

    cr = approve(file("drain_nodes", pool, {"nodeNames": names}, operator, sandbox_connection), approver)

    assert cr.status == Status.IN_PROGRESS
    assert follow(cr).status == Status.SUCCEEDED
    assert "no workload runs" in cr.result_message


def test_more_than_ten_nodes_cannot_be_drained_in_one_request(seeded_sandbox, sandbox_connection, operator):
    pool, names = available_nodes(seeded_sandbox, "llm-pretrain", 11)

    with pytest.raises(ApplicationError) as refused:
        file("drain_nodes", pool, {"nodeNames": names}, operator, sandbox_connection)

    assert "at most 10 nodes" in refused.value.message


def test_a_locked_node_cannot_be_drained_or_deleted_until_unlocked(
    seeded_sandbox, sandbox_connection, operator, approver
):
    pool, names = available_nodes(seeded_sandbox, "infer-t4")

    lock = approve(file("lock_nodes", pool, {"nodeNames": names}, operator, sandbox_connection), approver)
    assert lock.status == Status.SUCCEEDED
    assert lock.body == {"nodeNames": names, "actions": ["delete"]}
    for kind, body, key in (
        ("drain_nodes", {"nodeNames": names}, "k-2"),
        ("delete_nodes", {"deleteNodeNames": names}, "k-3"),
    ):
        with pytest.raises(ApplicationError) as refused:
            file(kind, pool, body, operator, sandbox_connection, key=key)
        assert "unlock them first" in refused.value.message
    assert LOCKED_AGAINST_DELETION.format(names=names[0]) in str(
        change_kind("delete_nodes").problems(
            pool,
            {"deleteNodeNames": names},
            {
                "exists": True,
                "phase": "Running",
                "nodes_left_after": 5,
                "nodes": {names[0]: "Available"},
                "locks": {names[0]: ["delete"]},
            },
        )
    )

    unlock = approve(
        file("unlock_nodes", pool, {"nodeNames": names}, operator, sandbox_connection, "k-4"), approver
    )
    assert unlock.status == Status.SUCCEEDED
    assert "annotations" not in seeded_sandbox.nodes(PROJECT_ID, pool)[0]["metadata"]


def test_the_approver_sees_the_blast_radius_change_since_filing(seeded_sandbox, sandbox_connection, operator):
    pool, names = available_nodes(seeded_sandbox, "vision-train")
    cr = file("reboot_nodes", pool, {"nodeNames": names}, operator, sandbox_connection)
    filed = cr.snapshot["workloads"]
    call(seeded_sandbox, "POST", f"/pools/{pool}/nodes/batch-drain", json={"nodeNames": names})

    check = revalidate(cr)

    assert f"0 workloads now run on these nodes (was {filed} when filed)." in check.changes


def test_a_lost_reboot_answer_is_found_in_list_jobs_and_never_sent_again(
    seeded_sandbox, sandbox_connection, operator, approver, settings
):
    pool, names = available_nodes(seeded_sandbox, "vision-train")
    cr = file("reboot_nodes", pool, {"nodeNames": names}, operator, sandbox_connection)
    # The reboot arrives and is made, but its answer comes after the client has given up.
    seeded_sandbox.faults.latency(1000, count=1, operation="BatchRebootPoolNodes")
    usual = settings.MODELARTS_TIMEOUT_SECONDS, settings.MODELARTS_DEADLINE_SECONDS
    settings.MODELARTS_TIMEOUT_SECONDS, settings.MODELARTS_DEADLINE_SECONDS = 0.3, 0.6
    settings.MODELARTS_RETRIES = 0

    try:
        svc.change_request_approve(user=approver, change_request=cr)
    except ApplicationError:
        pass  # the approval page shows this as a message
    settings.MODELARTS_TIMEOUT_SECONDS, settings.MODELARTS_DEADLINE_SECONDS = usual  # following: no fault
    cr.refresh_from_db()
    assert cr.status == Status.UNKNOWN
    wait_until(
        lambda: (
            seeded_sandbox.nodes(PROJECT_ID, pool) and _phase(seeded_sandbox, pool, names[0]) == "Rebooting"
        ),
        what="the late reboot",
    )

    assert follow(cr).status == Status.IN_PROGRESS, cr.result_message
    seeded_sandbox.advance(seeded_sandbox.timings.reboot_seconds)
    assert follow(cr).status == Status.SUCCEEDED
    assert seeded_sandbox.calls("BatchRebootPoolNodes") == 1


def _phase(sandbox, pool, name):
    return next(
        node["status"]["phase"]
        for node in sandbox.nodes(PROJECT_ID, pool)
        if node["metadata"]["name"] == name
    )
