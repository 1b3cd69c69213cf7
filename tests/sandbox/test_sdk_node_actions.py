"""The official SDK against the sandbox for the node operations: ShowPoolNode, reboot, drain, lock, unlock,
reset, ListWorkloads, ShowWorkloadStatistics and ListJobs. Request bodies are built from the SDK's model
classes and answers are parsed by them, as in test_sdk.py."""

import pytest
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException, ServerResponseException
from huaweicloudsdkmodelarts.v1 import (
    BatchDeletePoolNodesRequest,
    BatchDrainPoolNodesReq,
    BatchDrainPoolNodesRequest,
    BatchLockPoolNodesRequest,
    BatchLockPoolNodesRequestBody,
    BatchRebootPoolNodesRequest,
    BatchRebootPoolNodesRequestBody,
    BatchResetPoolNodesRequest,
    BatchUnlockPoolNodesRequest,
    ListJobsRequest,
    ListWorkloadsRequest,
    NodesDeletionRequest,
    ResetNodesRequest,
    ResetNodesRequestNodeConfig,
    ResetNodesRequestRollingConfig,
    ShowPoolNodeRequest,
    ShowWorkloadStatisticsRequest,
)

from tests.fixtures.sandbox import PROJECT_ID, pool_id
from tests.sandbox.test_sdk import client_for


@pytest.fixture
def client(sandbox):
    return client_for(sandbox)


def node_names(sandbox, pool):
    return [node["metadata"]["name"] for node in sandbox.nodes(PROJECT_ID, pool)]


def running_on(client, pool, ip):
    answer = client.list_workloads(ListWorkloadsRequest(pool_name=pool, hostip=[ip], status="Running"))
    return answer.items


def test_show_pool_node_and_a_reboot_followed_by_its_job(seeded_sandbox, client):
    pool = pool_id(seeded_sandbox, "vision-train")
    first = node_names(seeded_sandbox, pool)[0]

    shown = client.show_pool_node(ShowPoolNodeRequest(pool_name=pool, node_name=first))
    assert shown.metadata.name == first
    assert shown.status.phase == "Available"
    ip = shown.status.private_ip
    carried = running_on(client, pool, ip)
    assert carried and all(workload.status == "Running" for workload in carried)

    body = BatchRebootPoolNodesRequestBody(node_names=[first])
    rebooted = client.batch_reboot_pool_nodes(BatchRebootPoolNodesRequest(pool_name=pool, body=body))
    assert rebooted.node_names == [first]
    assert (
        client.show_pool_node(ShowPoolNodeRequest(pool_name=pool, node_name=first)).status.phase
        == "Rebooting"
    )
    assert running_on(client, pool, ip) == []
    jobs = client.list_jobs(ListJobsRequest(type="reboot-node", resource="pools", name=pool))
    assert jobs.count == 1 and jobs.items[0].phase == "Running"

    seeded_sandbox.advance(seeded_sandbox.timings.reboot_seconds)

    assert (
        client.show_pool_node(ShowPoolNodeRequest(pool_name=pool, node_name=first)).status.phase
        == "Available"
    )
    assert client.list_jobs(ListJobsRequest(type="reboot-node")).items[0].phase == "Success"
    assert len(running_on(client, pool, ip)) == len(carried)


def test_a_drain_empties_the_node_and_more_than_ten_are_refused(seeded_sandbox, client):
    pool = pool_id(seeded_sandbox, "vision-train")
    names = node_names(seeded_sandbox, pool)
    node = client.show_pool_node(ShowPoolNodeRequest(pool_name=pool, node_name=names[0]))
    before = client.show_workload_statistics(ShowWorkloadStatisticsRequest(pool_name=pool))
    moved = len(running_on(client, pool, node.status.private_ip))

    with pytest.raises(ClientRequestException) as refused:
        client.batch_drain_pool_nodes(
            BatchDrainPoolNodesRequest(pool_name=pool, body=BatchDrainPoolNodesReq(node_names=names[:11]))
        )
    assert refused.value.status_code == 400
    assert refused.value.error_code == "ModelArts.50004000"

    drained = client.batch_drain_pool_nodes(
        BatchDrainPoolNodesRequest(pool_name=pool, body=BatchDrainPoolNodesReq(node_names=names[:1]))
    )
    assert drained.status_code == 200
    assert running_on(client, pool, node.status.private_ip) == []
    after = client.show_workload_statistics(ShowWorkloadStatisticsRequest(pool_name=pool))

    def count(statistics, status):
        return sum(getattr(item.status, status) for item in statistics.statistics.items)

    assert count(after, "pending") == count(before, "pending") + moved
    assert count(after, "running") == count(before, "running") - moved


def test_a_locked_node_refuses_deletion_until_unlocked(seeded_sandbox, client):
    pool = pool_id(seeded_sandbox, "infer-t4")
    victim = node_names(seeded_sandbox, pool)[0]
    body = BatchLockPoolNodesRequestBody(node_names=[victim], actions=["delete"])

    locked = client.batch_lock_pool_nodes(BatchLockPoolNodesRequest(pool_name=pool, body=body))
    assert [(item.name, item.status) for item in locked.nodes] == [(victim, "success")]
    raw = seeded_sandbox.nodes(PROJECT_ID, pool)[0]
    assert raw["metadata"]["annotations"] == {"os.modelarts.node/lock.action": "delete"}
    deletion = BatchDeletePoolNodesRequest(
        pool_name=pool, body=NodesDeletionRequest(delete_node_names=[victim])
    )
    with pytest.raises(ClientRequestException) as refused:
        client.batch_delete_pool_nodes(deletion)
    assert refused.value.status_code == 400
    assert "locked" in refused.value.error_msg

    unlocked = client.batch_unlock_pool_nodes(BatchUnlockPoolNodesRequest(pool_name=pool, body=body))
    assert unlocked.nodes[0].status == "success"
    assert "annotations" not in seeded_sandbox.nodes(PROJECT_ID, pool)[0]["metadata"]
    assert client.batch_delete_pool_nodes(deletion).status_code == 200


