"""Reads of change requests, and the live-state check that runs before one is approved or executed.

Looking at a request applies expiry first, so nobody sees (or acts on) a stale "pending".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from pools import audit
from pools.core import clients
from pools.core.errors import ApplicationError
from pools.modelarts.errors import ModelArtsError, NotFoundError
from pools.models import OPEN_STATUSES, ChangeRequest, Connection
from pools.permissions import APPROVE_CHANGE, REQUEST_CHANGE, VIEW_AUDIT
from pools.services.change_request_expiry import change_request_expire, change_requests_expire_due

NODE_DELETING = "Deleting"
POOL_RUNNING = "Running"
POOL_DELETING = "Deleting"
WORKSPACE_LABEL = "os.modelarts/workspace.id"
NAME_LABEL = "os.modelarts/name"


# --- visibility --------------------------------------------------------------------------------------------


def can_see_all(user) -> bool:
    return user.has_perm(APPROVE_CHANGE) or user.has_perm(VIEW_AUDIT)


def can_view(user, change_request: ChangeRequest) -> bool:
    """Approvers and auditors see every request; a requester sees their own."""
    if can_see_all(user):
        return True
    return change_request.requested_by_id == user.pk and user.has_perm(REQUEST_CHANGE)


def _visible_to(user) -> QuerySet[ChangeRequest]:
    requests = ChangeRequest.objects.select_related("connection", "requested_by", "decided_by")
    if can_see_all(user):
        return requests
    if user.has_perm(REQUEST_CHANGE):
        return requests.filter(requested_by=user)
    return requests.none()


# --- lists and single requests -----------------------------------------------------------------------------


def change_request_list(
    *,
    user,
    status: str | Iterable[str] | None = None,
    kind: str | None = None,
    mine: bool = False,
    connection: Connection | None = None,
    awaiting_user: bool = False,
) -> QuerySet[ChangeRequest]:
    """Requests ``user`` may see, newest first, after expiring overdue ones.

    ``awaiting_user``: only pending requests ``user`` could still approve (not their own, not yet
    approved by them).
    """
    change_requests_expire_due()
    # Grouping for the count drops Meta.ordering, so the order is spelled out.
    requests = _visible_to(user).annotate(approval_count=Count("approvals")).order_by("-created_at", "-pk")
    if status:
        requests = requests.filter(status__in=[status] if isinstance(status, str) else list(status))
    if kind:
        requests = requests.filter(kind=kind)
    if mine:
        requests = requests.filter(requested_by=user)
    if connection is not None:
        requests = requests.filter(connection=connection)
    if awaiting_user:
        requests = requests.filter(status=ChangeRequest.Status.PENDING).exclude(
            Q(requested_by=user) | Q(approvals__approver=user)
        )
    return requests.prefetch_related("approvals__approver")


def change_request_get(*, pk: int, user) -> ChangeRequest:
    """One request ``user`` may see (404 otherwise, so ids of others' requests leak nothing)."""
    try:
        change_request = _visible_to(user).get(pk=pk)
    except (ChangeRequest.DoesNotExist, ValueError, TypeError):
        raise Http404("No such change request.") from None
    change_request_expire(change_request=change_request)
    return change_request


def pending_approval_count(*, user) -> int:
    """How many pending requests ``user`` could approve now: the nav badge."""
    if not user.is_authenticated or not user.has_perm(APPROVE_CHANGE):
        return 0
    return (
        ChangeRequest.objects.filter(status=ChangeRequest.Status.PENDING, expires_at__gt=timezone.now())
        .exclude(Q(requested_by=user) | Q(approvals__approver=user))
        .distinct()
        .count()
    )


def open_change_requests_by_pool(connection: Connection) -> dict[str, list[ChangeRequest]]:
    """Open delete requests of ``connection`` keyed by pool id (create requests have no pool id yet)."""
    change_requests_expire_due()
    by_pool: dict[str, list[ChangeRequest]] = defaultdict(list)
    requests = (
        ChangeRequest.objects.filter(connection=connection, status__in=OPEN_STATUSES)
        .exclude(kind=ChangeRequest.Kind.CREATE_POOL)
        .select_related("requested_by")
        .order_by("created_at", "pk")
    )
    for change_request in requests:
        by_pool[change_request.target].append(change_request)
    return dict(by_pool)


def open_duplicate(*, connection: Connection, kind: str, target: str, body: Any) -> ChangeRequest | None:
    """The oldest open request of ``connection`` for the same change: the same kind and pool, or for a new
    pool the same display name in the same workspace. A pending one past its expiry no longer counts."""
    requests = (
        ChangeRequest.objects.filter(
            connection=connection, kind=kind, target=target, status__in=OPEN_STATUSES
        )
        .exclude(status=ChangeRequest.Status.PENDING, expires_at__lte=timezone.now())
        .order_by("created_at", "pk")
    )
    if kind != ChangeRequest.Kind.CREATE_POOL:
        return requests.first()
    workspace = workspace_of(body, connection)
    return next((r for r in requests if workspace_of(r.body, connection) == workspace), None)


# --- live state, re-validation and "what changed since" ----------------------------------------------------

CONNECTION_UNUSABLE = "Connection {name} cannot be used: {problem}."


def client_for(connection: Connection):
    """The connection's client; a connection the client refuses (e.g. no endpoint) is an ApplicationError."""
    try:
        return clients.client_for_connection(connection)
    except ValueError as problem:  # the client's own checks; their texts never hold a key
        raise ApplicationError(CONNECTION_UNUSABLE.format(name=connection.name, problem=problem)) from None


def workspace_of(body: Any, connection: Connection) -> str:
    labels = ((body or {}).get("metadata") or {}).get("labels") or {}
    return str(labels.get(WORKSPACE_LABEL) or connection.workspace_id or "0")


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


BEING_DELETED = "Pool {pool} is already being deleted."


def pool_deletion_problem(pool) -> str | None:
    """Why a deletion of ``pool`` (a ``Pool`` as read) cannot be requested now; None when it can."""
    if pool.phase == POOL_DELETING or pool.deleted_at is not None:
        return BEING_DELETED.format(pool=pool.display_name or pool.name)
    return None


def changes_between(*, kind: str, snapshot: Mapping[str, Any], live: Mapping[str, Any]) -> list[str]:
    """Readable differences between the state when requested and now."""
    if not snapshot:
        return []
    changes = []
    if kind == ChangeRequest.Kind.CREATE_POOL:
        before, after = set(snapshot.get("pools_with_name") or []), set(live.get("pools_with_name") or [])
        if after - before:
            changes.append(f"A pool with this name appeared: {', '.join(sorted(after - before))}.")
        if snapshot.get("pool_count") != live.get("pool_count"):
            changes.append(
                f"Pools in the workspace: {snapshot.get('pool_count')} → {live.get('pool_count')}."
            )
        return changes
    if snapshot.get("exists") and not live.get("exists"):
        return ["The pool no longer exists."]
    if snapshot.get("phase") != live.get("phase"):
        changes.append(f"Pool phase: {snapshot.get('phase')} → {live.get('phase')}.")
    if snapshot.get("node_count") != live.get("node_count"):
        changes.append(f"Nodes in the pool spec: {snapshot.get('node_count')} → {live.get('node_count')}.")
    before_states, after_states = snapshot.get("nodes_by_state") or {}, live.get("nodes_by_state") or {}
    for state in sorted(set(before_states) | set(after_states)):
        if before_states.get(state, 0) != after_states.get(state, 0):
            changes.append(f"Nodes {state}: {before_states.get(state, 0)} → {after_states.get(state, 0)}.")
    if kind == ChangeRequest.Kind.DELETE_NODES:
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
            with closing(client_for(change_request.connection)) as own_client:
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


def change_request_timeline(change_request: ChangeRequest) -> list[dict[str, Any]]:
    """The request's audit entries, oldest first: who did what, when, with which upstream request id."""
    content_type = ContentType.objects.get_for_model(ChangeRequest)
    entries = LogEntry.objects.filter(
        content_type=content_type, object_id=str(change_request.pk)
    ).select_related("user")
    timeline = []
    for entry in entries.order_by("action_time", "pk"):
        payload = audit.parse_message(entry)
        details = payload.get("details") or {}
        timeline.append(
            {
                "at": entry.action_time,
                "user": entry.user,
                "action": str(payload.get("action", "")).removeprefix("change_request."),
                "request_id": payload.get("request_id") or "",
                "comment": details.get("comment") or details.get("message") or "",
            }
        )
    return timeline
