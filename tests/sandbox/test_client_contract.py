"""Our client's boundary types (pools.modelarts.types) read every kind of sandbox answer as intended."""

from pools.modelarts import types
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
    usage = types.RuntimeMetrics.parse(body(seeded_sandbox, "/metrics/runtime/pools"))
    statistics = types.PoolStatistics.parse(body(seeded_sandbox, "/statistics/pools"))
    monitor = types.MonitorResult.parse(body(seeded_sandbox, f"/pools/{big.name}/monitor?statistics=average"))

    assert big.phase == "Running"
    assert big.node_count == 520
    assert big.nodes_in("available") == 516 and big.nodes_in("abnormal") == 4
    assert big.accelerator == "npu"
    assert big.is_yearly_monthly
    assert pools["ant8-expansion"].is_transitional
    assert pools["npu-infer-trial"].is_failed
    assert pools["finance-batch"].phase == "Waiting"
    assert len(nodes.items) == 10 and nodes.remaining == 510 and nodes.continue_token
    assert {item.name for item in usage.items} == {pool.name for pool in pools.values()}
    assert (statistics.creating, statistics.created, statistics.failed, statistics.pending) == (1, 4, 1, 1)
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