def test_a_rolling_reset_answers_a_job_and_resets_in_batches(seeded_sandbox, client):
    pool = pool_id(seeded_sandbox, "llm-pretrain")
    names = node_names(seeded_sandbox, pool)[:4]
    body = ResetNodesRequest(
        node_names=names,
        rolling_config=ResetNodesRequestRollingConfig(strategy="RollingByNumber", max_unavailable=2),
        node_config=ResetNodesRequestNodeConfig(os="EulerOS 2.12", runtime="containerd"),
    )

    reset = client.batch_reset_pool_nodes(BatchResetPoolNodesRequest(pool_name=pool, body=body))

    assert reset.job_id
    phases = [
        client.show_pool_node(ShowPoolNodeRequest(pool_name=pool, node_name=name)).status.phase
        for name in names
    ]
    assert phases[:2] == ["Resetting", "Resetting"] and "Resetting" not in phases[2:]
    job = client.list_jobs(ListJobsRequest(type="reset-nodes")).items[0]
    assert job.job_id == reset.job_id and job.phase == "Running"
    seeded_sandbox.advance(seeded_sandbox.timings.reset_seconds)
    assert (
        client.show_pool_node(ShowPoolNodeRequest(pool_name=pool, node_name=names[2])).status.phase
        == "Resetting"
    )
    seeded_sandbox.advance(seeded_sandbox.timings.reset_seconds)
    shown = client.show_pool_node(ShowPoolNodeRequest(pool_name=pool, node_name=names[3]))
    assert shown.status.phase == "Available" and shown.spec.os.name == "EulerOS 2.12"
    assert client.list_jobs(ListJobsRequest(type="reset-nodes")).items[0].phase == "Success"


def test_a_rolling_reset_is_refused_on_a_vm_pool(seeded_sandbox, client):
    pool = pool_id(seeded_sandbox, "infer-t4")
    body = ResetNodesRequest(
        node_names=node_names(seeded_sandbox, pool)[:1],
        rolling_config=ResetNodesRequestRollingConfig(strategy="RollingByPercent", max_unavailable=50),
    )

    with pytest.raises(ClientRequestException) as refused:
        client.batch_reset_pool_nodes(BatchResetPoolNodesRequest(pool_name=pool, body=body))

    assert refused.value.status_code == 400
    assert "rollingConfig" in refused.value.error_msg


def test_list_workloads_filters_pages_and_sorts(seeded_sandbox, client):
    pool = pool_id(seeded_sandbox, "llm-pretrain")

    everything = client.list_workloads(ListWorkloadsRequest(pool_name=pool))
    page = client.list_workloads(ListWorkloadsRequest(pool_name=pool, offset="10", limit=5))
    newest = client.list_workloads(ListWorkloadsRequest(pool_name=pool, sort="create_time", limit=20))
    train = client.list_workloads(ListWorkloadsRequest(pool_name=pool, type="notebook"))

    assert len(everything.items) == 500
    assert [item.name for item in page.items] == [item.name for item in everything.items[10:15]]
    times = [item.create_time for item in newest.items]
    assert times == sorted(times, reverse=True)
    assert train.items == []
    item = everything.items[0]
    assert item.user_name and item.flavor and item.resource_requirement.huawei_com_ascend_1980
    assert item.nodes[0].host_ip == item.host_ips


def test_show_pool_node_of_an_unknown_node_is_a_404_that_is_not_the_pools(seeded_sandbox, client):
    pool = pool_id(seeded_sandbox, "infer-t4")

    with pytest.raises(ClientRequestException) as missing:
        client.show_pool_node(ShowPoolNodeRequest(pool_name=pool, node_name="os-node-created-zzzzz"))

    assert missing.value.status_code == 404
    assert missing.value.error_code != "ModelArts.50015001"


@pytest.mark.parametrize(
    "call",
    [
        lambda client, pool, node: client.show_pool_node(ShowPoolNodeRequest(pool_name=pool, node_name=node)),
        lambda client, pool, node: client.list_workloads(ListWorkloadsRequest(pool_name=pool)),
        lambda client, pool, node: client.list_jobs(ListJobsRequest()),
        lambda client, pool, node: client.batch_reboot_pool_nodes(
            BatchRebootPoolNodesRequest(
                pool_name=pool, body=BatchRebootPoolNodesRequestBody(node_names=[node])
            )
        ),
    ],
    ids=["ShowPoolNode", "ListWorkloads", "ListJobs", "BatchRebootPoolNodes"],
)
def test_faults_apply_to_the_node_operations(seeded_sandbox, client, call):
    pool = pool_id(seeded_sandbox, "infer-t4")
    node = node_names(seeded_sandbox, pool)[0]
    seeded_sandbox.faults.error(503, count=1)

    with pytest.raises(ServerResponseException) as failed:
        call(client, pool, node)

    assert failed.value.status_code == 503
