"""The operations' paths (API reference §2 and docs/modelarts-api.md), matched against a request's method and raw path."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

BATCH_DELETE_POOL_NODES = "BatchDeletePoolNodes"
LIST_POOL_NODES = "ListPoolNodes"
SHOW_POOL_RUNTIME_METRICS = "ShowPoolRuntimeMetrics"
SHOW_POOL_STATISTICS = "ShowPoolStatistics"
SHOW_POOL_MONITOR = "ShowPoolMonitor"
DELETE_POOL = "DeletePool"
SHOW_POOL = "ShowPool"
CREATE_POOL = "CreatePool"
LIST_POOLS = "ListPools"
LIST_EVENTS = "ListEvents"
LIST_SCHEDULED_EVENTS = "ListScheduledEvents"
ACCEPT_SCHEDULED_EVENT = "AcceptScheduledEvent"
# Changing a pool (scale, edit), its tags, its orders, and the flavors on offer (docs/modelarts-api.md).
PATCH_POOL = "PatchPool"
SHOW_POOL_TAGS = "ShowPoolTags"
BATCH_CREATE_POOL_TAGS = "BatchCreatePoolTags"
BATCH_DELETE_POOL_TAGS = "BatchDeletePoolTags"
LIST_POOL_TAGS = "ListPoolTags"
SHOW_ORDER = "ShowOrder"
LIST_ORDERS = "ListOrders"  # not in the SDK; the Terraform provider reads it
LIST_RESOURCE_FLAVORS = "ListResourceFlavors"

# A pool's nodes: one node, the node actions, its workloads and the jobs that follow them.
SHOW_POOL_NODE = "ShowPoolNode"
BATCH_REBOOT_POOL_NODES = "BatchRebootPoolNodes"
BATCH_DRAIN_POOL_NODES = "BatchDrainPoolNodes"
BATCH_LOCK_POOL_NODES = "BatchLockPoolNodes"
BATCH_UNLOCK_POOL_NODES = "BatchUnlockPoolNodes"
BATCH_RESET_POOL_NODES = "BatchResetPoolNodes"
LIST_WORKLOADS = "ListWorkloads"
SHOW_WORKLOAD_STATISTICS = "ShowWorkloadStatistics"
LIST_JOBS = "ListJobs"

PROJECT = "{project_id}"
POOL = "{pool_name}"
ORDER = "{order_name}"
NODE = "{node_name}"
EVENT = "{event_id}"

# (method, path segments after the leading "/", operation); named as the SDK's request classes are.
ROUTES: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("POST", ("v2", PROJECT, "pools", POOL, "nodes", "batch-delete"), BATCH_DELETE_POOL_NODES),
    ("POST", ("v2", PROJECT, "pools", POOL, "nodes", "batch-reboot"), BATCH_REBOOT_POOL_NODES),
    ("POST", ("v2", PROJECT, "pools", POOL, "nodes", "batch-drain"), BATCH_DRAIN_POOL_NODES),
    ("POST", ("v2", PROJECT, "pools", POOL, "nodes", "batch-lock"), BATCH_LOCK_POOL_NODES),
    ("POST", ("v2", PROJECT, "pools", POOL, "nodes", "batch-unlock"), BATCH_UNLOCK_POOL_NODES),
    ("POST", ("v2", PROJECT, "pools", POOL, "nodes", "batch-reset"), BATCH_RESET_POOL_NODES),
    ("GET", ("v2", PROJECT, "pools", POOL, "nodes", NODE), SHOW_POOL_NODE),
    ("GET", ("v2", PROJECT, "pools", POOL, "workloads"), LIST_WORKLOADS),
    ("GET", ("v2", PROJECT, "statistics", "pools", POOL, "workloads"), SHOW_WORKLOAD_STATISTICS),
    ("GET", ("v2", PROJECT, "jobs"), LIST_JOBS),
    ("GET", ("v2", PROJECT, "pools", POOL, "nodes"), LIST_POOL_NODES),
    ("GET", ("v2", PROJECT, "metrics", "runtime", "pools"), SHOW_POOL_RUNTIME_METRICS),
    ("GET", ("v2", PROJECT, "statistics", "pools"), SHOW_POOL_STATISTICS),
    ("GET", ("v2", PROJECT, "pools", POOL, "monitor"), SHOW_POOL_MONITOR),
    ("DELETE", ("v2", PROJECT, "pools", POOL), DELETE_POOL),
    ("GET", ("v2", PROJECT, "pools", POOL), SHOW_POOL),
    ("POST", ("v2", PROJECT, "pools"), CREATE_POOL),
    ("GET", ("v2", PROJECT, "pools"), LIST_POOLS),
    ("PATCH", ("v2", PROJECT, "pools", POOL), PATCH_POOL),
    ("GET", ("v1", PROJECT, "pools", "tags"), LIST_POOL_TAGS),
    ("GET", ("v1", PROJECT, "pools", POOL, "tags"), SHOW_POOL_TAGS),
    ("POST", ("v1", PROJECT, "pools", POOL, "tags", "create"), BATCH_CREATE_POOL_TAGS),
    ("DELETE", ("v1", PROJECT, "pools", POOL, "tags", "delete"), BATCH_DELETE_POOL_TAGS),
    ("GET", ("v1", PROJECT, "orders", ORDER), SHOW_ORDER),
    ("GET", ("v1", PROJECT, "orders"), LIST_ORDERS),
    ("GET", ("v1", PROJECT, "resourceflavors"), LIST_RESOURCE_FLAVORS),
    ("GET", ("v1", PROJECT, "events"), LIST_EVENTS),
    ("GET", ("v1", PROJECT, "scheduled-events"), LIST_SCHEDULED_EVENTS),
    ("POST", ("v1", PROJECT, "scheduled-events", EVENT, "accept"), ACCEPT_SCHEDULED_EVENT),
)

OPERATIONS: tuple[str, ...] = tuple(operation for _, _, operation in ROUTES)


@dataclass(frozen=True)
class Route:
    operation: str
    project_id: str
    pool_name: str | None = None
    order_name: str | None = None
    node_name: str | None = None
    event_id: str | None = None


class MethodNotAllowed(LookupError):
    """The path names an operation, but not with this method."""


def _bind(pattern: tuple[str, ...], segments: list[str]) -> dict[str, str] | None:
    if len(pattern) != len(segments):
        return None
    bound: dict[str, str] = {}
    for expected, actual in zip(pattern, segments, strict=True):
        if expected in (PROJECT, POOL, ORDER, NODE, EVENT):
            if not actual:
                return None
            bound[expected] = actual
        elif expected != actual:
            return None
    return bound


def match(method: str, raw_path: str) -> Route | None:
    """The route for this request; ``None`` for an unknown path, ``MethodNotAllowed`` for a wrong method.

    The most specific paths win: ``GET …/nodes/batch-delete`` is BatchDeletePoolNodes' path with the wrong
    method, not ShowPoolNode of a node called "batch-delete"."""
    segments = [unquote(segment) for segment in raw_path.split("/")[1:]]
    candidates = []
    for route_method, pattern, operation in ROUTES:
        bound = _bind(pattern, segments)
        if bound is not None:
            candidates.append((len(bound), route_method, operation, bound))
    if not candidates:
        return None
    fewest = min(placeholders for placeholders, *_ in candidates)
    for placeholders, route_method, operation, bound in candidates:
        if placeholders == fewest and route_method == method:
            return Route(
                operation,
                bound[PROJECT],
                bound.get(POOL),
                order_name=bound.get(ORDER),
                node_name=bound.get(NODE),
                event_id=bound.get(EVENT),
            )
    raise MethodNotAllowed(raw_path)
