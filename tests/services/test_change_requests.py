"""Change requests: every transition and every refusal, execution and reconciliation, audit and mail."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from pools import audit
from pools.core.errors import ApplicationError
from pools.models import ChangeRequest
from pools.services import change_requests as svc
from tests.fixtures.approvals import CREATE_POOL, DELETE_NODES, DELETE_POOL, LIST_POOLS, create_body

pytestmark = pytest.mark.django_db
Status = ChangeRequest.Status


def actions_of(change_request):
    entries = LogEntry.objects.filter(object_id=str(change_request.pk)).order_by("pk")
    return [audit.parse_message(entry)["action"] for entry in entries]


def entry_for(change_request, action):
    entries = LogEntry.objects.filter(object_id=str(change_request.pk)).order_by("pk")
    found = [audit.parse_message(e) for e in entries if audit.parse_message(e)["action"] == action]
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


@pytest.fixture
def pool(cloud):
    return cloud.add_pool("pool-demo", nodes=3)


# --- requesting ----------------------------------------------------------------------------------------------


def test_request_is_pending_snapshotted_audited_and_mailed_to_approvers(
    operator, approver, second_approver, administrator, viewer, cloud, cloud_connection, pool
):
    cr = request_delete_pool(operator, cloud_connection, pool)

    assert cr.status == Status.PENDING
    assert cr.requested_by == operator and cr.approvals_required == 1
    assert cr.snapshot["exists"] is True and cr.snapshot["phase"] == "Running"
    assert cr.expires_at > timezone.now() + timedelta(hours=71)
    created = entry_for(cr, "change_request.create")
    assert created["details"]["pool_name"] == pool and created["details"]["reason"] == "Team disbanded"
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted([approver.email, second_approver.email, administrator.email])
    assert all(f"#{cr.pk}" in message.subject for message in mail.outbox)
    assert cloud.calls[DELETE_POOL] == 0


def test_a_request_is_refused_when_its_connection_is_deleted_while_it_is_being_filed(
    operator, administrator, cloud_connection, pool, monkeypatch
):
    from pools.core.clients import CONNECTION_DELETED
    from pools.models import Connection
    from pools.services.connections import connection_delete

    reading = svc.live_state

    def live_state_then_the_connection_goes(**arguments):
        snapshot = reading(**arguments)
        connection_delete(connection=cloud_connection, user=administrator)
        return snapshot

    monkeypatch.setattr(svc, "live_state", live_state_then_the_connection_goes)
    with pytest.raises(ApplicationError) as caught:
        request_delete_pool(operator, cloud_connection, pool)

    assert caught.value.message == CONNECTION_DELETED.format(name=cloud_connection.name)
    assert not ChangeRequest.objects.exists()
    assert not Connection.objects.filter(pk=cloud_connection.pk).exists(), "nothing referred to it: gone"


def test_approvers_without_email_or_inactive_get_no_mail(operator, approver, cloud_connection, pool):
    approver.email = ""
    approver.save()
    request_delete_pool(operator, cloud_connection, pool)
    assert mail.outbox == []


def test_same_idempotency_key_returns_the_first_request(operator, cloud, cloud_connection, pool):
    first = request_delete_pool(operator, cloud_connection, pool, key="form-1")
    again = request_delete_pool(operator, cloud_connection, pool, key="form-1", reason="another reason")
    other = request_delete_pool(operator, cloud_connection, cloud.add_pool("pool-other"), key="form-2")

    assert again.pk == first.pk and again.reason == "Team disbanded"
    assert other.pk != first.pk
    assert ChangeRequest.objects.count() == 2
    assert actions_of(first) == ["change_request.create"]


def test_a_second_open_request_for_the_same_change_is_refused(
    operator, administrator, approver, cloud, cloud_connection, pool
):
    """The incident: the same pool's deletion was filed twice, and the second ended Failed after the first."""
    first = request_delete_pool(operator, cloud_connection, pool, key="form-1")

    for requester, key in ((operator, "form-2"), (administrator, "form-3")):
        with pytest.raises(svc.OpenRequestExists, match=f"Change request #{first.pk} already asks for this"):
            request_delete_pool(requester, cloud_connection, pool, key=key)
    node = cloud.node_names(pool)[0]
    nodes = request_delete_nodes(operator, cloud_connection, pool, [node])  # another kind of change: fine
    with pytest.raises(svc.OpenRequestExists):
        request_delete_nodes(operator, cloud_connection, pool, [cloud.node_names(pool)[1]], key="k-more")
    assert ChangeRequest.objects.count() == 2

    # Once the first is decided, the change may be asked for again.
    svc.change_request_reject(user=approver, change_request=first, comment="not yet")
    again = request_delete_pool(operator, cloud_connection, pool, key="form-4")
    assert again.pk not in (first.pk, nodes.pk)


