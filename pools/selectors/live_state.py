"""What ModelArts says now about the thing a change request would change, and whether the change can still be
made: read when a request is filed (its snapshot), before it is approved or run, and on the approval pages.

Reads only: nothing here writes a row, an audit entry or an e-mail.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone

from pools.core.clients import usable_client_for
from pools.core.errors import ApplicationError
from pools.modelarts.errors import ModelArtsError, NotFoundError
from pools.modelarts.vocabulary import (
    DEFAULT_WORKSPACE,
    LABEL_WORKSPACE,
    NODE_DELETING,
    POOL_DELETING,
    POOL_RUNNING,
)
from pools.models import ChangeRequest, Connection

BEING_DELETED = "Pool {pool} is already being deleted."


def workspace_of(body: Any, connection: Connection) -> str:
    """The workspace a CreatePool ``body`` puts its pool in (the connection's when the body names none)."""
    labels = ((body or {}).get("metadata") or {}).get("labels") or {}
    return str(labels.get(LABEL_WORKSPACE) or connection.workspace_id or DEFAULT_WORKSPACE)


def pools_named(client, *, display_name: str, workspace_id: str) -> list:
    """Pools whose display name is ``display_name``: how a create is found again after a lost answer."""
    return [
        pool
        for pool in client.list_pools(workspace_id=workspace_id).items
        if pool.display_name == display_name
    ]


def live_state(*, client, connection: Connection, kind: str, target: str, body: Any) -> dict[str, Any]:
    """What ModelArts says now about the thing a request would change. Raises ModelArtsError."""
    if kind == ChangeRequest.Kind.CREATE_POOL:
        workspace_id = workspace_of(body, connection)
        pools = client.list_pools(workspace_id=workspace_id).items
        return {
            "workspace_id": workspace_id,
            "pool_count": len(pools),
            "pools_with_name": sorted(pool.name for pool in pools if pool.display_name == target),
        }
    try:
        pool = client.show_pool(target)
    except NotFoundError:
        return {"exists": False}
    state: dict[str, Any] = {
        "exists": True,
        "display_name": pool.display_name,
        "phase": pool.phase,
        # DeletePool's answer (and ShowPool for a while) may still say Running with a deletion time set.
        "deletion_requested": pool.deleted_at is not None,
        "node_count": pool.node_count,
        "nodes_by_state": {state: pool.nodes_in(state) for state in pool.status_resources},
    }
    if kind == ChangeRequest.Kind.DELETE_NODES:
        nodes = list(client.iter_nodes(target))
        wanted = set((body or {}).get("deleteNodeNames") or [])
        state["node_total"] = len(nodes)
        state["nodes"] = {node.name: node.phase for node in nodes if node.name in wanted}
        state["nodes_left_after"] = sum(
            1 for node in nodes if node.name not in wanted and node.phase != NODE_DELETING
        )
    return state


def problems_in(*, kind: str, target: str, body: Any, live: Mapping[str, Any]) -> list[str]:
    """Why the change cannot be made against ``live`` (empty when it can)."""
    if kind == ChangeRequest.Kind.CREATE_POOL:
        taken = live.get("pools_with_name") or []
        return [f"A pool named {target} already exists ({', '.join(taken)})."] if taken else []
    if not live.get("exists"):
        return [f"Pool {target} no longer exists."]
    if live.get("phase") == POOL_DELETING or live.get("deletion_requested"):
        return [BEING_DELETED.format(pool=target)]
    if kind == ChangeRequest.Kind.DELETE_POOL:
        # DeletePool takes a pool in any other phase; a failed or stuck pool is what one most needs to delete.
        return []
    problems = []
    if live.get("phase") != POOL_RUNNING:
        problems.append(f"Pool {target} is {live.get('phase')}, not {POOL_RUNNING}.")
    if kind == ChangeRequest.Kind.DELETE_NODES:
        present = live.get("nodes") or {}
        wanted = list((body or {}).get("deleteNodeNames") or [])
        missing = [name for name in wanted if name not in present]
        deleting = [name for name in wanted if present.get(name) == NODE_DELETING]
        if missing:
            problems.append(f"Nodes no longer in the pool: {', '.join(missing)}.")
        if deleting:
            problems.append(f"Nodes already being deleted: {', '.join(deleting)}.")
        if live.get("nodes_left_after", 0) < 1:
            problems.append(
                "Deleting these nodes would leave the pool with no node; at least one must remain."
            )
    return problems


def pool_deletion_problem(pool) -> str | None:
    """Why a deletion of ``pool`` (a ``Pool`` as read) cannot be requested now; None when it can."""
    if pool.phase == POOL_DELETING or pool.deleted_at is not None:
        return BEING_DELETED.format(pool=pool.display_name or pool.name)
    return None


def changes_between(*, kind: str, snapshot: Mapping[str, Any], live: Mapping[str, Any]) -> list[str]:
    """Readable differences between the state when requested and now."""
    if not snapshot:
        return []
    if kind == ChangeRequest.Kind.CREATE_POOL:
        return _workspace_changes(snapshot, live)
    if snapshot.get("exists") and not live.get("exists"):
        return ["The pool no longer exists."]
    changes = _pool_changes(snapshot, live)
    if kind == ChangeRequest.Kind.DELETE_NODES:
        changes += _node_changes(snapshot, live)
    return changes


def _workspace_changes(snapshot: Mapping[str, Any], live: Mapping[str, Any]) -> list[str]:
    changes = []
    before, after = set(snapshot.get("pools_with_name") or []), set(live.get("pools_with_name") or [])
    if after - before:
        changes.append(f"A pool with this name appeared: {', '.join(sorted(after - before))}.")
    if snapshot.get("pool_count") != live.get("pool_count"):
        changes.append(f"Pools in the workspace: {snapshot.get('pool_count')} → {live.get('pool_count')}.")
    return changes


def _pool_changes(snapshot: Mapping[str, Any], live: Mapping[str, Any]) -> list[str]:
    changes = []
    if snapshot.get("phase") != live.get("phase"):
        changes.append(f"Pool phase: {snapshot.get('phase')} → {live.get('phase')}.")
    if snapshot.get("node_count") != live.get("node_count"):
        changes.append(f"Nodes in the pool spec: {snapshot.get('node_count')} → {live.get('node_count')}.")
    before_states, after_states = snapshot.get("nodes_by_state") or {}, live.get("nodes_by_state") or {}
    for state in sorted(set(before_states) | set(after_states)):
        if before_states.get(state, 0) != after_states.get(state, 0):
            changes.append(f"Nodes {state}: {before_states.get(state, 0)} → {after_states.get(state, 0)}.")
    return changes


def _node_changes(snapshot: Mapping[str, Any], live: Mapping[str, Any]) -> list[str]:
    changes = []
    if snapshot.get("node_total") != live.get("node_total"):
        changes.append(f"Nodes listed: {snapshot.get('node_total')} → {live.get('node_total')}.")
    before_nodes, after_nodes = snapshot.get("nodes") or {}, live.get("nodes") or {}
    missing = [name for name in before_nodes if name not in after_nodes]
    if missing:
        changes.append(f"Nodes missing since the request: {', '.join(missing)}.")
    for name, phase in before_nodes.items():
        if name in after_nodes and after_nodes[name] != phase:
            changes.append(f"Node {name}: {phase} → {after_nodes[name]}.")
    return changes


@dataclass(frozen=True)
class Revalidation:
    """The request checked against the live state: can it run, and what changed since it was made."""

    ok: bool
    problems: tuple[str, ...] = ()
    changes: tuple[str, ...] = ()
    live: Mapping[str, Any] = field(default_factory=dict)
    error: ApplicationError | None = None
    checked_at: datetime = field(default_factory=timezone.now)


def revalidate(change_request: ChangeRequest, *, client=None) -> Revalidation:
    """Check ``change_request`` against ModelArts now. An unreadable live state is not ok (``error``)."""
    try:
        if client is None:
            with closing(usable_client_for(change_request.connection)) as own_client:
                return revalidate(change_request, client=own_client)
        live = live_state(
            client=client,
            connection=change_request.connection,
            kind=change_request.kind,
            target=change_request.target,
            body=change_request.body,
        )
    except ModelArtsError as error:
        failure = ApplicationError.from_upstream(f"Reading the live state of {change_request.target}", error)
        return Revalidation(ok=False, problems=(failure.message,), error=failure)
    except ApplicationError as error:  # e.g. the connection's keys cannot be opened
        return Revalidation(ok=False, problems=(error.message,), error=error)
    problems = problems_in(
        kind=change_request.kind, target=change_request.target, body=change_request.body, live=live
    )
    changes = changes_between(kind=change_request.kind, snapshot=change_request.snapshot or {}, live=live)
    return Revalidation(ok=not problems, problems=tuple(problems), changes=tuple(changes), live=live)
