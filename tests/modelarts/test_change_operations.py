"""Our client's change operations (pools/modelarts/change_operations.py) against the sandbox: the merge-patch
content type signed as sent, typed answers, orders followed to their end, tags, flavors, and no replays."""

import pytest

from pools.modelarts.change_types import ORDER_SUCCEEDED, PoolTags, ResourceFlavor
from pools.modelarts.client import ModelArtsClient
from pools.modelarts.errors import BadRequestError, OutcomeUnknownError, ServerError
from tests.fixtures.sandbox import AK, PROJECT_ID, SK, pool_body, pool_id

T4 = "modelarts.vm.gpu.t4u8"


@pytest.fixture
def client(sandbox):
    with ModelArtsClient(sandbox.url, PROJECT_ID, AK, SK, retries=2, sleep=lambda seconds: None) as client:
        yield client


@pytest.fixture
def pool_name(sandbox):
    sandbox.create_pool(PROJECT_ID, pool_body("client-scale", flavor=T4, count=2))
    sandbox.settle()
    return pool_id(sandbox, "client-scale")


def test_a_scale_up_is_sent_as_a_merge_patch_and_followed_through_its_order(sandbox, client, pool_name):
    pool = client.patch_pool(pool_name, {"spec": {"resources": [{"flavor": T4, "count": 3}]}})

    assert pool.order_name
    assert pool.nodes_in("creating") == 1 and pool.nodes_in("available") == 2
    assert [order.phase for order in client.list_orders(pool_name).items] == ["processing"]
    assert client.show_order(pool.order_name).statuses() == {"processing": 1}
    sandbox.settle()
    summary = client.list_orders(pool_name).named(pool.order_name)
    assert summary.phase == ORDER_SUCCEEDED and summary.is_done
    assert client.show_order(pool.order_name).statuses() == {"succeed": 1}
    call = sandbox.call_log("PatchPool")[0]
    assert (call.method, call.status) == ("PATCH", 200)


def test_the_merge_patch_content_type_is_what_is_signed_and_sent(sandbox, client, pool_name, monkeypatch):
    sent = {}
    original = client._transport._send

    def spy(method, url, headers, body, *, timeout):
        sent.update(headers)
        return original(method, url, headers, body, timeout=timeout)

    monkeypatch.setattr(client._transport, "_send", spy)
    client.patch_pool(pool_name, {"metadata": {"annotations": {"os.modelarts/description": "edited"}}})

    assert sent["Content-Type"] == "application/merge-patch+json"
    assert client.show_pool(pool_name).description == "edited"


def test_an_edit_refused_by_modelarts_is_a_typed_error(client, pool_name):
    with pytest.raises(BadRequestError) as refused:
        client.patch_pool(pool_name, {"spec": {"scope": ["Batch"]}})
    assert "spec.scope" in refused.value.error_msg


@pytest.mark.parametrize("fault", ["error", "drop"])
def test_a_patch_is_never_sent_twice(sandbox, client, pool_name, fault):
    if fault == "error":
        sandbox.faults.error(503, count=1, operation="PatchPool")
        expected = ServerError
    else:
        sandbox.faults.drop(count=1, operation="PatchPool")
        expected = OutcomeUnknownError
    with pytest.raises(expected):
        client.patch_pool(pool_name, {"spec": {"resources": [{"flavor": T4, "count": 3}]}})
    assert sandbox.calls("PatchPool") == 1


def test_tags_are_added_read_and_removed(sandbox, client, pool_name):
    added = client.create_pool_tags(pool_name, {"team": "vision", "env": "prod"})
    assert added.as_dict() == {"env": "prod", "team": "vision"}
    assert client.show_pool_tags(pool_name).as_dict() == {"env": "prod", "team": "vision"}
    client.delete_pool_tags(pool_name, ["env"])
    assert client.show_pool_tags(pool_name).as_dict() == {"team": "vision"}
    assert client.list_pool_tags().values == {"team": ("vision",)}
    sandbox.faults.drop(count=1, operation="BatchCreatePoolTags")
    with pytest.raises(OutcomeUnknownError):
        client.create_pool_tags(pool_name, {"x": "y"})
    assert sandbox.calls("BatchCreatePoolTags") == 2


def test_tags_are_read_in_both_documented_shapes():
    assert PoolTags.parse(
        {"tags": [{"key": "a", "value": "1"}, {"key": "b", "values": ["2"]}]}
    ).as_dict() == {
        "a": "1",
        "b": "2",
    }


def test_flavors_on_sale_come_with_their_sold_out_zones(client):
    flavors = {flavor.name: flavor for flavor in client.list_resource_flavors().items}
    ant8 = flavors["modelarts.bm.gpu.ant8"]
    assert ant8.sold_out_zones == ("cn-north-4c",)
    assert ant8.available_zones == ("cn-north-4a", "cn-north-4b")
    assert (ant8.accelerator, ant8.accelerators, ant8.accelerator_model) == ("gpu", 8, "NVIDIA-A800")
    assert flavors["modelarts.vm.cpu.8ud"].accelerator == ""
    assert ResourceFlavor.parse({"metadata": {"name": "x"}}).zones == {}


def test_a_read_of_the_flavors_is_retried_after_a_5xx(sandbox, client):
    sandbox.faults.error(503, count=1, operation="ListResourceFlavors")
    assert client.list_resource_flavors().items
    assert sandbox.calls("ListResourceFlavors") == 2


def test_bad_arguments_are_refused_before_sending(client):
    with pytest.raises(ValueError):
        client.create_pool_tags("pool", {})
    with pytest.raises(ValueError):
        client.list_orders("pool", limit=0)
    with pytest.raises(TypeError):
        client.patch_pool("pool", {})