@pytest.mark.parametrize("role", ["viewer", "approver", "nobody"])
def test_only_requesters_may_request(request, role, cloud_connection, pool):
    user = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied, match=svc.CANNOT_REQUEST):
        request_delete_pool(user, cloud_connection, pool)
    assert not ChangeRequest.objects.exists()


@pytest.mark.parametrize(
    ("kind", "target", "body", "field", "message"),
    [
        ("resize_pool", "x", None, "kind", svc.UNKNOWN_KIND),
        ("delete_pool", "  ", None, "target", svc.TARGET_REQUIRED),
        ("delete_pool", "../etc", None, "target", svc.BAD_POOL_ID),
        ("delete_pool", "pool-x", {"force": True}, "body", svc.DELETE_POOL_TAKES_NO_BODY),
        ("delete_nodes", "pool-x", {"deleteNodeNames": []}, "body", "Nodes to delete must be"),
        ("delete_nodes", "pool-x", {"nodes": ["a"]}, "body", "Nodes to delete must be"),
        ("delete_nodes", "pool-x", ["a"], "body", "Nodes to delete must be"),
        ("create_pool", "pool-new", {"kind": "Pool"}, "body", "The CreatePool body is invalid"),
        ("create_pool", "pool-new", create_body("other-name"), "body", "must be the pool name"),
        ("create_pool", "bad name!", create_body("bad name!"), "target", svc.BAD_DISPLAY_NAME),
    ],
)
def test_bad_input_is_a_field_error(operator, cloud, cloud_connection, kind, target, body, field, message):
    with pytest.raises(ApplicationError, match=message.replace("(", r"\(").replace(")", r"\)")) as caught:
        svc.change_request_create(
            user=operator,
            connection=cloud_connection,
            kind=kind,
            target=target,
            body=body,
            reason="because",
            idempotency_key="k",
        )
    assert caught.value.field == field
    assert not ChangeRequest.objects.exists()


def test_reason_is_required(operator, cloud_connection, pool):
    with pytest.raises(ApplicationError, match=svc.REASON_REQUIRED) as caught:
        request_delete_pool(operator, cloud_connection, pool, reason="   ")
    assert caught.value.field == "reason"


def test_idempotency_key_is_required(operator, cloud_connection, pool):
    with pytest.raises(ApplicationError) as caught:
        request_delete_pool(operator, cloud_connection, pool, key="")
    assert caught.value.field == "idempotency_key"


def test_request_against_live_state_that_forbids_it_is_refused(operator, cloud, cloud_connection, pool):
    with pytest.raises(ApplicationError, match="no longer exists") as caught:
        request_delete_pool(operator, cloud_connection, "pool-gone-0000")
    assert caught.value.field == "target"

    nodes = cloud.node_names(pool)
    with pytest.raises(ApplicationError, match="at least one must remain"):
        request_delete_nodes(operator, cloud_connection, pool, nodes)
    with pytest.raises(ApplicationError, match="no longer in the pool: os-node-nope"):
        request_delete_nodes(operator, cloud_connection, pool, ["os-node-nope"])

    cloud.add_pool("pool-vision")
    with pytest.raises(ApplicationError, match="already exists"):
        request_create(operator, cloud_connection, name="pool-vision")
    assert not ChangeRequest.objects.exists()


def test_a_second_open_request_for_the_same_new_pool_is_refused_in_its_workspace_only(
    operator, cloud, cloud_connection
):
    first = request_create(operator, cloud_connection, name="pool-vision", key="a")
    with pytest.raises(svc.OpenRequestExists, match=f"Change request #{first.pk} already asks for this"):
        request_create(operator, cloud_connection, name="pool-vision", key="b")

    elsewhere = create_body("pool-vision")
    elsewhere["metadata"]["labels"]["os.modelarts/workspace.id"] = "ws-other"
    other = svc.change_request_create(
        user=operator,
        connection=cloud_connection,
        kind="create_pool",
        target="pool-vision",
        body=elsewhere,
        reason="Another workspace",
        idempotency_key="c",
    )
    assert other.pk != first.pk


