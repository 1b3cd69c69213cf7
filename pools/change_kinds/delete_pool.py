"""Delete a pool: DeletePool, no body. Allowed in any phase but Deleting: a failed or stuck pool is what one
most needs to delete."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pools.change_kinds import messages
from pools.change_kinds.base import DONE, MISSING, CallDescription, Called, ChangeKind, Observation
from pools.change_kinds.pool_state import pool_problems
from pools.core.errors import ApplicationError
from pools.modelarts.errors import NotFoundError
from pools.modelarts.vocabulary import POOL_DELETING


class DeletePool(ChangeKind):
    name = "delete_pool"
    label = gettext_lazy("Delete pool")

    def validate(self, target: str, body: Any) -> tuple[str, Any]:
        self.require_pool_id(target)
        if body not in (None, {}):
            raise ApplicationError(messages.DELETE_POOL_TAKES_NO_BODY, field="body")
        return target, None

    def summary(self, change_request) -> str:
        snapshot = change_request.snapshot if isinstance(change_request.snapshot, dict) else {}
        shown = snapshot.get("display_name")
        target = change_request.target
        if shown and shown != target:
            return _("Delete pool {pool} ({display_name})").format(pool=target, display_name=shown)
        return _("Delete pool {pool}").format(pool=target)

    def describe(self, change_request) -> CallDescription:
        return CallDescription("DELETE", f"/v2/{{project_id}}/pools/{change_request.target}")

    def problems(self, target: str, body: Any, live: Mapping[str, Any]) -> list[str]:
        return pool_problems(target, live, require_running=False)

    def call(self, client, change_request) -> Called:
        pool = client.delete_pool(change_request.target)
        return Called(pool.name, pool.request_id)

    def observe(self, client, change_request) -> Observation:
        pool_name = change_request.target
        try:
            pool = client.show_pool(pool_name)
        except NotFoundError:
            return Observation(DONE, pool_name)
        deleting = pool.phase == POOL_DELETING or pool.deleted_at is not None
        return Observation(DONE if deleting else MISSING, pool_name)
