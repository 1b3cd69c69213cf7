"""The pool and node operations over the store: CreatePool, ShowPool, ListPools, DeletePool,
ListPoolNodes, BatchDeletePoolNodes and ShowPoolStatistics. Each returns the JSON body of a 200 answer or
raises ``ApiError``.

Choices where the docs are silent:

* ListPools and ShowPoolStatistics without ``workspaceId`` cover workspace ``"0"`` only, the documented
  default (API reference §5.4, §5.9): no call lists every workspace at once.
* ListPools ``status=creating`` also matches pools waiting for payment (statistics count those as
  ``pending``); a pool being deleted keeps the group it had (``created`` or ``failed``) until it is gone.
* Deleting a pool that is already being deleted answers 409 ``ModelArts.50015002``.
* Nodes can be deleted only from a Running pool (400 otherwise); naming a node that is already being
  deleted is accepted and changes nothing; unknown names answer 400 naming them, and so do nodes locked
  against deletion (BatchLockPoolNodes); the workloads of deleted nodes go pending (``workloads.py``).
* ``limit=0`` (or empty) means the default page of 500.
* A yearly/monthly pool's order is made on create, as ModelArts does: the pool carries its id in the
  ``os.modelarts/order.id`` annotation (the one given in the request, if any).
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from pools.sandbox import errors, hashing, labels, paging, workloads
from pools.sandbox.clock import go_time
from pools.sandbox.model import (
    ABNORMAL,
    DELETING,
    ERROR,
    NAME_LABEL,
    NODE_DELETING,
    PENDING,
    RUNNING,
    WORKSPACE_LABEL,
    NodeRecord,
    PoolRecord,
    creation_schedule,
    creation_window,
)
from pools.sandbox.nodes import build_nodes, render_node
from pools.sandbox.render import render_created, render_deleted, render_pool
from pools.sandbox.store import Store, domain_id_for
from pools.sandbox.validation import (
    AUTO_PAY,
    BILLING_MODE,
    DEDICATE,
    ORDER_ID,
    PoolRequest,
    parse_json_object,
    validate_create,
)

LIST_STATUS_CATEGORIES = {"created": ("created",), "failed": ("failed",), "creating": ("creating", PENDING)}
STATISTICS_FAILED_CAP = 500
DEFAULT_WORKSPACE = "0"  # what ListPools and ShowPoolStatistics read when no workspaceId is given
CREATION_FAILURE = "Failed to create the pool: insufficient resources for flavor {flavor} in {azs}."


def _order_id(pool_name: str, created_at: float) -> str:
    """An order id in the billing centre's shape (e.g. CS2501010800ABCDE), made when the pool is."""
    minute = datetime.fromtimestamp(created_at, UTC).strftime("%y%m%d%H%M")
    return f"CS{minute}{hashing.alphanumeric(5, 'order', pool_name).upper()}"