def test_a_pending_request_past_its_expiry_does_not_block_a_new_one(operator, cloud_connection, pool):
    old = request_delete_pool(operator, cloud_connection, pool, key="old")
    ChangeRequest.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    new = request_delete_pool(operator, cloud_connection, pool, key="new")
    assert new.pk != old.pk and new.status == Status.PENDING


def test_a_failed_pool_can_be_requested_for_deletion_and_deleted(operator, approver, cloud, cloud_connection):
    """The incident: "Request deletion…" on an Error pool was refused ("is Error, not Running")."""
    cloud.sandbox.faults.fail_next_creates(1)
    failed = cloud.add_pool("pool-broken")
    assert cloud.phase(failed) == "Error"

    cr = request_delete_pool(operator, cloud_connection, failed)
    svc.change_request_approve(user=approver, change_request=cr)

    cr.refresh_from_db()
    assert cr.snapshot["phase"] == "Error" and cr.status == Status.SUCCEEDED
    assert cloud.calls[DELETE_POOL] == 1 and cloud.phase(failed) == "Deleting"


def test_a_pool_already_being_deleted_cannot_be_requested_for_deletion(
    operator, cloud, cloud_connection, pool
):
    cloud.delete_pool_elsewhere(pool)
    with pytest.raises(ApplicationError, match=f"Pool {pool} is already being deleted."):
        request_delete_pool(operator, cloud_connection, pool)
    assert not ChangeRequest.objects.exists()


def test_upstream_failure_while_snapshotting_is_a_banner_not_a_crash(operator, cloud, cloud_connection, pool):
    cloud.fail_next("ShowPool", 500)
    with pytest.raises(ApplicationError) as caught:
        request_delete_pool(operator, cloud_connection, pool)
    assert caught.value.details["error_code"] == "ModelArts.50005000"
    assert caught.value.details["request_id"] == cloud.request_id("ShowPool")


# --- approving and executing ---------------------------------------------------------------------------------


def test_approval_executes_once_records_result_audits_and_mails(
    operator, approver, cloud, cloud_connection, pool
):
    cr = request_delete_pool(operator, cloud_connection, pool)
    mail.outbox.clear()

    svc.change_request_approve(user=approver, change_request=cr, comment="ok, confirmed with the team")

    cr.refresh_from_db()
    assert cr.status == Status.SUCCEEDED
    assert cloud.calls[DELETE_POOL] == 1 and cloud.phase(pool) == "Deleting"
    assert cr.result_request_id == cloud.request_id(DELETE_POOL) and cr.result_pool_name == pool
    assert cr.attempts == 1 and cr.result_http_status == 200
    assert cr.decided_by == approver and cr.approvals.get().comment == "ok, confirmed with the team"
    assert actions_of(cr) == [
        "change_request.create",
        "change_request.approve",
        "change_request.execute",
        "change_request.succeed",
    ]
    succeeded = entry_for(cr, "change_request.succeed")
    assert succeeded["request_id"] == cr.result_request_id and succeeded["details"]["pool_name"] == pool
    assert audit.verify_chain().ok
    subjects = [m.subject for m in mail.outbox]
    assert [m.to for m in mail.outbox] == [[operator.email], [operator.email]]
    assert subjects[0].startswith("[ModelArts Admin] Approved:") and subjects[1].startswith(
        "[ModelArts Admin] Done:"
    )


def test_requester_can_never_approve_own_request(administrator, cloud, cloud_connection, pool):
    cr = request_delete_pool(administrator, cloud_connection, pool)
    with pytest.raises(PermissionDenied, match="your own"):
        svc.change_request_approve(user=administrator, change_request=cr)
    with pytest.raises(PermissionDenied, match="your own"):
        svc.change_request_reject(user=administrator, change_request=cr, comment="no")
    cr.refresh_from_db()
    assert cr.status == Status.PENDING and not cr.approvals.exists()
    assert cloud.calls[DELETE_POOL] == 0


@pytest.mark.parametrize("role", ["operator", "viewer", "nobody"])
def test_only_approvers_decide(request, role, administrator, cloud_connection, pool):
    cr = request_delete_pool(administrator, cloud_connection, pool)
    user = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied, match=svc.CANNOT_DECIDE):
        svc.change_request_approve(user=user, change_request=cr)
    with pytest.raises(PermissionDenied, match=svc.CANNOT_DECIDE):
        svc.change_request_reject(user=user, change_request=cr, comment="no")
    assert ChangeRequest.objects.get().status == Status.PENDING


