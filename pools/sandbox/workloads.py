"""ListWorkloads and ShowWorkloadStatistics: the jobs a pool runs, derived from its nodes (API reference §5.x).

Each node that is Available and not drained runs the workloads its ``load`` stands for: the share of its
CPU, memory and accelerators that ``nodes.allocated`` reports, split into one to three workloads, so the
workloads and the nodes' ``availableResources`` always agree. A workload's start follows the node's clock:
jobs end and new ones start every one to five days (a "generation"), and a reboot or reset restarts them.

Workloads leave a node in two ways:

* while the node reboots or resets, its workloads are ``Pending`` (with a queue position) and come back
  ``Running`` on it when it is Available again;
* a drain or a deletion sends them away for good: they are kept in the pool's ``displaced`` list, ``Pending``
  from then on (the pool has no free room the sandbox would place them in).

Choices where the docs are silent (**sandbox**): a workload's ``flavor`` is its node's flavor; the list is
ordered pending first (by queue position), then running by node, unless ``sort=create_time`` asks otherwise;
``limit`` 0 or absent means 500.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from pools.sandbox import errors, hashing
from pools.sandbox.flavors import flavor
from pools.sandbox.model import NODE_AVAILABLE, NODE_REBOOTING, NODE_RESETTING, NodeRecord, PoolRecord
from pools.sandbox.nodes import Amounts, planned
from pools.sandbox.store import Store

RUNNING = "Running"
PENDING = "Pending"
STATUSES = (
    "Queue",
    "Pending",
    "Abnormal",
    "Terminating",
    "Creating",
    "Running",
    "Completed",
    "Terminated",
    "Failed",
)
TYPE_BY_SCOPE = {"Train": "train", "Infer": "infer", "Notebook": "notebook"}
TYPES = ("train", "infer", "notebook", "x-infer")
USERS = ("li.wei", "zhang.min", "a.schmidt", "m.rossi", "s.tanaka", "j.okafor", "p.novak", "r.gupta")
# The accelerator key of a workload's resourceRequirement, by the node's accelerator resource.
REQUIREMENT_KEYS = {
    "nvidia.com/gpu": "nvidia.com/gpu",
    "huawei.com/ascend-snt9": "huawei.com/ascend-1980",
    "huawei.com/ascend-snt3": "huawei.com/ascend-310",
}
MAX_LIMIT = 500
MAX_DISPLACED = 500  # per pool: the oldest displaced workloads are forgotten (they "gave up")
DAY = 86400.0


def _requirement(amounts: Amounts, node: NodeRecord) -> dict[str, str]:
    spec = flavor(node.flavor)
    result = {"cpu": f"{amounts.cpu_millicores}m", "memory": f"{amounts.memory_mebibytes}Mi"}
    if spec.accelerator_resource:
        result[REQUIREMENT_KEYS.get(spec.accelerator_resource, spec.accelerator_resource)] = str(
            amounts.accelerators
        )
    return result


def _split(total: int, parts: int) -> list[int]:
    share, extra = divmod(total, parts)
    return [share + (1 if index < extra else 0) for index in range(parts)]


def node_workloads(pool: PoolRecord, node: NodeRecord, now: float) -> list[dict[str, Any]]:
    """The workloads that belong on ``node`` at ``now`` (whatever its phase), as plain records."""
    amounts = planned(node)
    if amounts.cpu_millicores <= 0:
        return []
    pieces = 1 + hashing.seed_of(node.name, "pieces") % 3
    if flavor(node.flavor).accelerator_resource:
        pieces = max(1, min(pieces, amounts.accelerators))
    cpus = _split(amounts.cpu_millicores, pieces)
    memories = _split(amounts.memory_mebibytes, pieces)
    cards = _split(amounts.accelerators, pieces)
    scopes = [TYPE_BY_SCOPE[scope] for scope in pool.spec.get("scope", []) if scope in TYPE_BY_SCOPE] or [
        "train"
    ]
    since = node.back_since(now)
    records = []
    for index in range(pieces):
        period = DAY * (1 + hashing.seed_of(node.name, index, "period") % 5)
        offset = hashing.fraction(node.name, index, "offset") * period
        elapsed = now - since
        generation = 0 if elapsed < offset else 1 + math.floor((elapsed - offset) / period)
        started = since if generation == 0 else since + offset + (generation - 1) * period
        uid = hashing.uuid_of("workload", pool.name, node.name, index, generation, since)
        kind = scopes[hashing.seed_of(node.name, index, "type") % len(scopes)]
        records.append(
            {
                "name": f"{kind}-{hashing.alphanumeric(8, uid)}",
                "uid": uid,
                "type": kind,
                "user": USERS[hashing.seed_of(uid, "user") % len(USERS)],
                "flavor": node.flavor,
                "requirement": _requirement(Amounts(cpus[index], memories[index], cards[index]), node),
                "priority": str(1 + hashing.seed_of(uid, "priority") % 3),
                "created_at": started,
                "node": node.name,
                "host_ip": node.private_ip,
            }
        )
    return records


def displace(pool: PoolRecord, nodes: list[NodeRecord], now: float) -> None:
    """Send the workloads on ``nodes`` away for good (a drain or a deletion): pending from ``now``."""
    for node in nodes:
        if node.drained_at is not None or node.phase(now) != NODE_AVAILABLE:
            continue
        for record in node_workloads(pool, node, now):
            pool.displaced.append({**record, "node": "", "host_ip": "", "pending_since": now})
    del pool.displaced[:-MAX_DISPLACED]


def current(pool: PoolRecord, now: float) -> list[dict[str, Any]]:
    """Every workload of the pool now, each with ``status`` and, when pending, ``pending_since``."""
    running, waiting = [], []
    for node, phase in pool.live_nodes(now):
        if node.drained_at is not None:
            continue
        if phase == NODE_AVAILABLE:
            running += [{**record, "status": RUNNING} for record in node_workloads(pool, node, now)]
        elif phase in (NODE_REBOOTING, NODE_RESETTING) and node.out_from is not None:
            for record in node_workloads(pool, node, node.out_from):
                waiting.append(
                    {**record, "node": "", "host_ip": "", "status": PENDING, "pending_since": node.out_from}
                )
    waiting += [{**record, "status": PENDING} for record in pool.displaced]
    waiting.sort(key=lambda record: (record["pending_since"], record["name"]))
    for position, record in enumerate(waiting, start=1):
        record["position"] = position
    return waiting + running


def render(record: dict[str, Any], now: float) -> dict[str, Any]:
    pending = record["status"] == PENDING
    started = record["pending_since"] if pending else record["created_at"]
    item: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Workload",
        "type": record["type"],
        "namespace": f"ns-{record['user'].replace('.', '-')}",
        "name": record["name"],
        "jobName": record["name"],
        "uid": record["uid"],
        "jobUUID": hashing.uuid_of("job", record["uid"]),
        "flavor": record["flavor"],
        "status": record["status"],
        "userName": record["user"],
        "resourceRequirement": dict(record["requirement"]),
        "priority": record["priority"],
        "runningDuration": 0 if pending else max(0, int(now - started)),
        "pendingDuration": max(0, int(now - started)) if pending else 0,
        "createTime": int(record["created_at"] * 1000),
        "gvk": "batch.volcano.sh/v1alpha1, Kind=Job",
    }
    if pending:
        item["pendingPosition"] = record["position"]
    else:
        item["hostIps"] = record["host_ip"]
        item["nodes"] = [{"hostIp": record["host_ip"], "resourceRequirement": dict(record["requirement"])}]
    return item


def _limit(text: str | None) -> int:
    if text is None or text == "":
        return MAX_LIMIT
    if not text.isdigit() or int(text) > MAX_LIMIT:
        raise errors.bad_request(f"limit: must be a whole number from 0 to {MAX_LIMIT}")
    return int(text) or MAX_LIMIT


def _offset(text: str | None) -> int:
    if text is None or text == "":
        return 0
    if not text.isdigit() or int(text) > 2147483647:
        raise errors.bad_request("offset: must be a whole number from 0 to 2147483647")
    return int(text)


def list_workloads(store: Store, project_id: str, pool_name: str, query: Mapping[str, str]) -> dict:
    kind, status, sort = query.get("type"), query.get("status"), query.get("sort")
    if kind is not None and kind not in TYPES:
        raise errors.bad_request(f"type: must be one of {', '.join(TYPES)}")
    if status is not None and status not in STATUSES:
        raise errors.bad_request(f"status: must be one of {', '.join(STATUSES)}")
    if sort is not None and sort != "create_time":
        raise errors.bad_request("sort: must be create_time")
    if query.get("ascend") not in (None, "true", "false"):
        raise errors.bad_request("ascend: must be true or false")
    hosts = {ip.strip() for ip in query.get("hostip", "").split(",") if ip.strip()}
    limit, offset = _limit(query.get("limit")), _offset(query.get("offset"))
    with store.lock:
        now = store.now()
        records = current(store.find(project_id, pool_name), now)
    chosen = [
        record
        for record in records
        if (kind is None or record["type"] == kind)
        and (status is None or record["status"] == status)
        and (not hosts or record["host_ip"] in hosts)
    ]
    if sort:
        chosen.sort(
            key=lambda record: (record["created_at"], record["name"]), reverse=query.get("ascend") != "true"
        )
    if not hosts:  # with hostip the API ignores paging
        chosen = chosen[offset : offset + limit]
    return {"apiVersion": "v1", "kind": "WorkloadList", "items": [render(record, now) for record in chosen]}


def workload_statistics(store: Store, project_id: str, pool_name: str) -> dict:
    with store.lock:
        records = current(store.find(project_id, pool_name), store.now())
    items = []
    for kind in ("train", "infer", "notebook"):
        mine = [record for record in records if record["type"] == kind]
        counts = dict.fromkeys(STATUSES, 0)
        for record in mine:
            counts[record["status"]] += 1
        items.append({"type": kind, "total": len(mine), "status": counts})
    return {"statistics": {"total": len(items), "items": items}}
