"""Reads of change requests: who sees which, lists, one request, counts, its history.

Reads only. A request still pending past its expiry reads as expired (``ChangeRequest.current_status``; the
filters here agree): recording the expiry, with its audit entry and the requester's e-mail, is the scheduled
job's work (process_change_requests), so opening a page never writes or sends anything.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from pools.change_kinds import change_kind
from pools.change_kinds.create_pool import workspace_of
from pools.core.audit_messages import parse_message
from pools.models import OPEN_STATUSES, ChangeRequest, Connection
from pools.permissions import APPROVE_CHANGE, REQUEST_CHANGE, VIEW_AUDIT

Status = ChangeRequest.Status


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


# --- the status as of now ----------------------------------------------------------------------------------


def with_current_status(statuses: Iterable[str], *, now: datetime | None = None) -> Q:
    """Requests whose status as of ``now`` (``ChangeRequest.current_status``) is one of ``statuses``: one
    still pending past its expiry counts as expired, not pending."""
    now = now or timezone.now()
    wanted = set(statuses)
    matches = Q(status__in=wanted - {Status.PENDING})
    if Status.PENDING in wanted:
        matches |= Q(status=Status.PENDING, expires_at__gt=now)
    if Status.EXPIRED in wanted:
        matches |= Q(status=Status.PENDING, expires_at__lte=now)
    return matches


def still_open() -> Q:
    """Requests that still hold their change (pending and not past expiry, approved, executing, unknown)."""
    return with_current_status(OPEN_STATUSES)


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
    """Requests ``user`` may see, newest first; ``status`` is matched as of now (see ``current_status``).

    ``awaiting_user``: only pending requests ``user`` could still approve (not their own, not yet
    approved by them).
    """
    # Grouping for the count drops Meta.ordering, so the order is spelled out.
    requests = _visible_to(user).annotate(approval_count=Count("approvals")).order_by("-created_at", "-pk")
    if status:
        requests = requests.filter(with_current_status([status] if isinstance(status, str) else status))
    if kind:
        requests = requests.filter(kind=kind)
    if mine:
        requests = requests.filter(requested_by=user)
    if connection is not None:
        requests = requests.filter(connection=connection)
    if awaiting_user:
        requests = requests.filter(with_current_status([Status.PENDING])).exclude(
            Q(requested_by=user) | Q(approvals__approver=user)
        )
    return requests.prefetch_related("approvals__approver")


def change_request_get(*, pk: int, user) -> ChangeRequest:
    """One request ``user`` may see (404 otherwise, so ids of others' requests leak nothing)."""
    try:
        return _visible_to(user).get(pk=pk)
    except (ChangeRequest.DoesNotExist, ValueError, TypeError):
        raise Http404("No such change request.") from None


def pending_approval_count(*, user) -> int:
    """How many pending requests ``user`` could approve now: the nav badge."""
    if not user.is_authenticated or not user.has_perm(APPROVE_CHANGE):
        return 0
    return (
        ChangeRequest.objects.filter(with_current_status([Status.PENDING]))
        .exclude(Q(requested_by=user) | Q(approvals__approver=user))
        .distinct()
        .count()
    )


def change_request_counts(*, now: datetime | None = None) -> dict[str, int]:
    """How many requests are in each status as of ``now`` (every status, 0 included), for the metrics: one
    still pending past its expiry counts as expired, as everywhere else."""
    now = now or timezone.now()
    counts = dict.fromkeys(Status.values, 0)
    overdue = Q(status=Status.PENDING, expires_at__lte=now)
    for status, count in (
        ChangeRequest.objects.exclude(overdue).values_list("status").annotate(count=Count("pk")).order_by()
    ):
        counts[status] = counts.get(status, 0) + count
    counts[Status.EXPIRED] += ChangeRequest.objects.filter(overdue).count()
    return counts


def open_change_requests_by_pool(connection: Connection) -> dict[str, list[ChangeRequest]]:
    """Open delete requests of ``connection`` keyed by pool id (create requests have no pool id yet)."""
    by_pool: dict[str, list[ChangeRequest]] = defaultdict(list)
    requests = (
        ChangeRequest.objects.filter(still_open(), connection=connection)
        .exclude(kind=ChangeRequest.Kind.CREATE_POOL)
        .select_related("requested_by")
        .order_by("created_at", "pk")
    )
    for change_request in requests:
        by_pool[change_request.target].append(change_request)
    return dict(by_pool)


def open_duplicate(*, connection: Connection, kind: str, target: str, body: Any) -> ChangeRequest | None:
    """The oldest open request of ``connection`` for the same change: the same kind and pool (and, for
    changes to nodes, some of the same nodes: ``ChangeKind.same_change``), or for a new pool the same display
    name in the same workspace. A pending one past its expiry no longer counts."""
    if kind == ChangeRequest.Kind.CREATE_POOL:
        same_pool = open_create_requests(
            connection=connection, display_name=target, workspace_id=workspace_of(body, connection)
        )
        return same_pool[0] if same_pool else None
    same_kind = ChangeRequest.objects.filter(
        still_open(), connection=connection, kind=kind, target=target
    ).order_by("created_at", "pk")
    rule = change_kind(kind)
    return next(
        (other for other in same_kind if rule.same_change(target, body, other.target, other.body)), None
    )


def open_create_requests(
    *, connection: Connection, display_name: str, workspace_id: str
) -> list[ChangeRequest]:
    """Open requests of ``connection`` to create a pool named ``display_name`` in ``workspace_id``, oldest
    first: they hold that name until they end."""
    requests = ChangeRequest.objects.filter(
        still_open(), connection=connection, kind=ChangeRequest.Kind.CREATE_POOL, target=display_name
    ).order_by("created_at", "pk")
    return [r for r in requests if workspace_of(r.body, connection) == workspace_id]


def change_request_timeline(change_request: ChangeRequest) -> list[dict[str, Any]]:
    """The request's audit entries, oldest first: who did what, when, with which upstream request id."""
    content_type = ContentType.objects.get_for_model(ChangeRequest)
    entries = LogEntry.objects.filter(
        content_type=content_type, object_id=str(change_request.pk)
    ).select_related("user")
    timeline = []
    for entry in entries.order_by("action_time", "pk"):
        payload = parse_message(entry)
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
