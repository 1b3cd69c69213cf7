"""Pool objects as ModelArts returns them (API reference §4.1), from a record at a moment.

``status.resources`` uses the documented ARRAY form: per node phase (``creating``, ``available``,
``abnormal``, ``deleting``) a list of ``{flavor, count, maxCount, azs}``; empty groups are left out.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from pools.sandbox.clock import rfc3339
from pools.sandbox.flavors import GPU, NPU, flavor
from pools.sandbox.model import (
    CREATING,
    DELETING,
    ERROR,
    NODE_ABNORMAL,
    NODE_AVAILABLE,
    NODE_CREATING,
    NODE_DELETING,
    RUNNING,
    WAITING,
    PoolRecord,
)

GROUP_BY_NODE_PHASE = {
    NODE_CREATING: "creating",
    NODE_AVAILABLE: "available",
    NODE_ABNORMAL: "abnormal",
    NODE_DELETING: "deleting",
}
SCOPE_STATE = {WAITING: "Enabling", CREATING: "Enabling", RUNNING: "Enabled", ERROR: "EnableFailed"}
DRIVER_STATE = {WAITING: "Creating", CREATING: "Creating", RUNNING: "Running", ERROR: "Abnormal"}
DEFAULT_DRIVER_VERSIONS = {GPU: ("gpu", "gpuVersion", "535.54.03"), NPU: ("npu", "npuVersion", "23.0.6")}
MESSAGES = {WAITING: "Waiting for the order to be paid.", CREATING: "Creating the pool's nodes."}


def json_copy(value: Any) -> Any:
    """A deep copy of JSON-shaped data (dicts, lists, scalars), several times faster than ``copy.deepcopy``:
    ListPools renders every pool of a project."""
    if isinstance(value, dict):
        return {key: json_copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [json_copy(item) for item in value]
    return value


def _metadata(pool: PoolRecord, deleted_at: float | None = None) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": pool.name, "creationTimestamp": rfc3339(pool.created_at)}
    if deleted_at is not None:
        metadata["deletionTimestamp"] = rfc3339(deleted_at)
    metadata["labels"] = dict(pool.labels)
    metadata["annotations"] = dict(pool.annotations)
    return metadata


def resource_groups(pool: PoolRecord, now: float) -> dict[str, list[dict[str, Any]]]:
    counts: dict[str, dict[str, Counter[str]]] = {}
    for node, phase in pool.live_nodes(now):
        # A node being rebooted or reset is not available: the sandbox counts it as abnormal meanwhile.
        counts.setdefault(GROUP_BY_NODE_PHASE.get(phase, "abnormal"), {}).setdefault(node.flavor, Counter())[
            node.az
        ] += 1
    order = [resource["flavor"] for resource in pool.spec["resources"]]
    groups = {}
    for group in GROUP_BY_NODE_PHASE.values():
        by_flavor = counts.get(group)
        if not by_flavor:
            continue
        entries = []
        for flavor_id in sorted(
            by_flavor, key=lambda item: order.index(item) if item in order else len(order)
        ):
            zones = by_flavor[flavor_id]
            total = sum(zones.values())
            entries.append(
                {
                    "flavor": flavor_id,
                    "count": total,
                    "maxCount": total,
                    "azs": [{"az": az, "count": zones[az]} for az in sorted(zones)],
                }
            )
        groups[group] = entries
    return groups


def _driver_status(pool: PoolRecord, phase: str) -> dict[str, Any]:
    kinds = {flavor(resource["flavor"]).kind for resource in pool.spec["resources"]}
    requested = pool.spec.get("driver") or {}
    driver = {}
    for kind, (key, version_key, default_version) in DEFAULT_DRIVER_VERSIONS.items():
        if kind in kinds:
            state = DRIVER_STATE.get(phase, "Running")
            driver[key] = {"version": requested.get(version_key, default_version), "state": state}
    return driver


def render_pool(pool: PoolRecord, now: float) -> dict[str, Any]:
    """The pool as ShowPool and ListPools return it at ``now``."""
    phase = pool.phase(now)
    status: dict[str, Any] = {"phase": phase}
    message = pool.message if phase in (ERROR, DELETING) and pool.message else MESSAGES.get(phase)
    if message:
        status["message"] = message
    status["root"] = pool.name
    scope_state = "Disabling" if phase == DELETING else SCOPE_STATE.get(phase, "Enabled")
    status["scope"] = [{"scopeType": scope, "state": scope_state} for scope in pool.spec["scope"]]
    status["resources"] = resource_groups(pool, now)
    if pool.spec["type"] == "Dedicate":
        driver = _driver_status(pool, pool.lifecycle_phase(now))
        if driver:
            status["driver"] = driver
    return {
        "apiVersion": "v2",
        "kind": "Pool",
        "metadata": _metadata(pool),
        "spec": json_copy(pool.spec),
        "status": status,
    }


def render_created(pool: PoolRecord) -> dict[str, Any]:
    """CreatePool's early snapshot (§5.8): no phase yet and empty status resources."""
    return {
        "apiVersion": "v2",
        "kind": "Pool",
        "metadata": _metadata(pool),
        "spec": json_copy(pool.spec),
        "status": {"resources": {}},
    }


def render_deleted(pool: PoolRecord, now: float) -> dict[str, Any]:
    """DeletePool's answer: the pool as it was when the delete was accepted, plus ``deletionTimestamp``."""
    snapshot = render_pool(pool, now)
    snapshot["metadata"] = _metadata(pool, deleted_at=now)
    return snapshot
