"""Scale, edit and tags through the whole change-request flow against the sandbox: filed (rules and live
checks), approved, the one call, in progress while ModelArts works, observed complete or failed; a lost
answer looked at, never resent; every step audited."""

import pytest

from pools.change_kinds import change_kind
from pools.change_kinds import scale_pool as scale_module
from pools.core.errors import ApplicationError
from pools.models import ChangeRequest
from pools.services import change_requests as svc
from pools.services.change_requests.housekeeping import process_change_requests
from tests.fixtures.sandbox import PROJECT_ID
from tests.services.change_requests.helpers import actions_of

pytestmark = pytest.mark.django_db
Status = ChangeRequest.Status
T4 = "modelarts.vm.gpu.t4u8"
V100 = "modelarts.vm.gpu.v100"


def file(user, connection, kind, target, body, key="k1"):
    return svc.change_request_create(
        user=user,
        connection=connection,
        kind=kind,
        target=target,
        body=body,
        reason="Needed",
        idempotency_key=key,
    )


def approved(cr, approver):
    svc.change_request_approve(user=approver, change_request=cr)
    cr.refresh_from_db()
    return cr


def scale_body(count, *extra):
    return {"spec": {"resources": [{"flavor": T4, "count": count}, *extra]}}


def test_a_scale_up_is_in_progress_until_its_order_and_nodes_are_done(
    operator, approver, cloud, cloud_connection, sandbox
):
    pool = cloud.add_pool("pool-scale", nodes=2)
    cr = approved(file(operator, cloud_connection, "scale_pool", pool, scale_body(4)), approver)

    assert cr.status == Status.IN_PROGRESS
    assert cr.tracking["order_name"]
    assert sandbox.calls("PatchPool") == 1
    assert sandbox.call_log("PatchPool")[0].method == "PATCH"
    process_change_requests()
    cr.refresh_from_db()
    assert cr.status == Status.IN_PROGRESS
    assert "processing" in cr.result_message and "2 being added" in cr.result_message

    sandbox.settle()
    process_change_requests()
    cr.refresh_from_db()
    assert cr.status == Status.SUCCEEDED
    assert "successed" in cr.result_message and "4 available" in cr.result_message
    assert len(sandbox.nodes(PROJECT_ID, pool)) == 4
    assert sandbox.calls("PatchPool") == 1
    assert actions_of(cr)[-1] == "change_request.succeed"


def test_a_scale_whose_new_nodes_fail_is_failed_with_the_orders_reason(
    operator, approver, cloud, cloud_connection, sandbox
):
    pool = cloud.add_pool("pool-scale", nodes=1)
    sandbox.faults.fail_next_scales()
    cr = approved(file(operator, cloud_connection, "scale_pool", pool, scale_body(3)), approver)
    sandbox.settle()
    process_change_requests()
    cr.refresh_from_db()
    assert cr.status == Status.FAILED
    assert "partialSuccessed" in cr.result_message and "insufficient resources" in cr.result_message


def test_a_scale_down_and_a_new_flavor_row(operator, approver, cloud, cloud_connection, sandbox):
    pool = cloud.add_pool("pool-scale", nodes=3)
    body = scale_body(1, {"flavor": V100, "count": 2, "azs": [{"az": "cn-north-4b", "count": 2}]})
    cr = file(operator, cloud_connection, "scale_pool", pool, body)
    description = change_kind("scale_pool").describe(cr)
    assert (description.method, description.content_type) == ("PATCH", "application/merge-patch+json")
    assert description.body == body
    assert f"{T4}: 3 → 1 node" in description.notes and scale_module.CHOSEN_BY_MODELARTS in description.notes
    approved(cr, approver)
    sandbox.settle()
    process_change_requests()
    cr.refresh_from_db()
    assert cr.status == Status.SUCCEEDED
    flavors = sorted(node["spec"]["flavor"] for node in sandbox.nodes(PROJECT_ID, pool))
    assert flavors == [T4, V100, V100]


def test_a_scale_is_refused_when_it_changes_nothing_or_while_the_pool_scales(
    operator, approver, cloud, cloud_connection, sandbox
):
    pool = cloud.add_pool("pool-scale", nodes=2)
    with pytest.raises(ApplicationError) as refused:
        file(operator, cloud_connection, "scale_pool", pool, scale_body(2))
    assert scale_module.NOTHING_TO_DO.format(pool=pool) in refused.value.message
    with pytest.raises(ApplicationError) as bad:
        file(
            operator,
            cloud_connection,
            "scale_pool",
            pool,
            {"spec": {"resources": [{"flavor": T4, "count": 0}]}},
        )
    assert bad.value.field == "body"
    approved(file(operator, cloud_connection, "scale_pool", pool, scale_body(3)), approver)
    with pytest.raises(ApplicationError) as busy:
        file(operator, cloud_connection, "scale_pool", pool, scale_body(5), key="k2")
    assert "still changing" in busy.value.message or "already asks" in busy.value.message


