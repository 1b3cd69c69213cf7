"""Our client's node operations against the sandbox: typed answers, arguments refused before sending, and
node actions never replayed."""

import pytest

from pools.modelarts.client import ModelArtsClient
from pools.modelarts.errors import BadRequestError, NotFoundError, OutcomeUnknownError, ServerError
from pools.modelarts.node_operations import RollingConfig
from tests.fixtures.sandbox import AK, PROJECT_ID, SK, pool_id


@pytest.fixture
def client(seeded_sandbox):
    with ModelArtsClient(seeded_sandbox.url, PROJECT_ID, AK, SK, retries=2, timeout=2, deadline=5) as client:
        yield client


def first_nodes(sandbox, display_name, count=1):
    pool = pool_id(sandbox, display_name)
    return pool, [node["metadata"]["name"] for node in sandbox.nodes(PROJECT_ID, pool)[:count]]


def test_show_node_reads_the_lock_and_the_reason_of_an_abnormal_node(seeded_sandbox, client):
    pool, (name,) = first_nodes(seeded_sandbox, "infer-t4")
    client.lock_nodes(pool, [name])
    abnormal = next(
        node["metadata"]["name"]
        for node in seeded_sandbox.nodes(PROJECT_ID, pool_id(seeded_sandbox, "vision-train"))
        if node["status"]["phase"] == "Abnormal"
    )

    locked = client.show_node(pool, name)
    sick = client.show_node(pool_id(seeded_sandbox, "vision-train"), abnormal)

    assert locked.locked_actions == ("delete",)
    assert locked.runtime == "containerd" and locked.os_name
    assert sick.phase == "Abnormal" and sick.message
    with pytest.raises(NotFoundError):
        client.show_node(pool, "os-node-created-zzzzz")


def test_show_node_reads_that_a_node_is_drained(seeded_sandbox, client):
    pool, (name, other) = first_nodes(seeded_sandbox, "vision-train", 2)
    assert not client.show_node(pool, name).drained

    client.drain_nodes(pool, [name])

    drained = client.show_node(pool, name)
    assert drained.drained and drained.phase == "Available"
    assert [(taint.key, taint.effect) for taint in drained.taints] == [
        ("node.kubernetes.io/unschedulable", "NoSchedule")
    ]
    assert not client.show_node(pool, other).drained


def test_reboot_and_reset_answers_are_typed_and_followed_in_list_jobs(seeded_sandbox, client):
    pool, names = first_nodes(seeded_sandbox, "llm-pretrain", 3)

    rebooted = client.reboot_nodes(pool, names[:1])
    reset = client.reset_nodes(
        pool, names[1:], RollingConfig("RollingByPercent", 50), node_config={"runtime": "containerd"}
    )
    jobs = client.list_jobs(pool=pool)

    assert rebooted.node_names == tuple(names[:1])
    assert reset.job_id
    assert {job.type for job in jobs.items} == {"reboot-node", "reset-nodes"}
    assert jobs.find(reset.job_id).node_names == tuple(names[1:])
    assert jobs.find(reset.job_id).phase == "Running"
    assert client.list_jobs(type="reboot-node").items[0].node_names == tuple(names[:1])


def test_workloads_and_their_statistics_are_typed(seeded_sandbox, client):
    pool, (name,) = first_nodes(seeded_sandbox, "vision-train")
    ip = client.show_node(pool, name).private_ip

    on_node = client.list_workloads(pool, host_ips=[ip])
    statistics = client.show_workload_statistics(pool)
    client.drain_nodes(pool, [name])
    after = client.show_workload_statistics(pool)

    assert on_node.items and all(ip in workload.host_ips for workload in on_node.items)
    workload = on_node.items[0]
    assert workload.user_name and workload.running_seconds > 0 and workload.flavor
    cards = {w.accelerators[0] for w in client.list_workloads(pool).items if w.accelerators}
    assert cards == {"nvidia.com/gpu"}
    assert dict(after.by_status())["Pending"] == len(on_node.items) + dict(statistics.by_status()).get(
        "Pending", 0
    )
    assert client.list_workloads(pool, host_ips=[ip]).items == ()


def test_arguments_are_refused_before_sending(seeded_sandbox, client):
    calls = seeded_sandbox.calls()
    with pytest.raises(ValueError):
        client.reboot_nodes("pool", [])
    with pytest.raises(ValueError):
        client.lock_nodes("pool", ["node"], actions=["reboot"])
    with pytest.raises(ValueError):
        RollingConfig("RollingByPercent", 150)
    with pytest.raises(ValueError):
        client.list_workloads("pool", limit=501)
    with pytest.raises(ValueError):
        client.list_jobs(type="delete-node")
    assert seeded_sandbox.calls() == calls


def test_the_api_refuses_a_drain_of_more_than_ten_nodes(seeded_sandbox, client):
    pool, names = first_nodes(seeded_sandbox, "llm-pretrain", 11)

    with pytest.raises(BadRequestError) as refused:
        client.drain_nodes(pool, names)

    assert "at most 10" in refused.value.error_msg


@pytest.mark.parametrize(
    "action",
    ["reboot", "drain", "lock", "unlock", "reset"],
)
def test_a_node_action_is_never_replayed(seeded_sandbox, client, action):
    pool, names = first_nodes(seeded_sandbox, "infer-t4")
    operation = {
        "reboot": "BatchRebootPoolNodes",
        "drain": "BatchDrainPoolNodes",
        "lock": "BatchLockPoolNodes",
        "unlock": "BatchUnlockPoolNodes",
        "reset": "BatchResetPoolNodes",
    }[action]
    seeded_sandbox.faults.error(503, count=1, operation=operation)
    with pytest.raises(ServerError):
        getattr(client, f"{action}_nodes")(pool, names)
    seeded_sandbox.faults.drop(count=1, operation=operation)
    with pytest.raises(OutcomeUnknownError):
        getattr(client, f"{action}_nodes")(pool, names)

    assert seeded_sandbox.calls(operation) == 2
