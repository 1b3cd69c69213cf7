"""The official SDK against the sandbox for the change operations: PatchPool (scale and edit), the pool tags,
ShowOrder and ListResourceFlavors. Bodies are built from the SDK's model classes and answers parsed by them."""

import pytest
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkmodelarts.v1 import (
    BatchCreatePoolTagsRequest,
    BatchDeletePoolTagsRequest,
    CreateTagRequest,
    DeleteTagItem,
    DeleteTagRequest,
    ListPoolTagsRequest,
    ListResourceFlavorsRequest,
    PatchPoolRequest,
    PoolDriver,
    PoolMetadataUpdate,
    PoolMetadataUpdateAnnotations,
    PoolNodeAz,
    PoolSpecUpdate,
    PoolSpecUpdateResources,
    PoolUpdateRequest,
    ShowOrderRequest,
    ShowPoolTagsRequest,
    Tag,
)

from tests.fixtures.sandbox import PROJECT_ID, pool_body, pool_id, signed_request
from tests.sandbox.test_sdk import client_for

T4 = "modelarts.vm.gpu.t4u8"
V100 = "modelarts.vm.gpu.v100"


@pytest.fixture
def client(sandbox):
    return client_for(sandbox)


@pytest.fixture
def running_pool(sandbox):
    sandbox.create_pool(PROJECT_ID, pool_body("scale-me", flavor=T4, count=2))
    sandbox.settle()
    return pool_id(sandbox, "scale-me")


def patch(client, name, *, resources=None, description=None, scope=None, driver=None, annotations=None):
    metadata = None
    if description is not None or annotations:
        metadata = PoolMetadataUpdate(
            annotations=PoolMetadataUpdateAnnotations(
                os_modelarts_description=description, **(annotations or {})
            )
        )
    spec = PoolSpecUpdate(resources=resources, scope=scope, driver=driver)
    return client.patch_pool(
        PatchPoolRequest(pool_name=name, body=PoolUpdateRequest(metadata=metadata, spec=spec))
    )


def test_a_scale_up_adds_nodes_that_become_available_and_its_order_succeeds(sandbox, client, running_pool):
    answer = patch(client, running_pool, resources=[PoolSpecUpdateResources(flavor=T4, count=4)])
    order_name = answer.metadata.labels.os_modelarts_order_name
    assert order_name
    assert answer.to_json_object()["status"]["resources"]["creating"][0]["count"] == 2
    assert answer.to_json_object()["status"]["phase"] == "Running"

    order = client.show_order(ShowOrderRequest(order_name=order_name))
    assert order.count == 2
    assert {item.status for item in order.items} == {"processing"}
    assert {item.action for item in order.items} == {"createNode"}

    sandbox.settle()
    order = client.show_order(ShowOrderRequest(order_name=order_name))
    assert {item.status for item in order.items} == {"succeed"}
    phases = [node["status"]["phase"] for node in sandbox.nodes(PROJECT_ID, running_pool)]
    assert phases == ["Available"] * 4
    listed = signed_request("GET", f"{sandbox.url}/v1/{PROJECT_ID}/orders?involvedName={running_pool}").json()
    assert [(item["orderName"], item["phase"]) for item in listed["items"]] == [(order_name, "successed")]


def test_a_scale_down_removes_nodes_modelarts_chooses_and_a_new_flavor_row_adds_capacity(
    sandbox, client, running_pool
):
    answer = patch(
        client,
        running_pool,
        resources=[
            PoolSpecUpdateResources(flavor=T4, count=1),
            PoolSpecUpdateResources(flavor=V100, count=2, azs=[PoolNodeAz(az="cn-north-4a", count=2)]),
        ],
    ).to_json_object()
    groups = answer["status"]["resources"]
    assert groups["deleting"][0] == {
        "flavor": T4,
        "count": 1,
        "maxCount": 1,
        "azs": groups["deleting"][0]["azs"],
    }
    assert groups["creating"][0]["flavor"] == V100
    assert groups["creating"][0]["azs"] == [{"az": "cn-north-4a", "count": 2}]
    assert [(r["flavor"], r["count"]) for r in answer["spec"]["resources"]] == [(T4, 1), (V100, 2)]
    order = client.show_order(
        ShowOrderRequest(order_name=answer["metadata"]["labels"]["os.modelarts/order.name"])
    )
    assert sorted(item.action for item in order.items) == ["createNode", "createNode", "deleteNode"]
    sandbox.settle()
    assert len(sandbox.nodes(PROJECT_ID, running_pool)) == 3