def make_pool(
    store: Store,
    project_id: str,
    request: PoolRequest,
    *,
    created_at: float,
    schedule: list[list[Any]],
    abnormal_nodes: int = 0,
) -> PoolRecord:
    """A pool record with its metadata and nodes, following ``schedule``; not yet added to the store."""
    sequence = store.next_sequence()
    name = f"{request.display_name}-{hashing.hex32(store.seed, project_id, request.display_name, sequence)}"
    pool_labels = {
        NAME_LABEL: request.display_name,
        WORKSPACE_LABEL: request.workspace_id,
        **request.labels,
        "os.modelarts/resource.id": f"maos-{request.display_name}-{hashing.alphanumeric(5, name)}",
        "os.modelarts/tenant.domain.id": domain_id_for(project_id),
        "os.modelarts/tenant.project.id": project_id,
        "os.modelarts.pool/biz": "private",
        "os.modelarts/create-from": "console",
        "os.modelarts/region": store.region,
    }
    resource_ids = {
        resource["flavor"]: f"{resource['flavor'].replace('modelarts.', 'maos.', 1)}."
        f"{hashing.seed_of(name, resource['flavor']) % 10**10:010d}"
        for resource in request.spec["resources"]
    }
    annotations = {
        BILLING_MODE: "0",
        **request.annotations,
        "os.modelarts/flavor.resource.ids": json.dumps(resource_ids, separators=(",", ":")),
    }
    if request.billing_mode == "1" and not annotations.get(ORDER_ID):
        annotations[ORDER_ID] = _order_id(name, created_at)
    pool = PoolRecord(
        name=name,
        project_id=project_id,
        sequence=sequence,
        created_at=created_at,
        labels=pool_labels,
        annotations=annotations,
        spec=request.spec,
        schedule=schedule,
    )
    if any(phase in (RUNNING, ERROR) for _, phase in schedule):
        nodes_from, ready_at = creation_window(schedule)
        pool.nodes = build_nodes(
            pool_name=name,
            resources=request.spec["resources"],
            azs=store.azs,
            seed=store.seed,
            network_index=sequence,
            created_at=nodes_from,
            ready_at=ready_at,
            abnormal=abnormal_nodes,
        )
        if schedule[-1][1] != RUNNING:  # creation fails: the nodes go when the pool turns Error
            first = request.spec["resources"][0]
            pool.message = CREATION_FAILURE.format(flavor=first["flavor"], azs=", ".join(store.azs))
            for node in pool.nodes:
                node.gone_at = ready_at
    return pool


def create_pool(store: Store, project_id: str, body: bytes, *, should_fail: Callable[[], bool]) -> dict:
    request = validate_create(body, store.azs)
    with store.lock:
        if any(pool.display_name == request.display_name for pool in store.project_pools(project_id)):
            raise errors.pool_exists()
        now = store.now()
        awaits_payment = request.billing_mode == "1" and request.annotations.get(AUTO_PAY) != "true"
        schedule = creation_schedule(now, store.timings, awaits_payment=awaits_payment, fails=should_fail())
        pool = make_pool(store, project_id, request, created_at=now, schedule=schedule)
        store.add(pool)
        store.changed()
        return render_created(pool)


def show_pool(store: Store, project_id: str, pool_name: str) -> dict:
    with store.lock:
        return render_pool(store.find(project_id, pool_name), store.now())


def list_pools(store: Store, project_id: str, query: Mapping[str, str]) -> dict:
    status = query.get("status")
    if status is not None and status not in LIST_STATUS_CATEGORIES:
        raise errors.bad_request("status: must be one of created, failed, creating")
    try:
        selector = labels.parse_selector(query.get("labelSelector", ""))
    except ValueError as problem:
        raise errors.bad_request(f"labelSelector: {problem}") from None
    workspace = query.get("workspaceId", DEFAULT_WORKSPACE)
    with store.lock:
        now = store.now()
        items = [
            render_pool(pool, now)
            for pool in store.project_pools(project_id)
            if pool.workspace_id == workspace
            and (status is None or pool.category(now) in LIST_STATUS_CATEGORIES[status])
            and labels.matches(selector, pool.labels)
        ]
    return {"apiVersion": "v2", "kind": "PoolList", "items": items}


def delete_pool(store: Store, project_id: str, pool_name: str) -> dict:
    with store.lock:
        pool = store.find(project_id, pool_name)
        now = store.now()
        if pool.phase(now) == DELETING:
            raise errors.pool_being_deleted()
        snapshot = render_deleted(pool, now)
        pool.deleted_at = now
        pool.gone_at = now + store.timings.deletion_seconds
        for node in pool.nodes:
            node.mark_deleting(now, pool.gone_at)
        store.changed()
        return snapshot


