"""Nodes: how a pool's resources (flavor × count) become named nodes, what they hold, how they render.

Names are ``os-node-created-<5 lowercase alphanumerics>``, derived from the sandbox seed and the pool, so
a seed always builds the same estate. Nodes are spread round-robin over ``<region>a/b/c`` unless the
resource lists ``azs``. Each node gets a fixed workload share (``load``) that decides its
``availableResources`` and, summed up, the runtime metrics.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pools.sandbox import hashing
from pools.sandbox.clock import rfc3339
from pools.sandbox.flavors import Flavor, flavor, format_cpu, format_memory
from pools.sandbox.model import NODE_ABNORMAL, NODE_AVAILABLE, NODE_CREATING, NodeRecord, PoolRecord

NODE_PREFIX = "os-node-created-"
LOCK_ANNOTATION = "os.modelarts.node/lock.action"
# Sandbox: a drained node carries Kubernetes' cordon taint in spec.taints (ModelArts' docs do not say).
UNSCHEDULABLE_TAINT = {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}
# Sandbox: why an Abnormal node is abnormal, in status.message (not in the SDK's NodeStatus).
ABNORMAL_REASON = "NodeNotReady: the kubelet stopped posting node status; accelerator health check failed"


@dataclass(frozen=True)
class Amounts:
    """CPU, memory and accelerator amounts in integer units (millicores, MiB, cards)."""

    cpu_millicores: int = 0
    memory_mebibytes: int = 0
    accelerators: int = 0

    def __add__(self, other: Amounts) -> Amounts:
        return Amounts(
            self.cpu_millicores + other.cpu_millicores,
            self.memory_mebibytes + other.memory_mebibytes,
            self.accelerators + other.accelerators,
        )

    def times(self, count: int) -> Amounts:
        return Amounts(self.cpu_millicores * count, self.memory_mebibytes * count, self.accelerators * count)

    def __sub__(self, other: Amounts) -> Amounts:
        return Amounts(
            self.cpu_millicores - other.cpu_millicores,
            self.memory_mebibytes - other.memory_mebibytes,
            self.accelerators - other.accelerators,
        )


def capacity(spec: Flavor) -> Amounts:
    return Amounts(spec.cpu * 1000, spec.memory_gib * 1024, spec.accelerators)


def allocated(node: NodeRecord) -> Amounts:
    """What workloads hold on the node (its ``load`` share, in realistic steps); nothing once drained."""
    if node.drained_at is not None:
        return Amounts()
    return planned(node)


def planned(node: NodeRecord) -> Amounts:
    """What the node's own workloads ask for (its ``load`` share), drained or not."""
    spec = flavor(node.flavor)
    return Amounts(
        round(spec.cpu * 1000 * node.load / 50) * 50,
        round(spec.memory_gib * 1024 * node.load / 256) * 256,
        round(spec.accelerators * node.load),
    )


def quantities(amounts: Amounts, spec: Flavor) -> dict[str, str]:
    """Kubernetes quantity strings, with the flavor's accelerator key when it has one."""
    result = {"cpu": format_cpu(amounts.cpu_millicores), "memory": format_memory(amounts.memory_mebibytes)}
    if spec.accelerator_resource:
        result[spec.accelerator_resource] = str(amounts.accelerators)
    return result


def zone_plan(resource: dict[str, Any], azs: tuple[str, ...], offset: int) -> list[str]:
    """One AZ per node of the resource: as its ``azs`` asks, or round-robin from ``offset``."""
    if resource.get("azs"):
        return [entry["az"] for entry in resource["azs"] for _ in range(entry["count"])]
    return [azs[(offset + index) % len(azs)] for index in range(resource["count"])]


