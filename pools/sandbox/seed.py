"""The demo estate: a realistic project with pools in every state.

* ``llm-pretrain`` — 520 Ascend NPU nodes, Running for weeks, yearly billing, 4 nodes Abnormal;
* ``vision-train`` — 16 + 8 GPU nodes (two flavors), Running, monthly billing, its own workspace;
* ``infer-t4`` — 12 T4 nodes serving inference, Running, pay-per-use;
* ``notebook-cpu`` — a Logical CPU pool for notebooks, Running;
* ``ant8-expansion`` — 32 A800 nodes still Creating (Running about 15 minutes after seeding);
* ``npu-infer-trial`` — creation failed yesterday (``Error``, listed as failed);
* ``finance-batch`` — a yearly pool whose order is unpaid (``Waiting``, counted as pending).

The three busiest pools carry tags (cost centre, owner); any Running pool can be scaled, edited and tagged.

Scheduled maintenance (``DEMO_MAINTENANCE``): a hardware repair waiting for authorisation on one of
``llm-pretrain``'s abnormal nodes (only a HARD redeploy, the node being unavailable), a local-disk recovery
on a healthy ``vision-train`` node (SOFT or HARD), and a reboot on ``infer-t4`` done two days ago. With the
abnormal nodes and the failed creation, the pools' events hold a few warnings.

Seeding is idempotent per project: pools whose display name already exists are left alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from pools.sandbox import hashing
from pools.sandbox.maintenance import event_id, plan_event
from pools.sandbox.model import CREATING, ERROR, GONE, RUNNING, WAITING, PoolRecord
from pools.sandbox.operations import make_pool
from pools.sandbox.store import Store
from pools.sandbox.validation import validate_create

HOUR = 3600.0
DAY = 24 * HOUR


@dataclass(frozen=True)
class DemoPool:
    name: str
    resources: list[dict[str, Any]]
    scope: list[str]
    description: str
    labels: dict[str, str]
    age_seconds: float  # created this long before seeding
    creation_seconds: float  # how long its creation takes (or took)
    outcome: str = RUNNING  # RUNNING, ERROR, or WAITING (order never paid)
    pool_type: str = "Dedicate"
    workspace: str = "0"
    billing: dict[str, str] = field(default_factory=lambda: {"os.modelarts/billing.mode": "0"})
    driver: dict[str, str] | None = None
    abnormal_nodes: int = 0
    tags: dict[str, str] = field(default_factory=dict)  # TMS tags (ShowPoolTags)


def _yearly(years: str, order: str, renew: str = "0") -> dict[str, str]:
    return {
        "os.modelarts/billing.mode": "1",
        "os.modelarts/period.type": "3",
        "os.modelarts/period.num": years,
        "os.modelarts/order.id": order,
        "os.modelarts/auto.renew": renew,
    }


def _monthly(months: str, order: str, renew: str = "0") -> dict[str, str]:
    return {**_yearly(months, order, renew), "os.modelarts/period.type": "2"}


VISION_WORKSPACE = hashing.hex32("workspace", "vision")

DEMO_POOLS = (
    DemoPool(
        name="llm-pretrain",
        resources=[{"flavor": "modelarts.bm.npu.arm.8snt9b3.d", "count": 520}],
        scope=["Train"],
        description="Foundation-model pre-training cluster (Ascend)",
        labels={"team": "llm", "env": "prod"},
        age_seconds=40 * DAY,
        creation_seconds=2 * HOUR,
        billing=_yearly("1", "CS2501010800LLM01", renew="1"),
        driver={"npuVersion": "23.0.6", "updateStrategy": "idle"},
        abnormal_nodes=4,
        tags={"cost-centre": "cc-1001", "owner": "llm-platform"},
    ),
    DemoPool(
        name="vision-train",
        resources=[
            {"flavor": "modelarts.bm.gpu.8v100", "count": 16},
            {"flavor": "modelarts.vm.gpu.t4u8", "count": 8},
        ],
        scope=["Train", "Notebook"],
        description="Training and notebooks for the vision team",
        labels={"team": "vision", "env": "prod"},
        age_seconds=21 * DAY,
        creation_seconds=40 * 60,
        workspace=VISION_WORKSPACE,
        billing=_monthly("3", "CS2501200930VIS07"),
        driver={"gpuVersion": "535.54.03", "updateStrategy": "force"},
        abnormal_nodes=1,
        tags={"cost-centre": "cc-2040"},
    ),
    DemoPool(
        name="infer-t4",
        resources=[{"flavor": "modelarts.vm.gpu.t4u8", "count": 12}],
        scope=["Infer"],
        description="Online inference for the recommendation service",
        labels={"team": "serving", "env": "staging"},
        age_seconds=9 * DAY,
        creation_seconds=15 * 60,
        driver={"gpuVersion": "535.54.03", "updateStrategy": "idle"},
        tags={"cost-centre": "cc-3100", "service": "recommendations"},
    ),
    DemoPool(
        name="notebook-cpu",
        resources=[{"flavor": "modelarts.vm.cpu.8ud", "count": 4, "maxCount": 6}],
        scope=["Notebook"],
        description="Shared CPU notebooks",
        labels={"team": "research"},
        age_seconds=3 * DAY,
        creation_seconds=5 * 60,
        pool_type="Logical",
    ),
    DemoPool(
        name="ant8-expansion",
        resources=[{"flavor": "modelarts.bm.gpu.ant8", "count": 32}],
        scope=["Train"],
        description="Extra A800 capacity for the next training run",
        labels={"team": "llm", "env": "prod"},
        age_seconds=5 * 60,
        creation_seconds=20 * 60,
        driver={"gpuVersion": "535.54.03", "updateStrategy": "idle"},
    ),
    DemoPool(
        name="npu-infer-trial",
        resources=[{"flavor": "modelarts.bm.npu.arm.8snt9b.d", "count": 4}],
        scope=["Infer"],
        description="Trial of Ascend inference",
        labels={"team": "serving", "env": "dev"},
        age_seconds=DAY,
        creation_seconds=25 * 60,
        outcome=ERROR,
    ),
    DemoPool(
        name="finance-batch",
        resources=[{"flavor": "modelarts.bm.gpu.8v100", "count": 2}],
        scope=["Train"],
        description="Quarter-end risk batch jobs",
        labels={"team": "finance", "env": "prod"},
        age_seconds=2 * HOUR,
        creation_seconds=0,
        outcome=WAITING,
        billing=_yearly("1", "CS2501021100FIN03"),
    ),
)


@dataclass(frozen=True)
class DemoMaintenance:
    pool: str
    abnormal_node: bool  # on one of the pool's abnormal nodes, or on a healthy one
    type: str
    catalog: str
    description: str
    age_seconds: float  # published this long before seeding
    planned_in_seconds: float  # planned start, from seeding
    redeploy_types: tuple[str, ...]
    accepted_ago_seconds: float | None = None  # already accepted and done


DEMO_MAINTENANCE = (
    DemoMaintenance(
        pool="llm-pretrain",
        abnormal_node=True,
        type="system-maintenance",
        catalog="hardware",
        description="An NPU card of the node reports uncorrectable ECC errors; it needs replacing.",
        age_seconds=6 * HOUR,
        planned_in_seconds=3 * DAY,
        redeploy_types=("HARD",),
    ),
    DemoMaintenance(
        pool="vision-train",
        abnormal_node=False,
        type="localdisk-recovery",
        catalog="hardware",
        description="A local NVMe disk of the node reports media errors; it will be recovered.",
        age_seconds=2 * HOUR,
        planned_in_seconds=5 * DAY,
        redeploy_types=("SOFT", "HARD"),
    ),
    DemoMaintenance(
        pool="infer-t4",
        abnormal_node=False,
        type="node_reboot",
        catalog="software",
        description="A kernel update needs the node restarted.",
        age_seconds=3 * DAY,
        planned_in_seconds=-DAY,
        redeploy_types=(),
        accepted_ago_seconds=2 * DAY,
    ),
)


def _plan_maintenance(store: Store, pool: PoolRecord, now: float) -> None:
    for plan in (plan for plan in DEMO_MAINTENANCE if plan.pool == pool.display_name):
        node = next(node for node in pool.nodes if node.abnormal == plan.abnormal_node)
        published_at = now - plan.age_seconds
        event = plan_event(
            pool,
            node,
            event_id_text=event_id(store, pool.name, node.name, published_at),
            type=plan.type,
            catalog=plan.catalog,
            description=plan.description,
            published_at=published_at,
            planned_at=now + plan.planned_in_seconds,
            redeploy_types=list(plan.redeploy_types),
        )
        if plan.accepted_ago_seconds is not None:
            event.accepted_at = event.starts_at = now - plan.accepted_ago_seconds
            event.finished_at = event.starts_at + store.timings.maintenance_seconds
            node.maintenance_from, node.maintenance_until = event.starts_at, event.finished_at


def _body(demo: DemoPool, project_id: str) -> bytes:
    spec: dict[str, Any] = {"type": demo.pool_type, "scope": demo.scope, "resources": demo.resources}
    if demo.pool_type == "Dedicate":
        spec["network"] = {
            "name": f"network-{demo.name[:12]}-{hashing.hex32('network', project_id, demo.name)}"
        }
    if demo.driver:
        spec["driver"] = demo.driver
    body = {
        "apiVersion": "v2",
        "kind": "Pool",
        "metadata": {
            "labels": {
                "os.modelarts/name": demo.name,
                "os.modelarts/workspace.id": demo.workspace,
                **demo.labels,
            },
            "annotations": {"os.modelarts/description": demo.description, **demo.billing},
        },
        "spec": spec,
    }
    return json.dumps(body).encode("utf-8")


def _schedule(demo: DemoPool, created_at: float, retention: float) -> list[list[Any]]:
    if demo.outcome == WAITING:
        return [[created_at, WAITING]]
    done = created_at + demo.creation_seconds
    if demo.outcome == ERROR:
        return [[created_at, CREATING], [done, ERROR], [done + retention, GONE]]
    return [[created_at, CREATING], [done, RUNNING]]


def seed_demo(store: Store, project_id: str) -> list[str]:
    """Add the demo pools to the project; returns the ids of the pools added."""
    added = []
    with store.lock:
        existing = {pool.display_name for pool in store.project_pools(project_id)}
        now = store.now()
        for demo in DEMO_POOLS:
            if demo.name in existing:
                continue
            request = validate_create(_body(demo, project_id), store.azs)
            created_at = now - demo.age_seconds
            schedule = _schedule(demo, created_at, store.timings.failed_retention_seconds)
            pool = make_pool(
                store,
                project_id,
                request,
                created_at=created_at,
                schedule=schedule,
                abnormal_nodes=demo.abnormal_nodes,
            )
            pool.tags = dict(demo.tags)
            _plan_maintenance(store, pool, now)
            store.add(pool)
            added.append(pool.name)
        if added:
            store.changed()
    return added
