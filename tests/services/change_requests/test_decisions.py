"""Change-request decisions: filing, approving, rejecting, cancelling, commenting, running (again): every
refusal, audit entry and mail."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from pools import audit
from pools.core.errors import ApplicationError
from pools.models import ChangeRequest
from pools.services import change_requests as svc
from pools.services.change_requests import decisions, messages
from tests.fixtures.approvals import DELETE_POOL, create_body
from tests.services.change_requests.helpers import (
    actions_of,
    entry_for,
    request_create,
    request_delete_nodes,
    request_delete_pool,
)

pytestmark = pytest.mark.django_db
Status = ChangeRequest.Status


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

    reading = decisions.live_state

    def live_state_then_the_connection_goes(**arguments):
        snapshot = reading(**arguments)
        connection_delete(connection=cloud_connection, user=administrator)
        return snapshot

    monkeypatch.setattr(decisions, "live_state", live_state_then_the_connection_goes)
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
    again = request_delete_pool(operator, cloud_connection, pool, key="form-1")
    other = request_delete_pool(operator, cloud_connection, cloud.add_pool("pool-other"), key="form-2")

    assert again.pk == first.pk and again.reason == "Team disbanded"
    assert other.pk != first.pk
    assert ChangeRequest.objects.count() == 2
    assert actions_of(first) == ["change_request.create"]


def test_a_key_that_filed_other_values_is_refused_not_answered_with_the_old_request(
    operator, cloud, cloud_connection, pool
):
    """Back, edit, send: the same key with another reason, or another pool, must not quietly return the
    request the first values filed (the person would believe the new values were filed)."""
    first = request_delete_pool(operator, cloud_connection, pool, key="form-1")
    for changed in (
        lambda: request_delete_pool(operator, cloud_connection, pool, key="form-1", reason="another reason"),
        lambda: request_delete_pool(operator, cloud_connection, cloud.add_pool("pool-other"), key="form-1"),
    ):
        with pytest.raises(svc.SubmissionReused) as caught:
            changed()
        assert caught.value.existing == first and f"#{first.pk}" in caught.value.message
    assert ChangeRequest.objects.count() == 1
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
    with pytest.raises(PermissionDenied, match=str(messages.CANNOT_REQUEST)):
        request_delete_pool(user, cloud_connection, pool)
    assert not ChangeRequest.objects.exists()


@pytest.mark.parametrize(
    ("kind", "target", "body", "field", "message"),
    [
        ("resize_pool", "x", None, "kind", messages.UNKNOWN_KIND),
        ("delete_pool", "  ", None, "target", messages.TARGET_REQUIRED),
        ("delete_pool", "../etc", None, "target", messages.BAD_POOL_ID),
        ("delete_pool", "pool-x", {"force": True}, "body", messages.DELETE_POOL_TAKES_NO_BODY),
        ("delete_nodes", "pool-x", {"deleteNodeNames": []}, "body", "Nodes to delete must be"),
        ("delete_nodes", "pool-x", {"nodes": ["a"]}, "body", "Nodes to delete must be"),
        ("delete_nodes", "pool-x", ["a"], "body", "Nodes to delete must be"),
        ("create_pool", "pool-new", {"kind": "Pool"}, "body", "The CreatePool body is invalid"),
        ("create_pool", "pool-new", create_body("other-name"), "body", "must be the pool name"),
        ("create_pool", "bad name!", create_body("bad name!"), "target", messages.BAD_DISPLAY_NAME),
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
    with pytest.raises(ApplicationError, match=str(messages.REASON_REQUIRED)) as caught:
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
    with pytest.raises(PermissionDenied, match=str(messages.CANNOT_DECIDE)):
        svc.change_request_approve(user=user, change_request=cr)
    with pytest.raises(PermissionDenied, match=str(messages.CANNOT_DECIDE)):
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
    with pytest.raises(ApplicationError, match=str(messages.ALREADY_APPROVED)):
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
    with pytest.raises(ApplicationError, match=str(messages.REJECT_COMMENT_REQUIRED)):
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
    with pytest.raises(PermissionDenied, match=str(messages.CANCEL_NOT_OWN)):
        svc.change_request_cancel(user=administrator, change_request=cr)
    with pytest.raises(PermissionDenied, match=str(messages.CANNOT_REQUEST)):
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


def test_execute_needs_an_approved_request(operator, approver, cloud, cloud_connection, pool):
    cr = request_delete_pool(operator, cloud_connection, pool)
    with pytest.raises(ApplicationError, match="only an approved request can be executed"):
        svc.change_request_execute(user=approver, change_request=cr)
    with pytest.raises(PermissionDenied):
        svc.change_request_execute(user=operator, change_request=cr)
    assert cloud.calls[DELETE_POOL] == 0


def test_comments_by_requester_and_approver_are_audited(operator, approver, viewer, cloud_connection, pool):
    cr = request_delete_pool(operator, cloud_connection, pool)
    svc.change_request_comment(user=approver, change_request=cr, text="Is the data backed up?")
    svc.change_request_comment(user=operator, change_request=cr, text="Yes, in OBS.")
    assert [c.text for c in cr.comments.all()] == ["Is the data backed up?", "Yes, in OBS."]
    assert actions_of(cr).count("change_request.comment") == 2
    with pytest.raises(PermissionDenied):
        svc.change_request_comment(user=viewer, change_request=cr, text="me too")
    with pytest.raises(ApplicationError, match=str(messages.COMMENT_REQUIRED)):
        svc.change_request_comment(user=approver, change_request=cr, text="  ")