def test_edit_changes_description_scope_and_driver_at_once(sandbox, client, running_pool):
    answer = patch(
        client,
        running_pool,
        description="Inference only from now on",
        scope=["Infer"],
        driver=PoolDriver(gpu_version="535.161.08", update_strategy="force"),
    ).to_json_object()
    assert answer["metadata"]["annotations"]["os.modelarts/description"] == "Inference only from now on"
    assert answer["spec"]["scope"] == ["Infer"]
    assert answer["spec"]["driver"]["gpuVersion"] == "535.161.08"
    assert answer["status"]["driver"]["gpu"]["version"] == "535.161.08"
    assert "os.modelarts/order.name" not in answer["metadata"]["labels"]


def test_bad_patches_are_refused_with_the_field_named(sandbox, client, running_pool):
    with pytest.raises(ClientRequestException) as refused:
        patch(client, running_pool, resources=[PoolSpecUpdateResources(flavor=V100, count=1)])
    assert refused.value.status_code == 400
    assert "missing: modelarts.vm.gpu.t4u8" in refused.value.error_msg
    with pytest.raises(ClientRequestException) as refused:
        patch(client, running_pool, driver=PoolDriver(update_strategy="later"))
    assert "spec.driver.updateStrategy" in refused.value.error_msg


def test_a_second_scale_while_the_first_runs_is_refused(sandbox, client, running_pool):
    patch(client, running_pool, resources=[PoolSpecUpdateResources(flavor=T4, count=3)])
    with pytest.raises(ClientRequestException) as refused:
        patch(client, running_pool, resources=[PoolSpecUpdateResources(flavor=T4, count=5)])
    assert refused.value.status_code == 409


def test_a_yearly_pool_grows_only_with_an_order_id_or_auto_pay(sandbox, client):
    body = pool_body("yearly-one", flavor=T4, count=1)
    body["metadata"]["annotations"].update(
        {"os.modelarts/billing.mode": "1", "os.modelarts/period.type": "3", "os.modelarts/period.num": "1"}
    )
    sandbox.create_pool(PROJECT_ID, body)
    sandbox.settle()
    name = pool_id(sandbox, "yearly-one")
    with pytest.raises(ClientRequestException) as refused:
        patch(client, name, resources=[PoolSpecUpdateResources(flavor=T4, count=2)])
    assert "os.modelarts/order.id" in refused.value.error_msg
    answer = patch(
        client,
        name,
        resources=[PoolSpecUpdateResources(flavor=T4, count=2)],
        annotations={"os_modelarts_order_id": "CS2601011200ABCDE"},
    )
    assert answer.metadata.labels.os_modelarts_order_name
    sandbox.settle()
    # The SDK's annotation model has no auto.pay; a raw merge patch carries it as Terraform sends it.
    grown = signed_request(
        "PATCH",
        f"{sandbox.url}/v2/{PROJECT_ID}/pools/{name}",
        json={
            "metadata": {"annotations": {"os.modelarts/order.id": "", "os.modelarts/auto.pay": "1"}},
            "spec": {"resources": [{"flavor": T4, "count": 3}]},
        },
        headers={"Content-Type": "application/merge-patch+json"},
    )
    assert grown.status_code == 200
    listed = signed_request("GET", f"{sandbox.url}/v1/{PROJECT_ID}/orders?involvedName={name}").json()
    assert [item["phase"] for item in listed["items"]] == ["processing", "successed"]
    assert listed["items"][1]["orderId"] == "CS2601011200ABCDE"
    assert listed["items"][0]["orderId"].startswith("CS")