def test_two_approvals_needed_when_configured(
    settings, operator, approver, second_approver, cloud, cloud_connection, pool
):
    settings.APPROVALS_REQUIRED = {**settings.APPROVALS_REQUIRED, "delete_pool": 2}
    cr = request_delete_pool(operator, cloud_connection, pool)
    assert cr.approvals_required == 2

    svc.change_request_approve(user=approver, change_request=cr)
    assert ChangeRequest.objects.get().status == Status.PENDING
    with pytest.raises(ApplicationError, match=svc.ALREADY_APPROVED):
        svc.change_request_approve(user=approver, change_request=cr)
    assert cloud.calls[DELETE_POOL] == 0

    svc.change_request_approve(user=second_approver, change_request=cr)
    cr.refresh_from_db()
    assert cr.status == Status.SUCCEEDED and cr.approvals.count() == 2
    assert cloud.calls[DELETE_POOL] == 1


def test_second_approval_of_a_decided_request_is_refused(
    operator, approver, second_approver, cloud, cloud_connection, pool
):
    cr = request_delete_pool(operator, cloud_connection, pool)
    svc.change_request_approve(user=approver, change_request=cr)
    with pytest.raises(ApplicationError, match="is succeeded; only a pending request can be approved"):
        svc.change_request_approve(user=second_approver, change_request=cr)
    with pytest.raises(ApplicationError, match="only a pending request can be rejected"):
        svc.change_request_reject(user=second_approver, change_request=cr, comment="too late")
    assert cloud.calls[DELETE_POOL] == 1


def test_rejection_ends_the_request(operator, approver, second_approver, cloud, cloud_connection, pool):
    cr = request_delete_pool(operator, cloud_connection, pool)
    mail.outbox.clear()
    with pytest.raises(ApplicationError, match=svc.REJECT_COMMENT_REQUIRED):
        svc.change_request_reject(user=approver, change_request=cr, comment="  ")

    svc.change_request_reject(user=approver, change_request=cr, comment="Jobs still run there")

    cr.refresh_from_db()
    assert cr.status == Status.REJECTED and cr.decision_comment == "Jobs still run there"
    with pytest.raises(ApplicationError, match="is rejected; only a pending request can be approved"):
        svc.change_request_approve(user=second_approver, change_request=cr)
    assert cloud.calls[DELETE_POOL] == 0
    assert entry_for(cr, "change_request.reject")["details"]["comment"] == "Jobs still run there"
    assert [m.to for m in mail.outbox] == [[operator.email]] and "Rejected" in mail.outbox[0].subject


def test_cancel_only_own_pending_request(operator, approver, administrator, cloud, cloud_connection, pool):
    cr = request_delete_pool(operator, cloud_connection, pool)
    with pytest.raises(PermissionDenied, match=svc.CANCEL_NOT_OWN):
        svc.change_request_cancel(user=administrator, change_request=cr)
    with pytest.raises(PermissionDenied, match=svc.CANNOT_REQUEST):
        svc.change_request_cancel(user=approver, change_request=cr)

    svc.change_request_cancel(user=operator, change_request=cr)
    assert ChangeRequest.objects.get().status == Status.CANCELLED
    assert actions_of(cr)[-1] == "change_request.cancel"
    with pytest.raises(ApplicationError, match="is cancelled"):
        svc.change_request_cancel(user=operator, change_request=cr)
    with pytest.raises(ApplicationError, match="is cancelled"):
        svc.change_request_approve(user=approver, change_request=cr)


def test_cancel_after_approval_is_refused(operator, approver, cloud_connection, pool):
    cr = request_delete_pool(operator, cloud_connection, pool)
    svc.change_request_approve(user=approver, change_request=cr)
    with pytest.raises(ApplicationError, match="only a pending request can be cancelled"):
        svc.change_request_cancel(user=operator, change_request=cr)