def list_nodes(store: Store, project_id: str, pool_name: str, query: Mapping[str, str]) -> dict:
    try:
        limit = paging.parse_limit(query.get("limit"))
    except ValueError as problem:
        raise errors.bad_request(f"limit: {problem}") from None
    with store.lock:
        pool = store.find(project_id, pool_name)
        token = query.get("continue")
        after = ""
        if token:
            try:
                after = paging.decode(token, pool.name)
            except ValueError as problem:
                raise errors.bad_request(f"continue: {problem}") from None
        live = pool.live_nodes(store.now())
        start = bisect.bisect_right([node.name for node, _ in live], after) if after else 0
        page = live[start : start + limit]
        remaining = len(live) - start - len(page)
        metadata: dict[str, Any] = {}
        if remaining > 0:
            metadata = {
                "continue": paging.encode(pool.name, page[-1][0].name),
                "remainingItemCount": remaining,
            }
        items = [render_node(node, phase, pool) for node, phase in page]
    return {"apiVersion": "v2", "kind": "NodeList", "metadata": metadata, "items": items}


def _node_names(body: bytes) -> list[str]:
    names = parse_json_object(body).get("deleteNodeNames")
    if not isinstance(names, list) or not names or not all(isinstance(n, str) and n for n in names):
        raise errors.bad_request("deleteNodeNames: must be a non-empty list of node names")
    return list(dict.fromkeys(names))


def _shrink_spec(pool: PoolRecord, removed: list[NodeRecord]) -> None:
    """Lower the desired counts (and AZ split) of the flavors whose nodes are being deleted."""
    for resource in pool.spec["resources"]:
        gone = [node for node in removed if node.flavor == resource["flavor"]]
        if not gone:
            continue
        resource["count"] -= len(gone)
        if pool.spec.get("type") == DEDICATE:
            resource["maxCount"] = resource["count"]
        else:
            resource["maxCount"] = max(resource["count"], resource["maxCount"] - len(gone))
        if resource.get("azs"):
            for node in gone:
                for entry in resource["azs"]:
                    if entry["az"] == node.az and entry["count"] > 0:
                        entry["count"] -= 1
                        break
            resource["azs"] = [entry for entry in resource["azs"] if entry["count"] > 0]


def delete_nodes(store: Store, project_id: str, pool_name: str, body: bytes) -> dict:
    with store.lock:
        pool = store.find(project_id, pool_name)
        names = _node_names(body)
        now = store.now()
        phase = pool.phase(now)
        if phase == DELETING:
            raise errors.pool_being_deleted()
        if phase not in (RUNNING, ABNORMAL):
            raise errors.bad_request(f"the pool is {phase}; nodes can be deleted only from a Running pool")
        live = dict((node.name, (node, node_phase)) for node, node_phase in pool.live_nodes(now))
        unknown = [name for name in names if name not in live]
        if unknown:
            raise errors.bad_request(f"deleteNodeNames: no such nodes in the pool: {', '.join(unknown)}")
        locked = [name for name in names if "delete" in live[name][0].locked]
        if locked:
            raise errors.bad_request(f"deleteNodeNames: nodes locked against deletion: {', '.join(locked)}")
        staying = [name for name, (_, node_phase) in live.items() if node_phase != NODE_DELETING]
        if not set(staying) - set(names):
            raise errors.bad_request(f"deleteNodeNames: {errors.MSG_LAST_NODE}")
        removed = [live[name][0] for name in names if live[name][1] != NODE_DELETING]
        workloads.displace(pool, removed, now)
        for node in removed:
            node.mark_deleting(now, now + store.timings.node_deletion_seconds)
        _shrink_spec(pool, removed)
        store.changed()
    return {}


def pool_statistics(store: Store, project_id: str, query: Mapping[str, str]) -> dict:
    workspace = query.get("workspaceId", DEFAULT_WORKSPACE)
    counts = {"creating": 0, "created": 0, "failed": 0, "pending": 0}
    with store.lock:
        now = store.now()
        for pool in store.project_pools(project_id):
            if pool.workspace_id == workspace:
                counts[pool.category(now)] += 1
    counts["failed"] = min(counts["failed"], STATISTICS_FAILED_CAP)
    return {"statistics": {"status": counts}, "operationTime": go_time(now)}
