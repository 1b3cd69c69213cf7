"""Is a display name free for a new pool? Asked by the create-pool wizard at its first step and again at review.

A name is taken by a pool ModelArts lists in the workspace, or by an open create request (pending and not
expired, approved, executing, or with an unknown outcome) for the same name on the same connection and
workspace. The change-request
service checks ModelArts once more, live, when the request is filed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils import timezone

from pools.models import ChangeRequest
from pools.selectors.live_state import workspace_of
from pools.selectors.modelarts import pool_list

if TYPE_CHECKING:
    from pools.core.errors import ApplicationError
    from pools.models import Connection


@dataclass(frozen=True)
class NameCheck:
    pools: tuple[str, ...] = ()  # ids of the pools with this display name
    requests: tuple[ChangeRequest, ...] = ()  # open create requests for it
    unchecked: ApplicationError | None = None  # why ModelArts could not be asked (then ``pools`` is empty)

    @property
    def taken(self) -> bool:
        return bool(self.pools or self.requests)


def _open_create_requests(
    *, connection: Connection, display_name: str, workspace_id: str, user, wizard_id: str
) -> tuple[ChangeRequest, ...]:
    # Read without expiring anything: a pending request past its expiry no longer holds the name.
    still_open = Q(
        status__in=(
            ChangeRequest.Status.APPROVED,
            ChangeRequest.Status.EXECUTING,
            ChangeRequest.Status.UNKNOWN,
        )
    ) | Q(status=ChangeRequest.Status.PENDING, expires_at__gt=timezone.now())
    requests = (
        ChangeRequest.objects.filter(still_open, connection=connection, kind=ChangeRequest.Kind.CREATE_POOL)
        .filter(target=display_name)
        .exclude(requested_by=user, idempotency_key=wizard_id)  # what this wizard itself filed
        .order_by("pk")
    )
    return tuple(r for r in requests if workspace_of(r.body, connection) == workspace_id)


def pool_name_check(
    *, connection: Connection, display_name: str, workspace_id: str, user, wizard_id: str
) -> NameCheck:
    """Who holds ``display_name`` in ``workspace_id`` of ``connection``; an upstream failure is reported, never
    raised, so it does not stop the wizard."""
    requests = _open_create_requests(
        connection=connection,
        display_name=display_name,
        workspace_id=workspace_id,
        user=user,
        wizard_id=wizard_id,
    )
    # Fresh, not the list cached for the browse pages: a pool made a few seconds ago must count.
    listed = pool_list(connection=connection, workspace_id=workspace_id, refresh=True)
    if listed.error is not None or listed.value is None:
        return NameCheck(requests=requests, unchecked=listed.error)
    pools = tuple(sorted(pool.name for pool in listed.value.items if pool.display_name == display_name))
    return NameCheck(pools=pools, requests=requests)
