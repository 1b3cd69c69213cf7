"""ListPoolNodes (names, placement, resources, paging) and BatchDeletePoolNodes over HTTP."""

import copy
import re

import pytest

from tests.fixtures.sandbox import PROJECT_ID, pool_body
from tests.sandbox.helpers import all_nodes, call, create

NODE_NAME = re.compile(r"os-node-created-[0-9a-z]{5}")
PRIVATE_IP = re.compile(r"10\.\d{1,3}\.\d{1,3}\.\d{1,3}")


@pytest.fixture
def running_pool(sandbox):
    name = create(sandbox, count=6)["metadata"]["name"]
    sandbox.settle()
    return name


@pytest.fixture
def big_pool(seeded_sandbox):
    """The demo's 520-node pool."""
    return next(
        pool["metadata"]["name"]
        for pool in seeded_sandbox.pools(PROJECT_ID)
        if pool["metadata"]["labels"]["os.modelarts/name"] == "llm-pretrain"
    )


def names(page):
    return [node["metadata"]["name"] for node in page["items"]]


def test_nodes_follow_the_pool_resources(sandbox, running_pool):
    page = call(sandbox, "GET", f"/pools/{running_pool}/nodes").json()

    assert page["apiVersion"] == "v2"
    assert page["kind"] == "NodeList"
    assert page["metadata"] == {}
    assert len(page["items"]) == 6
    assert names(page) == sorted(names(page))
    for node in page["items"]:
        assert node["kind"] == "Node"
        assert NODE_NAME.fullmatch(node["metadata"]["name"])
        assert node["spec"]["flavor"] == "modelarts.vm.gpu.t4u8"
        status = node["status"]
        assert status["phase"] == "Available"
        assert PRIVATE_IP.fullmatch(status["privateIp"])
        assert status["resources"] == {"cpu": "8", "memory": "32Gi", "nvidia.com/gpu": "1"}
        assert set(status["availableResources"]) == {"cpu", "memory", "nvidia.com/gpu"}
    assert sorted(node["status"]["az"] for node in page["items"]) == [
        "cn-north-4a",
        "cn-north-4a",
        "cn-north-4b",
        "cn-north-4b",
        "cn-north-4c",
        "cn-north-4c",
    ]
    assert len({node["status"]["privateIp"] for node in page["items"]}) == 6


def test_nodes_are_creating_while_the_pool_is(sandbox):
    name = create(sandbox, count=2)["metadata"]["name"]

    nodes = call(sandbox, "GET", f"/pools/{name}/nodes").json()["items"]

    assert [node["status"]["phase"] for node in nodes] == ["Creating", "Creating"]
    assert nodes[0]["status"]["availableResources"] == {"cpu": "0", "memory": "0Gi", "nvidia.com/gpu": "0"}
    assert "privateIp" not in nodes[0]["status"]


def test_requested_az_counts_are_honoured(sandbox):
    body = pool_body(count=3)
    body["spec"]["resources"][0]["azs"] = [{"az": "cn-north-4b", "count": 3}]
    name = call(sandbox, "POST", "/pools", json=body).json()["metadata"]["name"]

    nodes = call(sandbox, "GET", f"/pools/{name}/nodes").json()["items"]

    assert {node["status"]["az"] for node in nodes} == {"cn-north-4b"}


def test_npu_nodes_report_ascend_cards(sandbox):
    name = create(sandbox, flavor="modelarts.bm.npu.arm.8snt9b3.d", count=1)["metadata"]["name"]

    node = call(sandbox, "GET", f"/pools/{name}/nodes").json()["items"][0]

    assert node["status"]["resources"] == {"cpu": "192", "memory": "1536Gi", "huawei.com/ascend-snt9": "8"}


def test_node_names_are_deterministic(sandbox):
    name = create(sandbox, count=3)["metadata"]["name"]
    first = [node["metadata"]["name"] for node in sandbox.nodes(PROJECT_ID, name)]
    sandbox.reset()

    again = create(sandbox, count=3)["metadata"]["name"]

    assert again == name
    assert [node["metadata"]["name"] for node in sandbox.nodes(PROJECT_ID, again)] == first


def test_nodes_of_an_unknown_pool_are_not_found(sandbox):
    response = call(sandbox, "GET", "/pools/pool-nothing-00000000000000000000000000000000/nodes")

    assert response.status_code == 404
    assert response.json()["error_code"] == "ModelArts.50015001"


