"""ShowPoolStatistics and ShowPoolRuntimeMetrics follow the pools and nodes as they change."""

import re

import pytest

from pools.sandbox.flavors import format_cpu
from tests.fixtures.sandbox import PROJECT_ID
from tests.sandbox.helpers import call, create

GO_TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{9} \+0000 UTC")


def statistics(sandbox, query=""):
    response = call(sandbox, "GET", f"/statistics/pools{query}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert GO_TIME.fullmatch(body["operationTime"])
    return body["statistics"]["status"]


def metrics(sandbox):
    response = call(sandbox, "GET", "/metrics/runtime/pools")
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["apiVersion"], body["kind"]) == ("v2", "PoolMetricsList")
    return {item["metadata"]["name"]: item for item in body["items"]}


def quantity(text):
    """Kubernetes CPU/memory quantities as numbers (cores, MiB)."""
    units = {"m": 0.001, "Mi": 1, "Gi": 1024}
    for suffix, factor in units.items():
        if text.endswith(suffix):
            return float(text[: -len(suffix)]) * factor
    return float(text)


def test_statistics_of_an_empty_project(sandbox):
    assert statistics(sandbox) == {"creating": 0, "created": 0, "failed": 0, "pending": 0}


def test_statistics_follow_pool_states(sandbox):
    sandbox.timings.payment_seconds = 600
    create(sandbox, "pool-aaaa")
    sandbox.faults.fail_next_creates(1)
    create(sandbox, "pool-fail")
    create(
        sandbox,
        "pool-year",
        annotations={
            "os.modelarts/billing.mode": "1",
            "os.modelarts/period.type": "3",
            "os.modelarts/period.num": "1",
            "os.modelarts/order.id": "CS1",
        },
    )
    assert statistics(sandbox) == {"creating": 2, "created": 0, "failed": 0, "pending": 1}

    sandbox.advance(30)
    assert statistics(sandbox) == {"creating": 0, "created": 1, "failed": 1, "pending": 1}

    sandbox.advance(600)
    assert statistics(sandbox) == {"creating": 0, "created": 2, "failed": 1, "pending": 0}


def test_statistics_drop_a_deleted_pool_once_it_is_gone(sandbox):
    name = create(sandbox)["metadata"]["name"]
    sandbox.settle()
    call(sandbox, "DELETE", f"/pools/{name}")
    assert statistics(sandbox)["created"] == 1

    sandbox.settle()

    assert statistics(sandbox)["created"] == 0


def test_statistics_per_workspace(sandbox):
    create(sandbox, "pool-aaaa", workspace="w1")
    create(sandbox, "pool-bbbb")

    assert statistics(sandbox, "?workspaceId=w1")["creating"] == 1
    assert statistics(sandbox, "?workspaceId=0")["creating"] == 1
    assert statistics(sandbox)["creating"] == 1, "without workspaceId: the default workspace 0, as documented"


def test_the_operation_time_is_the_sandbox_time(sandbox):
    sandbox.clock.set(1_735_722_000.123456)

    body = call(sandbox, "GET", "/statistics/pools").json()

    assert body["operationTime"] == "2025-01-01 09:00:00.123456000 +0000 UTC"


def test_runtime_metrics_cover_every_pool(sandbox):
    gpu = create(sandbox, "pool-gpus", count=4)["metadata"]["name"]
    npu = create(sandbox, "pool-npus", flavor="modelarts.bm.npu.arm.8snt9b3.d", count=2)["metadata"]["name"]
    cpu = create(sandbox, "pool-cpus", flavor="modelarts.vm.cpu.8ud", count=1)["metadata"]["name"]
    sandbox.settle()

    items = metrics(sandbox)

    assert set(items) == {gpu, npu, cpu}
    assert items[gpu]["metadata"]["labels"]["os.modelarts/name"] == "pool-gpus"
    assert items[gpu]["table"]["capacity"]["value"] == {"cpu": "32", "memory": "128Gi", "tnt004": "4"}
    assert items[npu]["table"]["capacity"]["value"] == {"cpu": "384", "memory": "3072Gi", "snt9": "16"}
    assert set(items[cpu]["table"]["capacity"]["value"]) == {"cpu", "memory"}


@pytest.mark.parametrize("key", ["cpu", "memory", "tnt004"])
def test_available_is_capacity_minus_allocated(sandbox, key):
    name = create(sandbox, count=5)["metadata"]["name"]
    sandbox.settle()

    table = metrics(sandbox)[name]["table"]

    capacity = quantity(table["capacity"]["value"][key])
    allocated = quantity(table["allocated"]["value"][key])
    assert 0 < allocated < capacity
    assert quantity(table["available"]["value"][key]) == pytest.approx(capacity - allocated)
    for part in ("allocated", "capacity", "available", "workload"):
        assert table[part]["window"] == "1m"
        assert table[part]["timestamp"].endswith("Z")


def test_runtime_metrics_agree_with_the_nodes(sandbox):
    name = create(sandbox, count=3)["metadata"]["name"]
    sandbox.settle()

    table = metrics(sandbox)[name]["table"]

    free_cpu = sum(
        quantity(node["status"]["availableResources"]["cpu"]) for node in sandbox.nodes(PROJECT_ID, name)
    )
    assert quantity(table["available"]["value"]["cpu"]) == pytest.approx(free_cpu)


def test_runtime_metrics_change_with_nodes(sandbox):
    name = create(sandbox, count=4)["metadata"]["name"]
    creating = metrics(sandbox)[name]["table"]
    assert creating["capacity"]["value"]["tnt004"] == "0"
    assert creating["capacity"]["allValue"]["tnt004"] == "4"
    assert creating["workload"]["allocated"]["sum"] == 0
    sandbox.settle()
    running = metrics(sandbox)[name]["table"]
    assert running["capacity"]["value"]["tnt004"] == "4"
    assert running["workload"]["allocated"]["sum"] > 0

    victims = [node["metadata"]["name"] for node in sandbox.nodes(PROJECT_ID, name)][:3]
    call(sandbox, "POST", f"/pools/{name}/nodes/batch-delete", json={"deleteNodeNames": victims})
    shrinking = metrics(sandbox)[name]["table"]
    sandbox.settle()
    shrunk = metrics(sandbox)[name]["table"]

    assert shrinking["capacity"]["value"]["tnt004"] == "1"
    assert shrinking["capacity"]["allValue"]["tnt004"] == "4"
    assert shrunk["capacity"]["allValue"]["tnt004"] == "1"
    assert shrunk["capacity"]["maxValue"]["tnt004"] == "1"


def test_workload_counts_follow_the_scope(sandbox):
    name = create(sandbox, count=8, scope=("Infer",))["metadata"]["name"]
    sandbox.settle()

    workload = metrics(sandbox)[name]["table"]["workload"]["allocated"]

    assert workload["train"] == workload["notebook"] == 0
    assert workload["sum"] == sum(value for key, value in workload.items() if key != "sum")


def test_quantities_are_kubernetes_strings():
    assert format_cpu(32000) == "32"
    assert format_cpu(27350) == "27350m"
