"""Our own client (pools.modelarts.client and its boundary types) reads every kind of sandbox answer."""

import pytest

from pools.modelarts import metrics, types
from tests.fixtures.sandbox import PROJECT_ID
from tests.sandbox.helpers import call


def body(sandbox, path):
    response = call(sandbox, "GET", path)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_client_types_read_the_demo_estate(seeded_sandbox):
    pools = {pool.display_name: pool for pool in types.PoolList.parse(body(seeded_sandbox, "/pools")).items}
    big = pools["llm-pretrain"]
    nodes = types.NodePage.parse(body(seeded_sandbox, f"/pools/{big.name}/nodes?limit=10"))
    usage = metrics.RuntimeMetrics.parse(body(seeded_sandbox, "/metrics/runtime/pools"))
    statistics = metrics.PoolStatistics.parse(body(seeded_sandbox, "/statistics/pools"))
    monitor = metrics.MonitorResult.parse(
        body(seeded_sandbox, f"/pools/{big.name}/monitor?statistics=average")
    )

    assert big.phase == "Running"
    assert big.node_count == 520
    assert big.nodes_in("available") == 516 and big.nodes_in("abnormal") == 4
    assert big.accelerator == "npu"
    assert big.is_yearly_monthly
    assert pools["ant8-expansion"].is_transitional
    assert pools["npu-infer-trial"].is_failed
    assert pools["finance-batch"].phase == "Waiting"
    assert len(nodes.items) == 10 and nodes.remaining == 510 and nodes.continue_token
    # ListPools and ShowPoolStatistics without workspaceId: the default workspace; usage: every pool.
    assert "vision-train" not in pools
    assert {item.labels["os.modelarts/name"] for item in usage.items} == {*pools, "vision-train"}
    assert (statistics.creating, statistics.created, statistics.failed, statistics.pending) == (1, 3, 1, 1)
    assert [series.metric_name for series in monitor.series][:4] == [
        "cpuUsage",
        "memUsedRate",
        "npuUtil",
        "npuMemUsage",
    ]
    assert all(point.values["average"] is not None for point in monitor.series[0].points)


def test_the_client_types_read_a_fresh_pool_without_phase(sandbox):
    from tests.fixtures.sandbox import pool_body

    created = call(sandbox, "POST", "/pools", json=pool_body()).json()

    pool = types.Pool.parse(created)

    assert pool.phase == "Creating"
    assert pool.resources[0].count == 2
    assert sandbox.pool(PROJECT_ID, pool.name)["status"]["phase"] == "Creating"


def test_our_client_drives_the_nine_operations(sandbox):
    from pools.modelarts.client import ModelArtsClient
    from pools.modelarts.errors import ConflictError, NotFoundError, ServerError
    from tests.fixtures.sandbox import AK, SK, pool_body

    with ModelArtsClient(sandbox.url, PROJECT_ID, AK, SK, retries=0) as client:
        created = client.create_pool(pool_body("client-pool", count=3))
        with_phase = client.show_pool(created.name)
        sandbox.settle()
        running = client.show_pool(created.name)
        listed = client.list_pools(status="created")
        nodes = list(client.iter_nodes(created.name, limit=2))
        client.delete_nodes(created.name, [nodes[0].name])
        monitor = client.show_monitor(created.name, "-1.-1.60", statistics="average", period=300)
        statistics = client.show_statistics()
        usage = client.show_runtime_metrics()
        deleted = client.delete_pool(created.name)
        with pytest.raises(ConflictError):
            client.delete_pool(created.name)
        sandbox.settle()
        with pytest.raises(NotFoundError) as missing:
            client.show_pool(created.name)
        sandbox.faults.error(503, count=1)
        with pytest.raises(ServerError):
            client.show_statistics()

    assert created.phase == "Creating" and with_phase.phase == "Creating"
    assert running.phase == "Running" and running.nodes_in("available") == 3
    assert [pool.name for pool in listed.items] == [created.name]
    assert len(nodes) == 3
    assert [series.metric_name for series in monitor.series][:3] == ["cpuUsage", "memUsedRate", "gpuUtil"]
    assert statistics.created == 1
    assert usage.items[0].capacity["tnt004"] == "2"
    assert deleted.deleted_at is not None and deleted.phase == "Running"
    assert missing.value.error_code == "ModelArts.50015001"
    assert len(missing.value.request_id) == 32
