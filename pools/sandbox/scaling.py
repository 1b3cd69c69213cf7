"""PatchPool (``PATCH /v2/{project_id}/pools/{pool_name}``): scaling a pool and editing it.

The body is a JSON merge patch (``application/merge-patch+json``, as Huawei's docs and the Terraform provider
send it; the SDK 3.1.219 sends ``application/json``, so both are accepted and anything else is 415). What the
sandbox applies, each at once unless said otherwise:

* ``metadata.annotations["os.modelarts/description"]`` — the description (no ``!<>=&"'``, as the SDK's
  docstring says; at most 256 characters, the sandbox's limit);
* ``spec.scope`` — the job types; ``spec.driver`` — ``gpuVersion``/``npuVersion`` and ``updateStrategy``;
* ``spec.resources`` — the new count per flavor (arrays replace, as in any merge patch, so every flavor the
  pool has must be listed; a flavor not yet in the pool is a new row). A count change makes an **order**
  (``orders.py``), named in the answer's ``metadata.labels["os.modelarts/order.name"]``: new nodes go
  ``Creating`` → ``Available`` over ``creation_seconds``, removed ones ``Deleting`` → gone over
  ``node_deletion_seconds``. The caller cannot name the nodes a scale-down removes (BatchDeletePoolNodes
  does that): the sandbox, standing in for ModelArts, takes abnormal nodes first, then the newest.
  ``azs`` asks for a split per zone; new nodes may not go to a zone the flavor is sold out in.

The pool's phase stays ``Running`` while it scales; ``status.resources`` shows the ``creating`` and
``deleting`` nodes. A yearly/monthly pool that grows needs ``os.modelarts/order.id`` or
``os.modelarts/auto.pay`` (``"1"``/``"true"``, as Terraform sends it) so the new nodes' order is paid.
While an order is still being worked on, another count change is refused (409).
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from collections.abc import Callable
from typing import Any

from pools.sandbox import errors, hashing, orders
from pools.sandbox.errors import ApiError
from pools.sandbox.flavors import CATALOG
from pools.sandbox.model import ABNORMAL, NODE_ABNORMAL, NODE_DELETING, RUNNING, NodeRecord, PoolRecord
from pools.sandbox.nodes import NODE_PREFIX
from pools.sandbox.render import render_pool
from pools.sandbox.resource_flavors import sold_out_zones
from pools.sandbox.store import Store
from pools.sandbox.validation import (
    AUTO_PAY,
    BILLING_MODE,
    DEDICATE,
    MAX_NODES_PER_FLAVOR,
    ORDER_ID,
    SCOPES,
    UPDATE_STRATEGIES,
    _Problems,
    is_count,
    parse_json_object,
)

CONTENT_TYPES = ("application/merge-patch+json", "application/json")
DESCRIPTION = "os.modelarts/description"
ORDER_NAME_LABEL = "os.modelarts/order.name"
MAX_DESCRIPTION = 256
DESCRIPTION_FORBIDDEN = re.compile(r"[!<>=&\"']")
DRIVER_VERSION = re.compile(r"[0-9][0-9A-Za-z.\-]{0,31}")
POOL_BUSY = "ModelArts.50015003"  # the sandbox's choice: the docs list no code for a pool still scaling
AUTO_PAY_ON = ("1", "true")


def check_content_type(content_type: str) -> None:
    media_type = content_type.split(";")[0].strip().lower()
    if media_type not in CONTENT_TYPES:
        raise ApiError(
            415,
            errors.BAD_REQUEST,
            f"Content-Type must be one of {', '.join(CONTENT_TYPES)}, not {media_type!r}",
        )


def _check_annotations(metadata: object, problems: _Problems) -> dict[str, str]:
    if metadata is None:
        return {}
    annotations = metadata.get("annotations") if isinstance(metadata, dict) else None
    if not isinstance(metadata, dict) or not isinstance(annotations, dict | None):
        problems.add("metadata.annotations", "must be an object")
        return {}
    result = {}
    for key, value in (annotations or {}).items():
        if not isinstance(value, str):
            problems.add(f'metadata.annotations["{key}"]', "must be a string")
        else:
            result[key] = value
    description = result.get(DESCRIPTION)
    if description is not None and (
        len(description) > MAX_DESCRIPTION or DESCRIPTION_FORBIDDEN.search(description)
    ):
        problems.add(
            f'metadata.annotations["{DESCRIPTION}"]',
            f"at most {MAX_DESCRIPTION} characters, none of !<>=&\"'",
        )
    return result


def _check_scope(scope: object, problems: _Problems) -> None:
    if not isinstance(scope, list) or not scope:
        problems.add("spec.scope", "must be a non-empty list of Train, Infer, Notebook")
    elif any(item not in SCOPES for item in scope) or len(set(scope)) != len(scope):
        problems.add("spec.scope", "may only contain Train, Infer and Notebook, each once")


def _check_driver(pool: PoolRecord, driver: object, problems: _Problems) -> None:
    if not isinstance(driver, dict):
        problems.add("spec.driver", "must be an object")
        return
    if pool.spec.get("type") != DEDICATE:
        problems.add("spec.driver", "only a Dedicate (physical) pool has a driver")
    for key in ("gpuVersion", "npuVersion"):
        if key in driver and not (isinstance(driver[key], str) and DRIVER_VERSION.fullmatch(driver[key])):
            problems.add(f"spec.driver.{key}", "must be a version such as 535.54.03")
    if driver.get("updateStrategy", "idle") not in UPDATE_STRATEGIES:
        problems.add("spec.driver.updateStrategy", 'must be "force" or "idle"')


def _check_azs(resource: dict, path: str, azs: tuple[str, ...], problems: _Problems) -> None:
    entries = resource["azs"]
    if not isinstance(entries, list) or not entries:
        problems.add(f"{path}.azs", "must be a non-empty list")
        return
    total, seen = 0, set()
    for index, entry in enumerate(entries):
        az = entry.get("az") if isinstance(entry, dict) else None
        count = entry.get("count") if isinstance(entry, dict) else None
        if az not in azs or az in seen:
            problems.add(f"{path}.azs[{index}].az", f"must be one of {', '.join(azs)}, each once")
        seen.add(az)
        if not is_count(count) or count < 0:
            problems.add(f"{path}.azs[{index}].count", "must be a whole number of at least 0")
        else:
            total += count
    if total != resource["count"]:
        problems.add(f"{path}.azs", f"counts add up to {total}, not the resource's count {resource['count']}")


def _check_resources(pool: PoolRecord, resources: object, azs: tuple[str, ...], problems: _Problems) -> None:
    if not isinstance(resources, list) or not resources:
        problems.add("spec.resources", "must be a non-empty list")
        return
    seen = set()
    for index, resource in enumerate(resources):
        path = f"spec.resources[{index}]"
        if not isinstance(resource, dict):
            problems.add(path, "must be an object")
            continue
        flavor_id, count = resource.get("flavor"), resource.get("count")
        if flavor_id not in CATALOG or flavor_id in seen:
            problems.add(f"{path}.flavor", f"unknown or repeated flavor {flavor_id!r}")
        seen.add(flavor_id)
        if not is_count(count) or not 1 <= count <= MAX_NODES_PER_FLAVOR:
            problems.add(f"{path}.count", f"must be a whole number from 1 to {MAX_NODES_PER_FLAVOR}")
        elif resource.get("azs") is not None:
            _check_azs(resource, path, azs, problems)
    missing = [r["flavor"] for r in pool.spec["resources"] if r["flavor"] not in seen]
    if missing:
        problems.add("spec.resources", f"must list every flavor of the pool (missing: {', '.join(missing)})")


def _validate(pool: PoolRecord, data: dict, azs: tuple[str, ...]) -> dict[str, str]:
    problems = _Problems()
    annotations = _check_annotations(data.get("metadata"), problems)
    spec = data.get("spec")
    if spec is not None and not isinstance(spec, dict):
        problems.add("spec", "must be an object")
        spec = {}
    spec = spec or {}
    if "scope" in spec:
        _check_scope(spec["scope"], problems)
    if "driver" in spec:
        _check_driver(pool, spec["driver"], problems)
    if "resources" in spec:
        _check_resources(pool, spec["resources"], azs, problems)
    problems.raise_if_any()
    return annotations


def _live(pool: PoolRecord, flavor_id: str, now: float) -> list[NodeRecord]:
    """The flavor's nodes that exist and are not being deleted."""
    return [n for n, phase in pool.live_nodes(now) if n.flavor == flavor_id and phase != NODE_DELETING]


