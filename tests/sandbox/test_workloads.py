"""The sandbox's workloads and node actions over HTTP: workloads agree with the nodes' taken resources, move
with the nodes (reboots, drains, deletions), and the actions refuse what ModelArts refuses."""

import pytest

from pools.modelarts.parsing import parse_quantity
from pools.sandbox import Account, ManualClock, Sandbox
from tests.fixtures.sandbox import AK, PROJECT_ID, SK, pool_id, signed_request
from tests.sandbox.helpers import call


def workloads(sandbox, pool, query=""):
    response = call(sandbox, "GET", f"/pools/{pool}/workloads{query}")
    assert response.status_code == 200, response.text
    return response.json()["items"]


def post(sandbox, pool, action, body):
    return call(sandbox, "POST", f"/pools/{pool}/nodes/{action}", json=body)


def test_the_workloads_on_a_node_hold_what_its_available_resources_say_is_taken(seeded_sandbox):
    pool = pool_id(seeded_sandbox, "vision-train")
    for node in seeded_sandbox.nodes(PROJECT_ID, pool):
        status = node["status"]
        on_node = workloads(seeded_sandbox, pool, f"?hostip={status['privateIp']}")
        if status["phase"] != "Available":
            assert on_node == []
            continue
        taken_cards = int(status["resources"]["nvidia.com/gpu"]) - int(
            status["availableResources"]["nvidia.com/gpu"]
        )
        asked = sum(int(item["resourceRequirement"]["nvidia.com/gpu"]) for item in on_node)
        taken_cpu = parse_quantity(status["resources"]["cpu"]) - parse_quantity(
            status["availableResources"]["cpu"]
        )
        assert asked == taken_cards
        assert sum(parse_quantity(item["resourceRequirement"]["cpu"]) for item in on_node) == pytest.approx(
            taken_cpu
        )


def test_pools_without_running_nodes_run_no_workloads(seeded_sandbox):
    for name in ("ant8-expansion", "npu-infer-trial", "finance-batch"):
        assert workloads(seeded_sandbox, pool_id(seeded_sandbox, name)) == []


def test_paging_sorting_and_filters(seeded_sandbox):
    pool = pool_id(seeded_sandbox, "llm-pretrain")
    everything = workloads(seeded_sandbox, pool)
    page = workloads(seeded_sandbox, pool, "?offset=498&limit=10")
    oldest = workloads(seeded_sandbox, pool, "?sort=create_time&ascend=true&limit=3")

    assert len(everything) == 500 and len(page) == 10
    assert [item["createTime"] for item in oldest] == sorted(item["createTime"] for item in oldest)
    assert workloads(seeded_sandbox, pool, "?type=infer") == []
    for query in ("?limit=501", "?type=batch", "?status=running", "?sort=name", "?ascend=yes", "?offset=-1"):
        assert call(seeded_sandbox, "GET", f"/pools/{pool}/workloads{query}").status_code == 400, query


def test_a_deletion_sends_the_node_s_workloads_to_the_queue(seeded_sandbox):
    pool = pool_id(seeded_sandbox, "infer-t4")
    node = seeded_sandbox.nodes(PROJECT_ID, pool)[0]
    ip = node["status"]["privateIp"]
    moved = workloads(seeded_sandbox, pool, f"?hostip={ip}")

    assert post(seeded_sandbox, pool, "batch-delete", {"deleteNodeNames": [node["metadata"]["name"]]}).ok
    seeded_sandbox.advance(seeded_sandbox.timings.node_deletion_seconds + 10)

    pending = workloads(seeded_sandbox, pool, "?status=Pending")
    assert [item["name"] for item in pending] == [item["name"] for item in moved]
    assert pending[0]["pendingPosition"] == 1 and pending[0]["pendingDuration"] >= 10
    statistics = call(seeded_sandbox, "GET", f"/statistics/pools/{pool}/workloads").json()["statistics"]
    infer = next(item for item in statistics["items"] if item["type"] == "infer")
    assert infer["status"]["Pending"] == len(moved) and infer["total"] == 12


