"""Expiry of change requests nobody decided in time (CHANGE_REQUEST_EXPIRY_HOURS).

Applied by the process_change_requests command, and by a decision that finds its request overdue (a decision is
a write), so an expired request can never be approved even if the command has not run yet. Pages never expire
anything: until then they read an overdue request as expired (``ChangeRequest.current_status``).
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from pools import audit
from pools.models import ChangeRequest
from pools.services import change_request_events, notifications


def change_request_expire(*, change_request: ChangeRequest, now: datetime | None = None) -> bool:
    """Expire ``change_request`` if it is pending and past its expiry. True when this call expired it."""
    now = now or timezone.now()
    if change_request.status != ChangeRequest.Status.PENDING or change_request.expires_at > now:
        return False
    won = ChangeRequest.objects.transition(
        change_request.pk,
        ChangeRequest.Status.PENDING,
        ChangeRequest.Status.EXPIRED,
        match={"expires_at__lte": now},
        decided_at=now,
    )
    change_request.refresh_from_db()
    if won:
        change_request_events.record(
            change_request,
            user=audit.system_user(),
            action="expire",
            expired_at=change_request.expires_at.isoformat(),
            approvals=change_request.approvals.count(),
        )
        notifications.notify_requester(change_request)
    return won


def change_requests_expire_due(*, now: datetime | None = None) -> list[int]:
    """Expire every pending request past its expiry; the ids this call expired."""
    now = now or timezone.now()
    overdue = ChangeRequest.objects.filter(status=ChangeRequest.Status.PENDING, expires_at__lte=now)
    return [
        change_request.pk
        for change_request in overdue.select_related("connection", "requested_by")
        if change_request_expire(change_request=change_request, now=now)
    ]