def test_expired_request_cannot_be_approved_and_is_audited(operator, approver, cloud, cloud_connection, pool):
    cr = request_delete_pool(operator, cloud_connection, pool)
    ChangeRequest.objects.filter(pk=cr.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    mail.outbox.clear()

    with pytest.raises(ApplicationError, match=f"Change request #{cr.pk} expired on"):
        svc.change_request_approve(user=approver, change_request=cr)

    cr.refresh_from_db()
    assert cr.status == Status.EXPIRED and cloud.calls[DELETE_POOL] == 0
    assert actions_of(cr) == ["change_request.create", "change_request.expire"]
    assert [m.to for m in mail.outbox] == [[operator.email]] and "Expired" in mail.outbox[0].subject


def test_a_request_the_live_state_no_longer_allows_is_not_approved(
    operator, approver, cloud, cloud_connection, pool
):
    cr = request_delete_pool(operator, cloud_connection, pool)
    cloud.delete_pool_elsewhere(pool)  # someone deleted it in the console meanwhile

    with pytest.raises(ApplicationError, match="Not approved: the live state no longer allows this change"):
        svc.change_request_approve(user=approver, change_request=cr)

    cr.refresh_from_db()
    assert cr.status == Status.PENDING and not cr.approvals.exists()
    assert cloud.calls[DELETE_POOL] == 0
    svc.change_request_cancel(user=operator, change_request=cr)  # what is left to do with it
    assert ChangeRequest.objects.get(pk=cr.pk).status == Status.CANCELLED


def test_stale_state_at_execution_fails_without_calling_the_api(
    operator, approver, cloud, cloud_connection, pool
):
    cr = request_delete_pool(operator, cloud_connection, pool)
    ChangeRequest.objects.filter(pk=cr.pk).update(status=Status.APPROVED)  # approved; a crash left it
    cloud.delete_pool_elsewhere(pool)  # someone deleted it in the console meanwhile

    svc.change_request_execute(user=approver, change_request=cr)

    cr.refresh_from_db()
    assert cr.status == Status.FAILED
    assert cr.result_message.startswith("Not executed: the live state no longer allows this change.")
    assert f"Pool {pool} is already being deleted." in cr.result_message
    assert cloud.calls[DELETE_POOL] == 0
    assert entry_for(cr, "change_request.fail")["details"]["revalidation"] == [
        f"Pool {pool} is already being deleted."
    ]


def test_delete_nodes_revalidates_nodes_and_the_last_one(operator, approver, cloud, cloud_connection):
    pool = cloud.add_pool("pool-nodes", nodes=3)
    first, second, third = cloud.node_names(pool)
    cr = request_delete_nodes(operator, cloud_connection, pool, [first, second])
    cloud.delete_nodes_elsewhere(pool, [third])  # someone else is removing the other node

    with pytest.raises(ApplicationError, match="at least one must remain"):
        svc.change_request_approve(user=approver, change_request=cr)

    ChangeRequest.objects.filter(pk=cr.pk).update(status=Status.APPROVED)  # as if approved just before
    svc.change_request_execute(user=approver, change_request=cr)
    cr.refresh_from_db()
    assert cr.status == Status.FAILED and "at least one must remain" in cr.result_message
    assert cloud.calls[DELETE_NODES] == 0


def test_delete_nodes_executes_with_the_exact_body(operator, approver, cloud, cloud_connection):
    pool = cloud.add_pool("pool-nodes", nodes=3)
    first, _, _ = cloud.node_names(pool)
    cr = request_delete_nodes(operator, cloud_connection, pool, [first])

    svc.change_request_approve(user=approver, change_request=cr)

    cr.refresh_from_db()
    assert cr.status == Status.SUCCEEDED and cr.result_request_id == cloud.request_id(DELETE_NODES)
    assert cloud.calls[DELETE_NODES] == 1 and cloud.node_phase(pool, first) == "Deleting"
    assert entry_for(cr, "change_request.succeed")["details"]["node_names"] == [first]


def test_upstream_error_is_recorded_and_retry_runs_again(
    operator, approver, second_approver, cloud, cloud_connection, pool
):
    cr = request_delete_pool(operator, cloud_connection, pool)
    cloud.fail_next(DELETE_POOL, 500)

    svc.change_request_approve(user=approver, change_request=cr)
    cr.refresh_from_db()
    assert cr.status == Status.FAILED
    failed_request_id = cloud.request_id(DELETE_POOL)
    assert (cr.result_http_status, cr.result_error_code, cr.result_error_msg, cr.result_request_id) == (
        500,
        "ModelArts.50005000",
        "internal error",
        failed_request_id,
    )
    assert entry_for(cr, "change_request.fail")["request_id"] == failed_request_id

    with pytest.raises(PermissionDenied):
        svc.change_request_retry(user=operator, change_request=cr)
    svc.change_request_retry(user=second_approver, change_request=cr)

    cr.refresh_from_db()
    assert cr.status == Status.SUCCEEDED and cr.attempts == 2 and cr.result_error_code == ""
    assert cloud.calls[DELETE_POOL] == 2
    assert actions_of(cr)[-2:] == ["change_request.retry", "change_request.succeed"]


@pytest.mark.parametrize("status", [Status.PENDING, Status.SUCCEEDED, Status.REJECTED, Status.EXECUTING])
def test_retry_of_a_request_that_did_not_fail_is_refused(
    status, operator, approver, cloud, cloud_connection, pool
):
    cr = request_delete_pool(operator, cloud_connection, pool)
    ChangeRequest.objects.filter(pk=cr.pk).update(status=status)
    with pytest.raises(ApplicationError, match="only a failed request, or one whose outcome is unknown, can"):
        svc.change_request_retry(user=approver, change_request=cr)
    assert cloud.calls[DELETE_POOL] == 0


@pytest.mark.parametrize("status", [Status.FAILED, Status.UNKNOWN, Status.APPROVED])
def test_nothing_is_run_again_past_the_requests_expiry(
    status, operator, approver, cloud, cloud_connection, pool
):
    cr = request_delete_pool(operator, cloud_connection, pool)
    ChangeRequest.objects.filter(pk=cr.pk).update(
        status=status, attempts=1, expires_at=timezone.now() - timedelta(days=300)
    )
    run = svc.change_request_execute if status == Status.APPROVED else svc.change_request_retry

    with pytest.raises(ApplicationError, match=f"Change request #{cr.pk} expired on .*can no longer be run"):
        run(user=approver, change_request=cr)

    assert ChangeRequest.objects.get(pk=cr.pk).status == status
    assert cloud.calls[DELETE_POOL] == 0 and cloud.calls["ShowPool"] == 1  # only the snapshot when filed


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


def test_execute_needs_an_approved_request(operator, approver, cloud, cloud_connection, pool):
    cr = request_delete_pool(operator, cloud_connection, pool)
    with pytest.raises(ApplicationError, match="only an approved request can be executed"):
        svc.change_request_execute(user=approver, change_request=cr)
    with pytest.raises(PermissionDenied):
        svc.change_request_execute(user=operator, change_request=cr)
    assert cloud.calls[DELETE_POOL] == 0


# --- lost answers --------------------------------------------------------------------------------------------


def test_create_whose_slow_answer_was_lost_is_settled_by_query_never_by_a_second_post(
    operator, approver, cloud, cloud_connection, impatient_client
):
    cr = request_create(operator, cloud_connection)
    cloud.lose_next_answer(CREATE_POOL, applied=True)

    svc.change_request_approve(user=approver, change_request=cr)

    cr.refresh_from_db()
    assert cr.status == Status.UNKNOWN and cr.outcome_unknown  # nothing to be seen yet when it looked
    assert (
        "no answer within" in cr.result_error_msg and "shows no sign of the change yet" in cr.result_message
    )
    assert entry_for(cr, "change_request.reconcile")["details"]["found"] is False
    assert actions_of(cr)[-1] == "change_request.outcome_unknown"

    cloud.wait_for_call(CREATE_POOL)  # the slow server carries it out after all
    svc.change_request_retry(user=approver, change_request=cr)

    cr.refresh_from_db()
    assert cr.status == Status.SUCCEEDED and not cr.outcome_unknown
    assert cr.result_pool_name == cloud.pools_named("pool-vision")[0]
    assert "checked after a retry of a lost answer" in cr.result_message
    assert cloud.calls[CREATE_POOL] == 1
    assert entry_for(cr, "change_request.reconcile")["details"]["found"] is True


def test_create_whose_connection_dropped_is_posted_again_only_after_the_grace_and_a_check(
    operator, approver, cloud, cloud_connection
):
    cr = request_create(operator, cloud_connection)
    cloud.lose_next_answer(CREATE_POOL, applied=False)

    svc.change_request_approve(user=approver, change_request=cr)

    cr.refresh_from_db()
    assert cr.status == Status.UNKNOWN and cr.outcome_unknown
    assert cloud.calls[CREATE_POOL] == 1 and cloud.pools_named("pool-vision") == []
    with pytest.raises(ApplicationError, match="Nothing was sent: ModelArts shows no sign"):
        svc.change_request_retry(user=approver, change_request=cr)
    assert cloud.calls[CREATE_POOL] == 1 and ChangeRequest.objects.get(pk=cr.pk).status == Status.UNKNOWN

    sent_long_ago(cr)
    lists_before_retry = cloud.calls[LIST_POOLS]
    svc.change_request_retry(user=approver, change_request=cr)

    cr.refresh_from_db()
    assert cr.status == Status.SUCCEEDED and cr.result_request_id == cloud.request_id(CREATE_POOL)
    assert cloud.calls[CREATE_POOL] == 2 and len(cloud.pools_named("pool-vision")) == 1
    assert cloud.calls[LIST_POOLS] >= lists_before_retry + 1  # looked before posting again


def test_an_immediate_retry_after_a_lost_create_never_sends_it_again(
    operator, approver, second_approver, cloud, cloud_connection, impatient_client
):
    """The incident: the approval's CreatePool timed out, a retry right after sent it a second time."""
    cr = request_create(operator, cloud_connection)
    # The client gives up after 0.5 s; the sandbox creates the pool only 4 s after the call arrived.
    cloud.sandbox.faults.latency(4000, count=1, operation=CREATE_POOL)

    svc.change_request_approve(user=approver, change_request=cr)

    cr.refresh_from_db()
    assert cr.status == Status.UNKNOWN and cr.get_status_display() == "Outcome unknown"
    for retrying in (approver, second_approver, approver):
        with pytest.raises(ApplicationError, match="Nothing was sent: ModelArts shows no sign"):
            svc.change_request_retry(user=retrying, change_request=cr)
    assert ChangeRequest.objects.get(pk=cr.pk).status == Status.UNKNOWN

    cloud.wait_for_call(CREATE_POOL)  # the first call lands after all
    assert cloud.calls[CREATE_POOL] == 1 and len(cloud.pools_named("pool-vision")) == 1
    # The scheduled job (or the next retry) sees it and settles the request without sending anything.
    assert svc.process_change_requests().reconciled == {cr.pk: Status.SUCCEEDED}
    assert cloud.calls[CREATE_POOL] == 1


def test_a_failed_request_whose_recent_answer_was_lost_is_not_sent_again_either(
    operator, approver, cloud, cloud_connection
):
    """Requests recorded before "outcome unknown" existed: failed, outcome unknown, the call a moment ago."""
    cr = request_create(operator, cloud_connection)
    cloud.lose_next_answer(CREATE_POOL, applied=False)
    svc.change_request_approve(user=approver, change_request=cr)
    ChangeRequest.objects.filter(pk=cr.pk).update(status=Status.FAILED)

    with pytest.raises(ApplicationError, match="Nothing was sent"):
        svc.change_request_retry(user=approver, change_request=cr)

    assert cloud.calls[CREATE_POOL] == 1 and ChangeRequest.objects.get(pk=cr.pk).status == Status.FAILED


def test_delete_pool_whose_answer_was_lost_is_settled_by_show_pool(
    operator, approver, cloud, cloud_connection, impatient_client
):
    pool = cloud.add_pool("pool-slow")
    cr = request_delete_pool(operator, cloud_connection, pool)
    cloud.lose_next_answer(DELETE_POOL, applied=True)

    svc.change_request_approve(user=approver, change_request=cr)
    assert ChangeRequest.objects.get(pk=cr.pk).status == Status.UNKNOWN

    cloud.wait_for_call(DELETE_POOL)
    assert svc.process_change_requests().reconciled == {cr.pk: Status.SUCCEEDED}
    assert cloud.calls[DELETE_POOL] == 1 and cloud.phase(pool) == "Deleting"


def test_lost_answer_when_the_check_also_fails_stays_unknown(
    operator, approver, cloud, cloud_connection, impatient_client, monkeypatch
):
    from pools.modelarts.client import ModelArtsClient

    cr = request_create(operator, cloud_connection)
    cloud.lose_next_answer(CREATE_POOL, applied=True)
    real_create = ModelArtsClient.create_pool

    def create_then_listing_breaks(self, body):
        try:
            return real_create(self, body)
        finally:
            cloud.fail_next(LIST_POOLS, 503)

    monkeypatch.setattr(ModelArtsClient, "create_pool", create_then_listing_breaks)
    svc.change_request_approve(user=approver, change_request=cr)

    cr.refresh_from_db()
    assert cr.status == Status.UNKNOWN and cr.outcome_unknown
    assert "could not be checked yet" in cr.result_message
    monkeypatch.undo()
    cloud.wait_for_call(CREATE_POOL)
    svc.change_request_retry(user=approver, change_request=cr)
    cr.refresh_from_db()
    assert cr.status == Status.SUCCEEDED and cloud.calls[CREATE_POOL] == 1


# --- comments ------------------------------------------------------------------------------------------------


def test_comments_by_requester_and_approver_are_audited(operator, approver, viewer, cloud_connection, pool):
    cr = request_delete_pool(operator, cloud_connection, pool)
    svc.change_request_comment(user=approver, change_request=cr, text="Is the data backed up?")
    svc.change_request_comment(user=operator, change_request=cr, text="Yes, in OBS.")
    assert [c.text for c in cr.comments.all()] == ["Is the data backed up?", "Yes, in OBS."]
    assert actions_of(cr).count("change_request.comment") == 2
    with pytest.raises(PermissionDenied):
        svc.change_request_comment(user=viewer, change_request=cr, text="me too")
    with pytest.raises(ApplicationError, match=svc.COMMENT_REQUIRED):
        svc.change_request_comment(user=approver, change_request=cr, text="  ")


# --- the periodic job ----------------------------------------------------------------------------------------


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


def sent_long_ago(cr, seconds=601):
    """As if the last call went out ``seconds`` ago (past the default grace of 600 s)."""
    ChangeRequest.objects.filter(pk=cr.pk).update(
        execution_started_at=timezone.now() - timedelta(seconds=seconds)
    )


def _stuck_executing(cr, minutes_ago=30):
    ChangeRequest.objects.filter(pk=cr.pk).update(
        status=Status.EXECUTING,
        attempts=1,
        execution_started_at=timezone.now() - timedelta(minutes=minutes_ago),
    )


def test_process_reconciles_a_create_left_executing(operator, cloud, cloud_connection):
    found = request_create(operator, cloud_connection, name="pool-made", key="a")
    missing = request_create(operator, cloud_connection, name="pool-lost", key="b")
    fresh = request_create(operator, cloud_connection, name="pool-fresh", key="c")
    _stuck_executing(found)
    _stuck_executing(missing)
    _stuck_executing(fresh, minutes_ago=1)
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
        _stuck_executing(cr)
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
    _stuck_executing(cr)
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


def test_a_connection_the_client_refuses_is_a_clear_failure_not_a_crash(
    operator, approver, cloud, cloud_connection, pool
):
    cr = request_delete_pool(operator, cloud_connection, pool)
    cloud_connection.project_id = ""
    cloud_connection.save()

    with pytest.raises(ApplicationError, match="Connection sandbox cannot be used: a project id is needed"):
        request_create(operator, cloud_connection, key="another")
    svc.change_request_approve(user=approver, change_request=cr)

    cr.refresh_from_db()
    assert cr.status == Status.FAILED and not cr.outcome_unknown
    assert cr.result_message == "Not executed: Connection sandbox cannot be used: a project id is needed."
    assert cloud.calls[DELETE_POOL] == 0


def test_an_unreadable_answer_to_a_create_is_checked_not_trusted(operator, approver, cloud, cloud_connection):
    cr = request_create(operator, cloud_connection)
    cloud.sandbox.faults.malformed(count=1, operation=CREATE_POOL)

    svc.change_request_approve(user=approver, change_request=cr)

    cr.refresh_from_db()
    assert cr.status == Status.UNKNOWN and cr.outcome_unknown  # the sandbox's garbled answer applied nothing
    assert entry_for(cr, "change_request.reconcile")["details"]["found"] is False
    assert cloud.calls[CREATE_POOL] == 1


def test_an_unreadable_answer_to_a_node_deletion_is_checked_not_trusted(
    operator, approver, cloud, cloud_connection
):
    """A 2xx with a garbled body deleted nothing here: the request must not say Succeeded."""
    pool = cloud.add_pool("pool-nodes", nodes=3)
    first = cloud.node_names(pool)[0]
    cr = request_delete_nodes(operator, cloud_connection, pool, [first])
    cloud.sandbox.faults.malformed(count=1, operation=DELETE_NODES)

    svc.change_request_approve(user=approver, change_request=cr)

    cr.refresh_from_db()
    assert cr.status == Status.UNKNOWN and cr.outcome_unknown
    assert cloud.node_phase(pool, first) == "Available"
    assert entry_for(cr, "change_request.reconcile")["details"]["found"] is False
    assert cloud.calls[DELETE_NODES] == 1 and cloud.calls["ListPoolNodes"] >= 1


def test_a_delete_pool_whose_answer_was_lost_is_sent_once_even_with_client_retries(
    operator, approver, cloud, cloud_connection, settings
):
    """The client's own retries must not replay a DeletePool whose first attempt may have been carried out."""
    settings.MODELARTS_RETRIES = 2
    pool = cloud.add_pool("pool-dropped")
    cr = request_delete_pool(operator, cloud_connection, pool)
    cloud.lose_next_answer(DELETE_POOL, applied=False)  # the connection drops after the request was sent

    svc.change_request_approve(user=approver, change_request=cr)

    cr.refresh_from_db()
    assert cloud.calls[DELETE_POOL] == 1
    assert cr.status == Status.UNKNOWN and cr.outcome_unknown and cloud.phase(pool) == "Running"