def test_a_lost_scale_answer_is_looked_at_and_followed_never_resent(
    operator, approver, cloud, cloud_connection, sandbox, impatient_client
):
    pool = cloud.add_pool("pool-scale", nodes=2)
    cr = file(operator, cloud_connection, "scale_pool", pool, scale_body(3))
    cloud.lose_next_answer("PatchPool", applied=True)
    approved(cr, approver)
    cloud.wait_for_call("PatchPool")
    assert cr.status in (Status.IN_PROGRESS, Status.UNKNOWN)
    sandbox.settle()
    process_change_requests()
    cr.refresh_from_db()
    assert cr.status == Status.SUCCEEDED
    assert sandbox.calls("PatchPool") == 1


def test_an_edit_applies_at_once_and_a_driver_change_is_followed(
    operator, approver, cloud, cloud_connection, sandbox
):
    pool = cloud.add_pool("pool-edit", nodes=1)
    described = approved(
        file(
            operator,
            cloud_connection,
            "edit_pool",
            pool,
            {
                "metadata": {"annotations": {"os.modelarts/description": "Inference"}},
                "spec": {"scope": ["Infer"]},
            },
        ),
        approver,
    )
    assert described.status == Status.SUCCEEDED
    shown = sandbox.pool(PROJECT_ID, pool)
    assert shown["metadata"]["annotations"]["os.modelarts/description"] == "Inference"
    assert shown["spec"]["scope"] == ["Infer"]

    driver = {"spec": {"driver": {"gpuVersion": "535.161.08", "updateStrategy": "force"}}}
    cr = file(operator, cloud_connection, "edit_pool", pool, driver, key="k2")
    assert any("force" in note for note in change_kind("edit_pool").describe(cr).notes)
    approved(cr, approver)
    assert cr.status == Status.IN_PROGRESS
    process_change_requests()
    cr.refresh_from_db()
    assert cr.status == Status.SUCCEEDED
    assert sandbox.pool(PROJECT_ID, pool)["spec"]["driver"]["gpuVersion"] == "535.161.08"


def test_a_bad_edit_is_a_field_error(operator, cloud, cloud_connection):
    pool = cloud.add_pool("pool-edit", nodes=1)
    for body in (
        {},
        {"spec": {"scope": ["Batch"]}},
        {"spec": {"driver": {"gpuVersion": "x"}}},
        {"labels": {}},
    ):
        with pytest.raises(ApplicationError) as refused:
            file(operator, cloud_connection, "edit_pool", pool, body)
        assert refused.value.field == "body", body
    with pytest.raises(ApplicationError) as refused:
        file(
            operator,
            cloud_connection,
            "edit_pool",
            pool,
            {"spec": {"driver": {"npuVersion": "23.0.6", "updateStrategy": "idle"}}},
        )
    assert "no NPU driver" in refused.value.message


def test_tags_are_removed_then_added_and_observed(operator, approver, cloud, cloud_connection, sandbox):
    pool = cloud.add_pool("pool-tags", nodes=1)
    sandbox.store.find(PROJECT_ID, pool).tags = {"old": "x", "team": "a"}
    body = {"add": {"team": "b", "cost": "cc-1"}, "remove": ["old"]}
    cr = file(operator, cloud_connection, "pool_tags", pool, body)
    description = change_kind("pool_tags").describe(cr)
    assert (description.method, description.path) == (
        "DELETE",
        f"/v1/{{project_id}}/pools/{pool}/tags/delete",
    )
    assert description.body == {"tags": [{"key": "old"}]}
    assert "tags/create" in description.notes[0]
    approved(cr, approver)
    assert cr.status == Status.SUCCEEDED
    assert sandbox.store.find(PROJECT_ID, pool).tags == {"team": "b", "cost": "cc-1"}
    assert [call.operation for call in sandbox.call_log() if "Tags" in call.operation][-2:] == [
        "BatchDeletePoolTags",
        "BatchCreatePoolTags",
    ]


def test_tags_over_the_limit_are_refused_before_filing(operator, cloud, cloud_connection, sandbox):
    pool = cloud.add_pool("pool-tags", nodes=1)
    sandbox.store.find(PROJECT_ID, pool).tags = {f"k{n}": "v" for n in range(20)}
    with pytest.raises(ApplicationError) as refused:
        file(operator, cloud_connection, "pool_tags", pool, {"add": {"new": "1"}, "remove": []})
    assert "at most 20 tags" in refused.value.message
    with pytest.raises(ApplicationError) as bad:
        file(operator, cloud_connection, "pool_tags", pool, {"add": {"_sys_x": "1"}, "remove": []})
    assert bad.value.field == "body"


def test_a_lost_tags_answer_is_settled_by_reading_the_tags(
    operator, approver, cloud, cloud_connection, sandbox, impatient_client
):
    pool = cloud.add_pool("pool-tags", nodes=1)
    cr = file(operator, cloud_connection, "pool_tags", pool, {"add": {"team": "c"}, "remove": []})
    cloud.lose_next_answer("BatchCreatePoolTags", applied=True)
    approved(cr, approver)
    cloud.wait_for_call("BatchCreatePoolTags")
    process_change_requests()
    cr.refresh_from_db()
    assert cr.status == Status.SUCCEEDED
    assert sandbox.calls("BatchCreatePoolTags") == 1