def _removal_order(nodes: list[NodeRecord], now: float) -> list[NodeRecord]:
    """ModelArts' choice, as the sandbox makes it: abnormal nodes first, then the newest."""
    return sorted(nodes, key=lambda n: (n.phase(now) != NODE_ABNORMAL, -n.created_at, n.name))


def _zone_targets(resource: dict, current: Counter[str], azs: tuple[str, ...]) -> Counter[str]:
    """How many nodes each zone should have: as ``azs`` asks, or the current spread grown/shrunk evenly."""
    if resource.get("azs"):
        return Counter({entry["az"]: entry["count"] for entry in resource["azs"]})
    target = Counter(current)
    difference = resource["count"] - sum(current.values())
    for _ in range(abs(difference)):
        if difference > 0:
            target[min(azs, key=lambda az: (target[az], azs.index(az)))] += 1
        else:
            target[max(azs, key=lambda az: (target[az], -azs.index(az)))] -= 1
    return target


def _new_node(
    store: Store, pool: PoolRecord, flavor_id: str, az: str, now: float, taken: set[str]
) -> NodeRecord:
    index = len(pool.nodes) + len(taken)
    attempt = 0
    while (
        name := NODE_PREFIX + hashing.alphanumeric(5, store.seed, pool.name, "scale", now, index, attempt)
    ) in taken:
        attempt += 1
    taken.add(name)
    return NodeRecord(
        name=name,
        flavor=flavor_id,
        az=az,
        private_ip=f"10.{pool.sequence % 250}.{128 + index // 250 % 128}.{10 + index % 240}",
        created_at=now,
        ready_at=now + store.timings.creation_seconds,
        load=round(0.15 + 0.8 * hashing.fraction(store.seed, name, "load"), 4),
    )


