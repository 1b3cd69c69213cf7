"""ShowPoolRuntimeMetrics: each pool's allocated, capacity and available amounts and its workload,
computed from the nodes as they are now (API reference §5.3).

``Value`` keys: ``cpu`` and ``memory`` as Kubernetes quantities, ``tnt004`` for GPU cards and ``snt9`` for
Ascend NPU cards (only for pools that have such flavors). ``capacity`` and ``allocated`` count Available
nodes; ``capacity.allValue`` counts every node that exists (creating, abnormal, deleting too), and
``maxValue``/``allMaxValue`` the elastic maximum from the spec (``maxCount`` per flavor).
"""

from __future__ import annotations

import math
from typing import Any

from pools.sandbox import hashing
from pools.sandbox.clock import rfc3339
from pools.sandbox.flavors import GPU, NPU, RUNTIME_KEYS, flavor, format_cpu, format_memory
from pools.sandbox.model import NODE_AVAILABLE, PoolRecord
from pools.sandbox.nodes import Amounts, allocated, capacity
from pools.sandbox.store import Store

WINDOW = "1m"


def _value(amounts: dict[str, Amounts], kinds: set[str]) -> dict[str, str]:
    total = sum(amounts.values(), Amounts())
    value = {"cpu": format_cpu(total.cpu_millicores), "memory": format_memory(total.memory_mebibytes)}
    for kind in (GPU, NPU):
        if kind in kinds:
            value[RUNTIME_KEYS[kind]] = str(amounts.get(kind, Amounts()).accelerators)
    return value


def _add(totals: dict[str, Amounts], kind: str, amounts: Amounts) -> None:
    totals[kind] = totals.get(kind, Amounts()) + amounts


def _workload(pool: PoolRecord, used_share: float, nodes_available: int) -> tuple[dict, dict]:
    """Job counts that grow with the pool's size and how busy it is, for the scopes it serves."""
    scopes = set(pool.spec["scope"])
    scale = math.sqrt(nodes_available) * used_share

    def jobs(kind: str, weight: float) -> int:
        return round(scale * weight + hashing.fraction(pool.name, kind) * 2 * bool(scale))

    running = {
        "train": jobs("train", 3.0) if "Train" in scopes else 0,
        "notebook": jobs("notebook", 1.5) if "Notebook" in scopes else 0,
        "infer": jobs("infer", 0.5) if "Infer" in scopes else 0,
        "x-infer": jobs("x-infer", 1.0) if "Infer" in scopes else 0,
        "warmUpTask": 0,
    }
    running["sum"] = sum(running.values())
    waiting = round(hashing.fraction(pool.name, "queue") * 4) if used_share > 0.7 else 0
    queue = {"train": waiting if "Train" in scopes else 0, "sum": waiting if "Train" in scopes else 0}
    return running, queue


def pool_metrics(pool: PoolRecord, now: float) -> dict[str, Any]:
    kinds = {flavor(resource["flavor"]).kind for resource in pool.spec["resources"]}
    total: dict[str, Amounts] = {}
    used: dict[str, Amounts] = {}
    every: dict[str, Amounts] = {}
    elastic: dict[str, Amounts] = {}
    available_nodes = 0
    for node, phase in pool.live_nodes(now):
        spec = flavor(node.flavor)
        _add(every, spec.kind, capacity(spec))
        if phase == NODE_AVAILABLE:
            available_nodes += 1
            _add(total, spec.kind, capacity(spec))
            _add(used, spec.kind, allocated(node))
    for resource in pool.spec["resources"]:
        spec = flavor(resource["flavor"])
        _add(elastic, spec.kind, capacity(spec).times(resource["maxCount"]))
    free = {kind: total[kind] - used.get(kind, Amounts()) for kind in total}
    free_max = {kind: elastic[kind] - used.get(kind, Amounts()) for kind in elastic}
    capacity_cpu = sum(amounts.cpu_millicores for amounts in total.values())
    used_share = sum(a.cpu_millicores for a in used.values()) / capacity_cpu if capacity_cpu else 0.0
    running, queue = _workload(pool, used_share, available_nodes)
    stamp = rfc3339(now // 60 * 60)
    return {
        "metadata": {
            "name": pool.name,
            "labels": {
                "os.modelarts/name": pool.display_name,
                "os.modelarts/workspace.id": pool.workspace_id,
            },
        },
        "table": {
            "allocated": {"value": _value(used, kinds), "timestamp": stamp, "window": WINDOW},
            "capacity": {
                "value": _value(total, kinds),
                "maxValue": _value(elastic, kinds),
                "allValue": _value(every, kinds),
                "allMaxValue": _value(elastic, kinds),
                "timestamp": stamp,
                "window": WINDOW,
            },
            "available": {
                "value": _value(free, kinds),
                "maxValue": _value(free_max, kinds),
                "timestamp": stamp,
                "window": WINDOW,
            },
            "workload": {"allocated": running, "queue": queue, "timestamp": stamp, "window": WINDOW},
        },
    }


def runtime_metrics(store: Store, project_id: str) -> dict[str, Any]:
    with store.lock:
        now = store.now()
        items = [pool_metrics(pool, now) for pool in store.project_pools(project_id)]
    return {"apiVersion": "v2", "kind": "PoolMetricsList", "items": items}
