"""Orders: the record ModelArts keeps of each change to a pool's nodes (a scale), read with ShowOrder and the
order list (``GET /v1/{project_id}/orders?involvedName=<pool>``, not in the SDK; the Terraform provider polls it).

An order is stored on its pool (``PoolRecord.orders``) as JSON-able data: its name, when it was made, its
billing order id (yearly/monthly pools), and one item per node it adds or removes with the moment that node's
work ends. Its phase is read lazily, like everything else in the sandbox: ``processing`` while any item is,
then ``successed`` (every item succeeded), ``partialSuccessed`` (some failed) or ``failed`` (all failed).
Item statuses are ``processing``, ``succeed`` and ``failed``, as the SDK's ``OrderDetailItem`` documents.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pools.sandbox import errors, hashing
from pools.sandbox.clock import rfc3339
from pools.sandbox.errors import ApiError
from pools.sandbox.model import PoolRecord
from pools.sandbox.store import Store

ORDER_NOT_FOUND = "ModelArts.50035001"  # the sandbox's choice: the docs list no code for an unknown order
MAX_ORDERS = 500  # the most the order list returns (the Terraform provider's note)

PROCESSING = "processing"
SUCCEED = "succeed"
FAILED = "failed"
PHASE_PROCESSING = "processing"
PHASE_SUCCESSED = "successed"
PHASE_PARTIAL = "partialSuccessed"
PHASE_FAILED = "failed"
CREATE_NODE = "createNode"
DELETE_NODE = "deleteNode"
NODE_FAILURE = "insufficient resources for the flavor in this availability zone"


def order_name(pool: PoolRecord, sequence: int) -> str:
    return f"order-{pool.display_name[:20]}-{hashing.alphanumeric(8, 'order', pool.name, sequence)}"


def new_order(
    pool: PoolRecord, sequence: int, now: float, items: list[dict[str, Any]], billing_order_id: str = ""
) -> dict[str, Any]:
    """An order for the given items (``resourceName``, ``action``, ``done_at``, ``fails``), added to the pool."""
    order = {
        "name": order_name(pool, sequence),
        "created_at": now,
        "billing_order_id": billing_order_id,
        "items": items,
    }
    pool.orders.append(order)
    return order


def item_status(item: Mapping[str, Any], now: float) -> str:
    if now < item["done_at"]:
        return PROCESSING
    return FAILED if item.get("fails") else SUCCEED


def order_phase(order: Mapping[str, Any], now: float) -> str:
    statuses = [item_status(item, now) for item in order["items"]]
    if PROCESSING in statuses:
        return PHASE_PROCESSING
    if FAILED not in statuses:
        return PHASE_SUCCESSED
    return PHASE_FAILED if SUCCEED not in statuses else PHASE_PARTIAL


def open_order(pool: PoolRecord, now: float) -> dict[str, Any] | None:
    """The pool's order still being worked on, if any."""
    return next((order for order in pool.orders if order_phase(order, now) == PHASE_PROCESSING), None)


def _millis(moment: float) -> str:
    return str(int(moment * 1000))


def render_order_summary(pool: PoolRecord, order: Mapping[str, Any], now: float) -> dict[str, Any]:
    """One entry of the order list."""
    phase = order_phase(order, now)
    failed = [item for item in order["items"] if item_status(item, now) == FAILED]
    summary = {
        "orderName": order["name"],
        "involvedName": pool.name,
        "phase": phase,
        "createTime": rfc3339(order["created_at"]),
        "count": len(order["items"]),
        "failReason": f"{len(failed)} of {len(order['items'])} nodes failed: {NODE_FAILURE}"
        if failed
        else "",
    }
    if order.get("billing_order_id"):
        summary["orderId"] = order["billing_order_id"]
    return summary


def render_order(order: Mapping[str, Any], now: float) -> dict[str, Any]:
    """ShowOrder's answer: ``count`` and one item per node."""
    items = []
    for item in order["items"]:
        status = item_status(item, now)
        items.append(
            {
                "resourceName": item["resourceName"],
                "action": item["action"],
                "status": status,
                "beginTimestamp": _millis(order["created_at"]),
                "updateTimestamp": _millis(min(now, item["done_at"])),
                "message": NODE_FAILURE if status == FAILED else "",
            }
        )
    return {"count": len(items), "items": items}


def order_not_found() -> ApiError:
    return ApiError(404, ORDER_NOT_FOUND, "order not found")


def show_order(store: Store, project_id: str, name: str) -> dict[str, Any]:
    with store.lock:
        now = store.now()
        for pool in store.project_pools(project_id):
            for order in pool.orders:
                if order["name"] == name:
                    return render_order(order, now)
    raise order_not_found()


def list_orders(store: Store, project_id: str, query: Mapping[str, str]) -> dict[str, Any]:
    """The project's orders, newest first, optionally only those of one pool (``involvedName``)."""
    raw_limit = query.get("limit") or str(MAX_ORDERS)
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= MAX_ORDERS:
        raise errors.bad_request(f"limit: must be a whole number from 1 to {MAX_ORDERS}")
    involved = query.get("involvedName")
    with store.lock:
        now = store.now()
        found = [
            (order["created_at"], pool, order)
            for pool in store.project_pools(project_id)
            if not involved or pool.name == involved
            for order in pool.orders
        ]
    found.sort(key=lambda entry: entry[0], reverse=True)
    items = [render_order_summary(pool, order, now) for _, pool, order in found[: int(raw_limit)]]
    return {"apiVersion": "v1", "kind": "OrderList", "items": items}