def test_the_big_pool_pages_by_five_hundred_by_default(sandbox, big_pool):
    first = call(sandbox, "GET", f"/pools/{big_pool}/nodes").json()

    assert len(first["items"]) == 500
    assert first["metadata"]["remainingItemCount"] == 20
    second = call(sandbox, "GET", f"/pools/{big_pool}/nodes?continue={first['metadata']['continue']}").json()
    assert len(second["items"]) == 20
    assert second["metadata"] == {}
    assert len(set(names(first)) | set(names(second))) == 520
    phases = [node["status"]["phase"] for node in first["items"] + second["items"]]
    assert phases.count("Abnormal") == 4
    assert phases.count("Available") == 516


@pytest.mark.parametrize("limit", ["0", ""])
def test_limit_zero_or_empty_means_the_default(sandbox, big_pool, limit):
    page = call(sandbox, "GET", f"/pools/{big_pool}/nodes?limit={limit}").json()

    assert len(page["items"]) == 500


@pytest.mark.parametrize("limit", ["-1", "501", "ten", "1.5", "²"])
def test_limit_out_of_range_is_a_bad_request(sandbox, running_pool, limit):
    response = call(sandbox, "GET", f"/pools/{running_pool}/nodes?limit={limit}")

    assert response.status_code == 400
    assert response.json()["error_msg"].startswith("limit: ")


def test_paging_while_nodes_are_deleted_between_pages(sandbox, big_pool):
    """Key-based tokens: no live node is skipped or repeated although the list shrinks under the reader."""
    everyone = [node["metadata"]["name"] for node in sandbox.nodes(PROJECT_ID, big_pool)]
    seen, token, deleted, pages = [], None, set(), 0
    while True:
        query = "?limit=100" + (f"&continue={token}" if token else "")
        page = call(sandbox, "GET", f"/pools/{big_pool}/nodes{query}").json()
        pages += 1
        seen += names(page)
        token = page["metadata"].get("continue")
        if not token:
            break
        # Delete two nodes already read and two not yet read, then let the deletion finish.
        position = everyone.index(seen[-1])
        victims = [seen[-1], seen[-2], everyone[position + 1], everyone[position + 2]]
        assert (
            call(
                sandbox, "POST", f"/pools/{big_pool}/nodes/batch-delete", json={"deleteNodeNames": victims}
            ).json()
            == {}
        )
        deleted.update(victims)
        sandbox.advance(15)
        assert page["metadata"]["remainingItemCount"] == len(everyone) - position - 1

    assert len(seen) == len(set(seen))
    unread_deleted = {name for name in deleted if name not in seen}
    assert set(seen) == set(everyone) - unread_deleted
    assert pages == 6


def test_a_token_survives_percent_encoding(sandbox, big_pool):
    token = call(sandbox, "GET", f"/pools/{big_pool}/nodes?limit=3").json()["metadata"]["continue"]

    assert re.fullmatch(r"[A-Za-z0-9_-]+", token)


@pytest.mark.parametrize("token", ["garbage!", "e30", "eyJwb29sIjoib3RoZXIiLCJhZnRlciI6IiJ9"])
def test_a_bad_or_foreign_token_is_a_bad_request(sandbox, running_pool, token):
    response = call(sandbox, "GET", f"/pools/{running_pool}/nodes?continue={token}")

    assert response.status_code == 400
    assert response.json()["error_msg"].startswith("continue: ")


def test_batch_delete_marks_nodes_deleting_then_removes_them(sandbox, running_pool):
    victims = [node["metadata"]["name"] for node in sandbox.nodes(PROJECT_ID, running_pool)][:2]

    response = call(
        sandbox, "POST", f"/pools/{running_pool}/nodes/batch-delete", json={"deleteNodeNames": victims}
    )

    assert response.status_code == 200
    assert response.json() == {}
    by_name = {node["metadata"]["name"]: node for node in all_nodes(sandbox, running_pool)}
    assert [by_name[name]["status"]["phase"] for name in victims] == ["Deleting", "Deleting"]
    pool = call(sandbox, "GET", f"/pools/{running_pool}").json()
    assert pool["spec"]["resources"][0]["count"] == 4
    assert pool["spec"]["resources"][0]["maxCount"] == 4
    assert pool["status"]["resources"]["deleting"][0]["count"] == 2
    assert pool["status"]["resources"]["available"][0]["count"] == 4

    sandbox.advance(15)

    remaining = [node["metadata"]["name"] for node in all_nodes(sandbox, running_pool)]
    assert len(remaining) == 4
    assert not set(victims) & set(remaining)
    pool = call(sandbox, "GET", f"/pools/{running_pool}").json()
    assert "deleting" not in pool["status"]["resources"]
    assert pool["spec"]["resources"][0]["count"] == 4


