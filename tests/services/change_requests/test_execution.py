"""Executing a change request: once, against the live state, and when the answer is lost, settled by looking
at ModelArts, never by sending it again blindly."""

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from pools.core.errors import ApplicationError
from pools.models import ChangeRequest
from pools.services import change_requests as svc
from tests.fixtures.approvals import CREATE_POOL, DELETE_NODES, DELETE_POOL, LIST_POOLS
from tests.services.change_requests.helpers import (
    actions_of,
    entry_for,
    request_create,
    request_delete_nodes,
    request_delete_pool,
    sent_long_ago,
)

pytestmark = pytest.mark.django_db
Status = ChangeRequest.Status


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


def test_a_refusal_run_in_chinese_is_stored_in_chinese_and_audited_in_english(
    operator, approver, cloud, cloud_connection, pool
):
    cr = request_delete_pool(operator, cloud_connection, pool)
    ChangeRequest.objects.filter(pk=cr.pk).update(status=Status.APPROVED)
    cloud.delete_pool_elsewhere(pool)

    with translation.override("zh-hans"):
        svc.change_request_execute(user=approver, change_request=cr)

    cr.refresh_from_db()
    assert cr.result_message == f"未执行：当前实际状态已不允许此变更。资源池 {pool} 已在删除中。"
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


def test_an_error_answer_run_in_chinese_is_stored_in_chinese(
    operator, approver, cloud, cloud_connection, pool
):
    cr = request_delete_pool(operator, cloud_connection, pool)
    cloud.fail_next(DELETE_POOL, 500)

    with translation.override("zh-hans"):
        svc.change_request_approve(user=approver, change_request=cr)

    cr.refresh_from_db()
    assert cr.status == Status.FAILED and cr.result_message == "ModelArts 服务器出错。"


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
