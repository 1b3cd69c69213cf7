"""Faults for the change operations: every new operation can be made to fail by name, and ``fail_scale`` makes
a scale-up's order end failed or partly failed; and a scale under way survives a restart of the sandbox."""

import pytest

from pools.sandbox import Account, Fault, ManualClock, Sandbox
from pools.sandbox.routing import (
    BATCH_CREATE_POOL_TAGS,
    BATCH_DELETE_POOL_TAGS,
    LIST_ORDERS,
    LIST_POOL_TAGS,
    LIST_RESOURCE_FLAVORS,
    PATCH_POOL,
    SHOW_ORDER,
    SHOW_POOL_TAGS,
)
from tests.fixtures.sandbox import AK, PROJECT_ID, SK, pool_body, pool_id, signed_request

T4 = "modelarts.vm.gpu.t4u8"
MERGE_PATCH = {"Content-Type": "application/merge-patch+json"}


@pytest.fixture
def pool_name(sandbox):
    sandbox.create_pool(PROJECT_ID, pool_body("faulty", flavor=T4, count=1))
    sandbox.settle()
    return pool_id(sandbox, "faulty")


def requests_for(name):
    scale = {"spec": {"resources": [{"flavor": T4, "count": 2}]}}
    tags = {"tags": [{"key": "team", "value": "a"}]}
    return {
        PATCH_POOL: ("PATCH", f"/v2/{PROJECT_ID}/pools/{name}", scale, MERGE_PATCH),
        SHOW_POOL_TAGS: ("GET", f"/v1/{PROJECT_ID}/pools/{name}/tags", None, {}),
        BATCH_CREATE_POOL_TAGS: ("POST", f"/v1/{PROJECT_ID}/pools/{name}/tags/create", tags, {}),
        BATCH_DELETE_POOL_TAGS: ("DELETE", f"/v1/{PROJECT_ID}/pools/{name}/tags/delete", tags, {}),
        LIST_POOL_TAGS: ("GET", f"/v1/{PROJECT_ID}/pools/tags", None, {}),
        SHOW_ORDER: ("GET", f"/v1/{PROJECT_ID}/orders/order-none", None, {}),
        LIST_ORDERS: ("GET", f"/v1/{PROJECT_ID}/orders?involvedName={name}", None, {}),
        LIST_RESOURCE_FLAVORS: ("GET", f"/v1/{PROJECT_ID}/resourceflavors", None, {}),
    }


@pytest.mark.parametrize("operation", sorted(requests_for("x")))
@pytest.mark.parametrize(("kind", "status"), [("error", 503), ("throttle", 429), ("malformed", 200)])
def test_every_change_operation_takes_faults_by_name(sandbox, pool_name, operation, kind, status):
    method, path, body, headers = requests_for(pool_name)[operation]
    sandbox.faults.add(Fault(kind, count=1, operation=operation, status=503))

    answer = signed_request(method, sandbox.url + path, json=body, headers=headers)

    assert answer.status_code == status
    assert sandbox.call_log(operation)[0].status == status
    assert sandbox.faults.active() == []


def test_a_dropped_patch_may_still_have_been_carried_out_only_if_it_ran(sandbox, pool_name):
    sandbox.faults.drop(count=1, operation=PATCH_POOL)
    method, path, body, headers = requests_for(pool_name)[PATCH_POOL]
    with pytest.raises(Exception):  # noqa: B017 - the connection is closed without an answer
        signed_request(method, sandbox.url + path, json=body, headers=headers)
    # A dropped request was not run: the pool is unchanged.
    assert sandbox.pool(PROJECT_ID, pool_name)["spec"]["resources"][0]["count"] == 1


@pytest.mark.parametrize(("new_count", "phase"), [(2, "failed"), (3, "partialSuccessed")])
def test_fail_scale_makes_every_other_new_node_fail(sandbox, pool_name, new_count, phase):
    sandbox.faults.fail_next_scales()
    path = f"/v2/{PROJECT_ID}/pools/{pool_name}"
    body = {"spec": {"resources": [{"flavor": T4, "count": new_count}]}}
    answer = signed_request("PATCH", sandbox.url + path, json=body, headers=MERGE_PATCH).json()
    order_name = answer["metadata"]["labels"]["os.modelarts/order.name"]
    sandbox.settle()

    listed = signed_request("GET", f"{sandbox.url}/v1/{PROJECT_ID}/orders?involvedName={pool_name}").json()
    shown = signed_request("GET", f"{sandbox.url}/v1/{PROJECT_ID}/orders/{order_name}").json()

    assert listed["items"][0]["phase"] == phase
    assert "failed" in listed["items"][0]["failReason"]
    assert shown["items"][0]["status"] == "failed" and shown["items"][0]["message"]
    assert len(sandbox.nodes(PROJECT_ID, pool_name)) == 1 + (new_count - 1) // 2
    assert sandbox.faults.active() == []


def test_a_scale_in_progress_its_order_and_the_tags_survive_a_restart(tmp_path):
    clock, state_file = ManualClock(1_800_000_000), tmp_path / "state.json"
    first = Sandbox([Account(AK, SK, PROJECT_ID)], clock=clock, state_file=state_file)
    first.start()
    try:
        first.create_pool(PROJECT_ID, pool_body("kept", flavor=T4, count=1))
        first.settle()
        name = pool_id(first, "kept")
        tags = {"tags": [{"key": "team", "value": "a"}]}
        signed_request("POST", f"{first.url}/v1/{PROJECT_ID}/pools/{name}/tags/create", json=tags)
        body = {"spec": {"resources": [{"flavor": T4, "count": 2}]}}
        answer = signed_request(
            "PATCH", f"{first.url}/v2/{PROJECT_ID}/pools/{name}", json=body, headers=MERGE_PATCH
        )
        order = answer.json()["metadata"]["labels"]["os.modelarts/order.name"]
    finally:
        first.stop()

    second = Sandbox([Account(AK, SK, PROJECT_ID)], clock=clock, state_file=state_file)
    second.start()
    try:
        shown = signed_request("GET", f"{second.url}/v1/{PROJECT_ID}/orders/{order}").json()
        assert [item["status"] for item in shown["items"]] == ["processing"]
        second.settle()
        shown = signed_request("GET", f"{second.url}/v1/{PROJECT_ID}/orders/{order}").json()
        assert [item["status"] for item in shown["items"]] == ["succeed"]
        tags_now = signed_request("GET", f"{second.url}/v1/{PROJECT_ID}/pools/{name}/tags").json()
        assert tags_now == {"tags": [{"key": "team", "values": ["a"]}]}
    finally:
        second.stop()
