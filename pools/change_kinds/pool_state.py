"""The part of the live state every change to an existing pool shares: does the pool exist, in which phase,
with how many nodes in which state; what stops a change; what changed since a request was filed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from pools.change_kinds import messages
from pools.modelarts.errors import NotFoundError
from pools.modelarts.vocabulary import POOL_DELETING, POOL_RUNNING


def pool_live(client, pool_name: str) -> dict[str, Any]:
    """ShowPool, as the live state of a request. Raises ModelArtsError (but not for a missing pool)."""
    try:
        pool = client.show_pool(pool_name)
    except NotFoundError:
        return {"exists": False}
    return pool_state_of(pool)


def pool_state_of(pool) -> dict[str, Any]:
    """The live state of a pool already read (a ``Pool``), as ``pool_live`` gives it."""
    return {
        "exists": True,
        "display_name": pool.display_name,
        "phase": pool.phase,
        # DeletePool's answer (and ShowPool for a while) may still say Running with a deletion time set.
        "deletion_requested": pool.deleted_at is not None,
        "node_count": pool.node_count,
        "nodes_by_state": {state: pool.nodes_in(state) for state in pool.status_resources},
    }


def pool_problems(target: str, live: Mapping[str, Any], *, require_running: bool) -> list[str]:
    """The pool must exist and not be being deleted; and be Running when ``require_running``."""
    if not live.get("exists"):
        return [messages.POOL_GONE.format(pool=target)]
    if live.get("phase") == POOL_DELETING or live.get("deletion_requested"):
        return [messages.BEING_DELETED.format(pool=target)]
    if require_running and live.get("phase") != POOL_RUNNING:
        return [messages.NOT_RUNNING.format(pool=target, phase=live.get("phase"), running=POOL_RUNNING)]
    return []


def pool_gone_or_going(live: Mapping[str, Any]) -> bool:
    """The pool no longer exists or is being deleted: nothing else about it matters."""
    return (
        not live.get("exists") or live.get("phase") == POOL_DELETING or bool(live.get("deletion_requested"))
    )


def pool_deletion_problem(pool) -> str | None:
    """Why a deletion of ``pool`` (a ``Pool`` as read) cannot be requested now; None when it can."""
    if pool.phase == POOL_DELETING or pool.deleted_at is not None:
        return messages.BEING_DELETED.format(pool=pool.display_name or pool.name)
    return None


def pool_changes(snapshot: Mapping[str, Any], live: Mapping[str, Any]) -> list[str]:
    if not snapshot:
        return []
    if snapshot.get("exists") and not live.get("exists"):
        return [_("The pool no longer exists.")]
    changes = []
    if snapshot.get("phase") != live.get("phase"):
        changes.append(
            _("Pool phase: {then} → {now}.").format(then=snapshot.get("phase"), now=live.get("phase"))
        )
    if snapshot.get("node_count") != live.get("node_count"):
        changes.append(
            _("Nodes in the pool spec: {then} → {now}.").format(
                then=snapshot.get("node_count"), now=live.get("node_count")
            )
        )
    before_states, after_states = snapshot.get("nodes_by_state") or {}, live.get("nodes_by_state") or {}
    for state in sorted(set(before_states) | set(after_states)):
        if before_states.get(state, 0) != after_states.get(state, 0):
            changes.append(
                _("Nodes {state}: {then} → {now}.").format(
                    state=state, then=before_states.get(state, 0), now=after_states.get(state, 0)
                )
            )
    return changes
