"""Is a display name free for a new pool? Asked by the create-pool wizard at its first step and again at review.

A name is taken by a pool ModelArts lists in the workspace, or by an open create request (pending and not
expired, approved, executing, or with an unknown outcome) for the same name on the same connection and
workspace. The change-request
service checks ModelArts once more, live, when the request is filed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pools.models import ChangeRequest
from pools.selectors.change_requests import open_create_requests
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
    """Open create requests for the name, but the one this wizard itself filed."""
    requests = open_create_requests(
        connection=connection, display_name=display_name, workspace_id=workspace_id
    )
    return tuple(r for r in requests if not (r.requested_by_id == user.pk and r.idempotency_key == wizard_id))


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