def test_deleting_nodes_again_is_accepted_once(sandbox, running_pool):
    victim = sandbox.nodes(PROJECT_ID, running_pool)[0]["metadata"]["name"]
    path = f"/pools/{running_pool}/nodes/batch-delete"

    assert call(sandbox, "POST", path, json={"deleteNodeNames": [victim]}).status_code == 200
    assert call(sandbox, "POST", path, json={"deleteNodeNames": [victim]}).status_code == 200
    assert call(sandbox, "GET", f"/pools/{running_pool}").json()["spec"]["resources"][0]["count"] == 5


def test_batch_delete_names_the_unknown_nodes(sandbox, running_pool):
    known = sandbox.nodes(PROJECT_ID, running_pool)[0]["metadata"]["name"]

    response = call(
        sandbox,
        "POST",
        f"/pools/{running_pool}/nodes/batch-delete",
        json={"deleteNodeNames": [known, "os-node-created-zzzzz", "os-node-created-yyyyy"]},
    )

    assert response.status_code == 400
    message = response.json()["error_msg"]
    assert "os-node-created-zzzzz" in message and "os-node-created-yyyyy" in message
    assert known not in message
    assert sandbox.nodes(PROJECT_ID, running_pool)[0]["status"]["phase"] == "Available"


def test_at_least_one_node_must_remain(sandbox, running_pool):
    every = [node["metadata"]["name"] for node in sandbox.nodes(PROJECT_ID, running_pool)]
    path = f"/pools/{running_pool}/nodes/batch-delete"
    assert call(sandbox, "POST", path, json={"deleteNodeNames": every[:5]}).status_code == 200

    response = call(sandbox, "POST", path, json={"deleteNodeNames": every[5:]})

    assert response.status_code == 400
    assert response.json()["error_msg"] == "deleteNodeNames: at least one node must remain in the pool"


@pytest.mark.parametrize(
    "body",
    [{}, {"deleteNodeNames": []}, {"deleteNodeNames": "os-node-created-aaaaa"}, {"deleteNodeNames": [1]}],
)
def test_batch_delete_needs_a_list_of_names(sandbox, running_pool, body):
    response = call(sandbox, "POST", f"/pools/{running_pool}/nodes/batch-delete", json=body)

    assert response.status_code == 400
    assert response.json()["error_msg"].startswith("deleteNodeNames: ")


def test_nodes_cannot_be_deleted_from_a_creating_pool(sandbox):
    name = create(sandbox, count=3)["metadata"]["name"]
    victim = sandbox.nodes(PROJECT_ID, name)[0]["metadata"]["name"]

    response = call(sandbox, "POST", f"/pools/{name}/nodes/batch-delete", json={"deleteNodeNames": [victim]})

    assert response.status_code == 400
    assert "Creating" in response.json()["error_msg"]


def test_batch_delete_in_an_unknown_pool_is_not_found(sandbox):
    response = call(
        sandbox,
        "POST",
        "/pools/pool-nothing-00000000000000000000000000000000/nodes/batch-delete",
        json={"deleteNodeNames": ["os-node-created-aaaaa"]},
    )

    assert response.status_code == 404


def test_node_deletion_adjusts_the_requested_az_split(sandbox):
    body = pool_body(count=3)
    body["spec"]["resources"][0]["azs"] = [
        {"az": "cn-north-4a", "count": 1},
        {"az": "cn-north-4b", "count": 2},
    ]
    original = copy.deepcopy(body)
    name = sandbox.create_pool(PROJECT_ID, body)["metadata"]["name"]
    sandbox.settle()
    in_a = next(
        n["metadata"]["name"] for n in sandbox.nodes(PROJECT_ID, name) if n["status"]["az"] == "cn-north-4a"
    )

    call(sandbox, "POST", f"/pools/{name}/nodes/batch-delete", json={"deleteNodeNames": [in_a]})

    resource = sandbox.pool(PROJECT_ID, name)["spec"]["resources"][0]
    assert resource["count"] == 2
    assert resource["azs"] == [{"az": "cn-north-4b", "count": 2}]
    assert body == original
