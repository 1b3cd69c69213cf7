"""Scale a pool: PatchPool with a new count per flavor (and new flavor rows), sent as a JSON merge patch.

ModelArts answers at once and makes an order (``os.modelarts/order.name``) that adds or removes the nodes
over the next minutes. The request is in progress until that order has ``successed`` and no node of the
pool is still being added or removed; ``partialSuccessed`` and ``failed`` fail it with the order's reasons.
Which nodes a lower count removes is ModelArts' choice (docs/modelarts-api.md §10).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from pools import pool_change_rules as rules
from pools.change_kinds import messages
from pools.change_kinds.base import (
    DONE,
    FAILED,
    MISSING,
    PENDING,
    CallDescription,
    Called,
    ChangeKind,
    Observation,
)
from pools.change_kinds.messages import POOL_ID
from pools.change_kinds.pool_state import pool_changes, pool_gone_or_going, pool_problems, pool_state_of
from pools.core.errors import ApplicationError
from pools.core.wording import listed
from pools.modelarts.change_operations import MERGE_PATCH
from pools.modelarts.change_types import ORDER_FAILED, ORDER_PARTIAL, ORDER_SUCCEEDED
from pools.modelarts.errors import NotFoundError
from pools.modelarts.vocabulary import ANNOTATION_AUTO_PAY, ANNOTATION_ORDER_ID

BAD_SCALE_BODY = gettext_lazy(
    'A scale is {"spec": {"resources": [{"flavor", "count" (1-1000), optional "azs": [{"az", "count"}]}]}}, '
    "every flavor once, the zones adding up to the count; for a yearly/monthly pool that grows, "
    'metadata.annotations {"os.modelarts/order.id": "", "os.modelarts/auto.pay": "1"}.'
)
FLAVORS_MISSING = gettext_lazy(
    "The request does not list every flavor of the pool (missing: {flavors}); file it again."
)
STILL_SCALING = gettext_lazy(
    "Pool {pool} is still changing: {creating} nodes being added, {deleting} being removed."
)
NOTHING_TO_DO = gettext_lazy("Pool {pool} already has these counts.")
CHOSEN_BY_MODELARTS = gettext_lazy(
    "A lower count removes nodes ModelArts chooses; the request cannot name them."
)
AUTO_PAY_NOTE = gettext_lazy(
    "Yearly/monthly pool: the added nodes are billed for the pool's period; auto-pay (os.modelarts/auto.pay "
    '"1") lets ModelArts place and pay the order from the account balance.'
)
NO_ORDER = gettext_lazy("ModelArts named no order for this scale; its nodes are watched instead.")


def resources_of(body: Any) -> list[dict[str, Any]]:
    spec = body.get("spec") if isinstance(body, dict) else None
    resources = spec.get("resources") if isinstance(spec, dict) else None
    return [entry for entry in resources if isinstance(entry, dict)] if isinstance(resources, list) else []


def counts_of(body: Any) -> dict[str, int]:
    return {str(entry.get("flavor")): entry.get("count") for entry in resources_of(body)}


def _valid_entry(entry: Any) -> bool:
    if not isinstance(entry, dict) or set(entry) - {"flavor", "count", "azs"}:
        return False
    flavor, count, azs = entry.get("flavor"), entry.get("count"), entry.get("azs")
    if not isinstance(flavor, str) or not POOL_ID.match(flavor):
        return False
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= rules.MAX_NODES_PER_FLAVOR:
        return False
    if azs is None:
        return True
    return (
        isinstance(azs, list)
        and bool(azs)
        and all(
            isinstance(zone, dict)
            and set(zone) == {"az", "count"}
            and isinstance(zone["az"], str)
            and POOL_ID.match(zone["az"])
            and isinstance(zone["count"], int)
            and not isinstance(zone["count"], bool)
            and zone["count"] >= 1
            for zone in azs
        )
        and len({zone["az"] for zone in azs}) == len(azs)
        and sum(zone["count"] for zone in azs) == count
    )


class ScalePool(ChangeKind):
    name = "scale_pool"
    label = gettext_lazy("Scale pool")
    problem_field = "body"

    def validate(self, target: str, body: Any) -> tuple[str, Any]:
        self.require_pool_id(target)
        entries = resources_of(body)
        metadata = body.get("metadata") if isinstance(body, dict) else None
        auto_pay = {"annotations": {ANNOTATION_ORDER_ID: "", ANNOTATION_AUTO_PAY: rules.AUTO_PAY_ON}}
        if (
            not isinstance(body, dict)
            or set(body) - {"metadata", "spec"}
            or set(body.get("spec") or {}) != {"resources"}
            or not entries
            or len(entries) != len(body["spec"]["resources"])
            or not all(_valid_entry(entry) for entry in entries)
            or len(counts_of(body)) != len(entries)
            or (metadata is not None and metadata != auto_pay)
        ):
            raise ApplicationError(BAD_SCALE_BODY, field="body")
        return target, body

    def summary(self, change_request) -> str:
        counts = listed(f"{count} × {flavor}" for flavor, count in counts_of(change_request.body).items())
        return _("Scale pool {pool} to {counts}").format(pool=change_request.target, counts=counts)

    def describe(self, change_request) -> CallDescription:
        snapshot = change_request.snapshot if isinstance(change_request.snapshot, dict) else {}
        before = snapshot.get("counts") or {}
        after = counts_of(change_request.body)
        notes = [
            ngettext("{flavor}: {then} → {now} node", "{flavor}: {then} → {now} nodes", count).format(
                flavor=flavor, then=before.get(flavor, 0), now=count
            )
            for flavor, count in after.items()
        ]
        if any(count < before.get(flavor, 0) for flavor, count in after.items()):
            notes.append(str(CHOSEN_BY_MODELARTS))
        if isinstance(change_request.body, dict) and "metadata" in change_request.body:
            notes.append(str(AUTO_PAY_NOTE))
        path = f"/v2/{{project_id}}/pools/{change_request.target}"
        return CallDescription(
            "PATCH", path, change_request.body, content_type=MERGE_PATCH, notes=tuple(notes)
        )

    def read_live(self, client, *, connection, target: str, body: Any) -> dict[str, Any]:
        try:
            pool = client.show_pool(target)
        except NotFoundError:
            return {"exists": False}
        return {
            **pool_state_of(pool),
            "counts": {resource.flavor: resource.count for resource in pool.resources},
            "yearly_monthly": pool.is_yearly_monthly,
        }

    def problems(self, target: str, body: Any, live: Mapping[str, Any]) -> list[str]:
        problems = pool_problems(target, live, require_running=True)
        if pool_gone_or_going(live):
            return problems
        current, wanted = live.get("counts") or {}, counts_of(body)
        missing = [flavor for flavor in current if flavor not in wanted]
        if missing:
            problems.append(FLAVORS_MISSING.format(flavors=listed(missing)))
        states = live.get("nodes_by_state") or {}
        if states.get("creating") or states.get("deleting"):
            problems.append(
                STILL_SCALING.format(
                    pool=target, creating=states.get("creating", 0), deleting=states.get("deleting", 0)
                )
            )
        if wanted == current and not any(entry.get("azs") for entry in resources_of(body)):
            problems.append(NOTHING_TO_DO.format(pool=target))
        return problems

    def changes(self, snapshot: Mapping[str, Any], live: Mapping[str, Any]) -> list[str]:
        changes = pool_changes(snapshot, live)
        before, after = snapshot.get("counts") or {}, live.get("counts") or {}
        for flavor in sorted(set(before) | set(after)):
            if before.get(flavor) != after.get(flavor) and live.get("exists"):
                changes.append(
                    _("Count of {flavor}: {then} → {now}.").format(
                        flavor=flavor, then=before.get(flavor, 0), now=after.get(flavor, 0)
                    )
                )
        return changes

    def call(self, client, change_request) -> Called:
        pool = client.patch_pool(change_request.target, change_request.body)
        return Called(pool.name, pool.request_id, follow={"order_name": pool.order_name})

    def observe(self, client, change_request) -> Observation:
        pool_name = change_request.target
        try:
            pool = client.show_pool(pool_name)
        except NotFoundError:
            return Observation(FAILED, pool_name, messages.POOL_GONE.format(pool=pool_name))
        tracking = change_request.tracking if isinstance(change_request.tracking, dict) else {}
        counts = {resource.flavor: resource.count for resource in pool.resources}
        if not tracking and counts != counts_of(change_request.body):
            return Observation(MISSING, pool_name)  # a lost answer, and the pool does not show the change
        order_name = tracking.get("order_name") or pool.order_name
        nodes = _node_progress(pool)
        if not order_name:
            moving = pool.nodes_in("creating") or pool.nodes_in("deleting")
            return Observation(PENDING if moving else DONE, pool_name, f"{NO_ORDER} {nodes}")
        return _order_observation(client, pool, order_name, nodes)


def _node_progress(pool) -> str:
    return _(
        "Nodes: {available} available, {creating} being added, {deleting} being removed, {abnormal} abnormal."
    ).format(
        available=pool.nodes_in("available"),
        creating=pool.nodes_in("creating"),
        deleting=pool.nodes_in("deleting"),
        abnormal=pool.nodes_in("abnormal"),
    )


def _order_observation(client, pool, order_name: str, nodes: str) -> Observation:
    summary = client.list_orders(pool.name).named(order_name)
    if summary is None:
        text = _("Order {order} is not listed yet. {nodes}").format(order=order_name, nodes=nodes)
        return Observation(PENDING, pool.name, text)
    order = client.show_order(order_name)
    done = order.statuses()
    counted = listed(f"{count} {status}" for status, count in sorted(done.items())) or _("no items")
    if summary.billing_order_id:
        text = _("Order {order} (billing order {billing}): {phase}; items {items}. {nodes}").format(
            order=order_name,
            billing=summary.billing_order_id,
            phase=summary.phase,
            items=counted,
            nodes=nodes,
        )
    else:
        text = _("Order {order}: {phase}; items {items}. {nodes}").format(
            order=order_name, phase=summary.phase, items=counted, nodes=nodes
        )
    if summary.phase in (ORDER_FAILED, ORDER_PARTIAL):
        reasons = "; ".join(sorted({item.message for item in order.items if item.message}))
        return Observation(FAILED, pool.name, f"{text} {summary.fail_reason or reasons}".strip())
    if summary.phase == ORDER_SUCCEEDED and not (pool.nodes_in("creating") or pool.nodes_in("deleting")):
        return Observation(DONE, pool.name, text)
    return Observation(PENDING, pool.name, text)