def _scale(
    store: Store, pool: PoolRecord, resources: list[dict], now: float, *, failing: bool
) -> list[dict[str, Any]]:
    """Add and remove nodes to reach the new counts; returns the order items (empty: nothing changes).
    ``failing``: every other new node fails (it shows ``Creating``, then is gone)."""
    items: list[dict[str, Any]] = []
    added = 0
    taken = {node.name for node in pool.nodes}
    for resource in resources:
        live = _live(pool, resource["flavor"], now)
        current = Counter(node.az for node in live)
        target = _zone_targets(resource, current, store.azs)
        for az in store.azs:
            surplus = current[az] - target[az]
            in_zone = [node for node in live if node.az == az]
            for node in _removal_order(in_zone, now)[: max(surplus, 0)]:
                node.mark_deleting(now, now + store.timings.node_deletion_seconds)
                items.append(
                    {"resourceName": node.name, "action": orders.DELETE_NODE, "done_at": node.gone_at}
                )
            for _ in range(max(-surplus, 0)):
                node = _new_node(store, pool, resource["flavor"], az, now, taken)
                fails = failing and added % 2 == 0
                added += 1
                if fails:
                    node.gone_at = node.ready_at
                pool.nodes.append(node)
                items.append(
                    {
                        "resourceName": node.name,
                        "action": orders.CREATE_NODE,
                        "done_at": node.ready_at,
                        "fails": fails,
                    }
                )
    pool.nodes.sort(key=lambda node: node.name)
    return items