@pytest.mark.parametrize(
    "action, body, message",
    [
        ("batch-reboot", {"nodeNames": []}, "nodeNames"),
        ("batch-reboot", {"nodeNames": ["os-node-created-zzzzz"]}, "no such nodes"),
        ("batch-lock", {"nodeNames": ["{first}"], "actions": ["reboot"]}, "actions"),
        ("batch-reset", {"nodeNames": ["{first}"], "nodeConfig": {"runtime": "rkt"}}, "runtime"),
        ("batch-reset", {"nodeNames": ["{first}"], "rollingConfig": {"strategy": "Fast"}}, "strategy"),
        (
            "batch-reset",
            {
                "nodeNames": ["{first}"],
                "rollingConfig": {"strategy": "RollingByPercent", "maxUnavailable": 0},
            },
            "maxUnavailable",
        ),
    ],
)
def test_node_actions_refuse_bad_bodies(seeded_sandbox, action, body, message):
    pool = pool_id(seeded_sandbox, "llm-pretrain")
    first = seeded_sandbox.nodes(PROJECT_ID, pool)[0]["metadata"]["name"]
    body = {
        key: [first if item == "{first}" else item for item in value] if key == "nodeNames" else value
        for key, value in body.items()
    }

    response = post(seeded_sandbox, pool, action, body)

    assert response.status_code == 400 and message in response.json()["error_msg"]


def test_node_actions_need_a_running_pool_and_nodes_in_the_right_state(seeded_sandbox):
    creating = pool_id(seeded_sandbox, "ant8-expansion")
    node = seeded_sandbox.nodes(PROJECT_ID, creating)[0]["metadata"]["name"]
    assert post(seeded_sandbox, creating, "batch-reboot", {"nodeNames": [node]}).status_code == 400

    pool = pool_id(seeded_sandbox, "infer-t4")
    first = seeded_sandbox.nodes(PROJECT_ID, pool)[0]["metadata"]["name"]
    assert post(seeded_sandbox, pool, "batch-reboot", {"nodeNames": [first]}).ok
    again = post(seeded_sandbox, pool, "batch-drain", {"nodeNames": [first]})
    assert again.status_code == 400 and "Rebooting" in again.json()["error_msg"]
    assert call(seeded_sandbox, "GET", f"/pools/{pool}/nodes/batch-reboot").status_code == 404


def test_locks_jobs_and_displaced_workloads_survive_a_restart(tmp_path):
    state_file, clock = tmp_path / "state.json", ManualClock(1_800_000_000)
    first = Sandbox([Account(AK, SK, PROJECT_ID)], clock=clock, state_file=state_file)
    first.start()
    try:
        first.seed_demo(PROJECT_ID)
        pool = pool_id(first, "infer-t4")
        names = [node["metadata"]["name"] for node in first.nodes(PROJECT_ID, pool)[:3]]
        base = f"{first.url}/v2/{PROJECT_ID}/pools/{pool}/nodes"
        assert signed_request(
            "POST", f"{base}/batch-lock", json={"nodeNames": names[:1], "actions": ["delete"]}
        ).ok
        assert signed_request("POST", f"{base}/batch-drain", json={"nodeNames": names[1:2]}).ok
        assert signed_request("POST", f"{base}/batch-reboot", json={"nodeNames": names[2:]}).ok
        before = (first.nodes(PROJECT_ID, pool), first.store.find(PROJECT_ID, pool).jobs)
    finally:
        first.stop()
    second = Sandbox([Account(AK, SK, PROJECT_ID)], clock=clock, state_file=state_file)
    record = second.store.find(PROJECT_ID, pool)
    assert (second.nodes(PROJECT_ID, pool), record.jobs) == before
    assert record.displaced and all(item["pending_since"] for item in record.displaced)