def test_the_merge_patch_content_type_is_accepted_and_others_are_not(sandbox, running_pool):
    url = f"{sandbox.url}/v2/{PROJECT_ID}/pools/{running_pool}"
    body = {
        "metadata": {"annotations": {"os.modelarts/description": "via merge patch"}},
    }
    merged = signed_request("PATCH", url, json=body, headers={"Content-Type": "application/merge-patch+json"})
    assert merged.status_code == 200
    assert merged.json()["metadata"]["annotations"]["os.modelarts/description"] == "via merge patch"
    refused = signed_request("PATCH", url, json=body, headers={"Content-Type": "text/plain"})
    assert refused.status_code == 415


def test_pool_tags_through_the_sdk(sandbox, client, running_pool):
    created = client.batch_create_pool_tags(
        BatchCreatePoolTagsRequest(
            pool_name=running_pool,
            body=CreateTagRequest(
                tags=[Tag(key="team", value="vision"), Tag(key="cost centre", value="cc-42")]
            ),
        )
    )
    assert sorted((tag.key, tag.values) for tag in created.tags) == [
        ("cost centre", ["cc-42"]),
        ("team", ["vision"]),
    ]
    shown = client.show_pool_tags(ShowPoolTagsRequest(pool_name=running_pool))
    assert [tag.key for tag in shown.tags] == ["cost centre", "team"]
    client.batch_delete_pool_tags(
        BatchDeletePoolTagsRequest(
            pool_name=running_pool, body=DeleteTagRequest(tags=[DeleteTagItem(key="team")])
        )
    )
    listed = client.list_pool_tags(ListPoolTagsRequest())
    assert [(tag.key, tag.values) for tag in listed.tags] == [("cost centre", ["cc-42"])]
    with pytest.raises(ClientRequestException) as refused:
        client.batch_create_pool_tags(
            BatchCreatePoolTagsRequest(
                pool_name=running_pool,
                body=CreateTagRequest(tags=[Tag(key=f"k{index}", value="v") for index in range(20)]),
            )
        )
    assert "at most 20 tags" in refused.value.error_msg
    with pytest.raises(ClientRequestException) as refused:
        client.batch_create_pool_tags(
            BatchCreatePoolTagsRequest(
                pool_name=running_pool, body=CreateTagRequest(tags=[Tag(key="_sys_x", value="")])
            )
        )
    assert "_sys_" in refused.value.error_msg


def test_resource_flavors_list_the_catalog_with_sold_out_zones(sandbox, client):
    flavors = client.list_resource_flavors(ListResourceFlavorsRequest())
    by_name = {item.metadata.name: item for item in flavors.items}
    assert T4 in by_name
    assert by_name["modelarts.bm.gpu.ant8"].status.phase["cn-north-4c"] == "soldout"
    assert by_name[T4].status.phase == {
        "cn-north-4a": "normal",
        "cn-north-4b": "normal",
        "cn-north-4c": "normal",
    }
    assert by_name[T4].spec.gpu.type == "NVIDIA-T4"
    assert by_name["modelarts.bm.npu.arm.8snt9b3.d"].spec.cpu_arch == "arm64"


def test_an_unknown_order_is_a_404(sandbox, client):
    with pytest.raises(ClientRequestException) as missing:
        client.show_order(ShowOrderRequest(order_name="order-none"))
    assert missing.value.status_code == 404


def test_the_demo_estate_carries_tags(seeded_sandbox, client):
    listed = client.list_pool_tags(ListPoolTagsRequest())
    values = {tag.key: tag.values for tag in listed.tags}
    assert values["cost-centre"] == ["cc-1001", "cc-2040", "cc-3100"]
    assert values["owner"] == ["llm-platform"]