def _check_growth(
    store: Store, pool: PoolRecord, resources: list[dict], annotations: dict, now: float
) -> bool:
    """Refusals before anything changes; returns whether the pool grows."""
    counts = {r["flavor"]: len(_live(pool, r["flavor"], now)) for r in resources}
    grows = any(r["count"] > counts[r["flavor"]] for r in resources)
    if any(r["count"] != counts[r["flavor"]] for r in resources) and orders.open_order(pool, now):
        raise ApiError(409, POOL_BUSY, "The pool is still being scaled; wait until its order has finished.")
    for index, resource in enumerate(resources):
        sold_out = sold_out_zones(store, resource["flavor"])
        asked = [e["az"] for e in resource.get("azs") or [] if e["count"] > 0 and e["az"] in sold_out]
        if asked and resource["count"] > counts[resource["flavor"]]:
            raise errors.bad_request(
                f"spec.resources[{index}].azs: {resource['flavor']} is sold out in {', '.join(asked)}"
            )
    yearly = pool.annotations.get(BILLING_MODE) == "1"
    if grows and yearly and not (annotations.get(ORDER_ID) or annotations.get(AUTO_PAY) in AUTO_PAY_ON):
        raise errors.bad_request(
            f'metadata.annotations["{ORDER_ID}"]: a yearly/monthly pool grows only with an order id or '
            f'"{AUTO_PAY}": "1"'
        )
    return grows


def _apply_resources(
    store: Store,
    pool: PoolRecord,
    resources: list[dict],
    annotations: dict,
    now: float,
    should_fail: Callable[[], bool],
) -> None:
    grows = _check_growth(store, pool, resources, annotations, now)
    items = _scale(store, pool, resources, now, failing=grows and should_fail())
    new_spec = []
    for resource in resources:
        old = next((r for r in pool.spec["resources"] if r["flavor"] == resource["flavor"]), {})
        entry = {key: value for key, value in copy.deepcopy(old).items() if key != "azs"}
        entry.update(flavor=resource["flavor"], count=resource["count"])
        entry["maxCount"] = (
            resource["count"]
            if pool.spec["type"] == DEDICATE
            else max(entry.get("maxCount", 0), resource["count"])
        )
        if resource.get("azs"):
            entry["azs"] = [dict(e) for e in resource["azs"] if e["count"] > 0]
        new_spec.append(entry)
    pool.spec["resources"] = new_spec
    if items:
        billing = ""
        if grows and pool.annotations.get(BILLING_MODE) == "1":
            billing = (
                annotations.get(ORDER_ID)
                or f"CS{hashing.alphanumeric(12, 'scale-order', pool.name, now).upper()}"
            )
        order = orders.new_order(pool, store.next_sequence(), now, items, billing)
        pool.labels[ORDER_NAME_LABEL] = order["name"]


def patch_pool(
    store: Store,
    project_id: str,
    pool_name: str,
    body: bytes,
    content_type: str,
    *,
    should_fail: Callable[[], bool] = lambda: False,
) -> dict:
    """The pool after the change; ``should_fail`` says whether a scale-up accepted now has nodes fail."""
    check_content_type(content_type)
    data = parse_json_object(body)
    with store.lock:
        pool = store.find(project_id, pool_name)
        now = store.now()
        phase = pool.phase(now)
        if phase not in (RUNNING, ABNORMAL):
            raise errors.bad_request(f"the pool is {phase}; only a Running pool can be changed")
        annotations = _validate(pool, data, store.azs)
        spec = data.get("spec") or {}
        if "resources" in spec:
            _apply_resources(store, pool, spec["resources"], annotations, now, should_fail)
        if DESCRIPTION in annotations:
            pool.annotations[DESCRIPTION] = annotations[DESCRIPTION]
        if "scope" in spec:
            pool.spec["scope"] = list(spec["scope"])
        if "driver" in spec:
            pool.spec["driver"] = {**(pool.spec.get("driver") or {}), **spec["driver"]}
        store.changed()
        return render_pool(pool, now)