def build_nodes(
    *,
    pool_name: str,
    resources: list[dict[str, Any]],
    azs: tuple[str, ...],
    seed: int,
    network_index: int,
    created_at: float,
    ready_at: float,
    abnormal: int = 0,
) -> list[NodeRecord]:
    """The nodes for a pool's resources, sorted by name; ``abnormal`` of them report ``Abnormal``."""
    nodes: list[NodeRecord] = []
    taken: set[str] = set()
    index = 0
    for resource in resources:
        for az in zone_plan(resource, azs, index):
            attempt = 0
            while (name := NODE_PREFIX + hashing.alphanumeric(5, seed, pool_name, index, attempt)) in taken:
                attempt += 1
            taken.add(name)
            nodes.append(
                NodeRecord(
                    name=name,
                    flavor=resource["flavor"],
                    az=az,
                    private_ip=f"10.{network_index % 250}.{index // 250}.{10 + index % 250}",
                    created_at=created_at,
                    ready_at=ready_at,
                    load=round(0.15 + 0.8 * hashing.fraction(seed, name, "load"), 4),
                )
            )
            index += 1
    for node in sorted(nodes, key=lambda item: hashing.fraction(seed, item.name, "abnormal"))[:abnormal]:
        node.abnormal = True
    return sorted(nodes, key=lambda node: node.name)


def network_ids(pool: PoolRecord) -> dict[str, Any]:
    network = (pool.spec.get("network") or {}).get("name") or pool.name
    return {
        "vpc": hashing.uuid_of("vpc", network),
        "subnet": hashing.uuid_of("subnet", network),
        "securityGroups": [hashing.uuid_of("security-group", network)],
    }


def cluster_name(pool: PoolRecord) -> str:
    return f"cluster-{pool.display_name[:20]}-{hashing.alphanumeric(5, 'cluster', pool.name)}"


def node_pool_name(pool: PoolRecord, spec: Flavor) -> str:
    """One node pool per flavor, e.g. ``vision-train-bm-gpu-8v100``."""
    return f"{pool.display_name[:24]}-{spec.id.removeprefix('modelarts.').replace('.', '-')}"


def render_node(node: NodeRecord, phase: str, pool: PoolRecord) -> dict[str, Any]:
    spec = flavor(node.flavor)
    suffix = node.name.removeprefix(NODE_PREFIX)
    total = capacity(spec)
    free = total - allocated(node) if phase == NODE_AVAILABLE else Amounts()
    status: dict[str, Any] = {"phase": phase, "az": node.az}
    if phase != NODE_CREATING:
        status["privateIp"] = node.private_ip
    status["resources"] = quantities(total, spec)
    status["availableResources"] = quantities(free, spec)
    if phase == NODE_ABNORMAL:
        status["message"] = ABNORMAL_REASON
    metadata: dict[str, Any] = {
        "name": node.name,
        "creationTimestamp": rfc3339(node.created_at),
        "labels": {
            "os.modelarts.node/cluster": cluster_name(pool),
            "os.modelarts.node/nodepool": node_pool_name(pool, spec),
            "os.modelarts/resource.id": f"maos-node-{suffix}",
            "os.modelarts/tenant.domain.id": pool.labels.get("os.modelarts/tenant.domain.id", ""),
            "os.modelarts/tenant.project.id": pool.project_id,
            "os.modelarts/billing.status": "0",
        },
    }
    if node.locked:
        metadata["annotations"] = {LOCK_ANNOTATION: ",".join(node.locked)}
    node_spec: dict[str, Any] = {
        "flavor": node.flavor,
        "os": {"name": node.os_name or ("EulerOS 2.10" if spec.arch == "arm" else "HCE OS 2.0")},
        "hostNetwork": network_ids(pool),
        "rootVolume": {"volumeType": "SSD", "size": "150", "count": 1},
        "extendParams": {"runtime": node.runtime or "containerd", "dockerBaseSize": "50"},
    }
    if node.drained_at is not None:
        node_spec["taints"] = [dict(UNSCHEDULABLE_TAINT)]
    return {"apiVersion": "v2", "kind": "Node", "metadata": metadata, "spec": node_spec, "status": status}
