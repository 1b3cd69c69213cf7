"""Lock nodes against deletion: BatchLockPoolNodes ``{"nodeNames": [...], "actions": ["delete"]}``. A locked
node shows the annotation ``os.modelarts.node/lock.action`` and is refused by BatchDeletePoolNodes (and by
a drain) until it is unlocked (``unlock_nodes.py``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy

from pools.change_kinds.base import DONE, FAILED, MISSING, Called, Observation
from pools.change_kinds.node_action import NodeAction
from pools.core.errors import ApplicationError
from pools.node_actions import LOCK, UNLOCK

ACTIONS = "actions"
LOCK_ACTIONS = ["delete"]
BAD_ACTIONS = _('The locked actions must be ["delete"].')


class LockNodes(NodeAction):
    name = "lock_nodes"
    label = _("Lock nodes")
    summary_text = ngettext_lazy(
        "Lock {count} node of pool {pool} against deletion: {names}",
        "Lock {count} nodes of pool {pool} against deletion: {names}",
        "count",
    )
    action = LOCK
    path_action = "batch-lock"
    extra_fields = frozenset({ACTIONS})
    locks = True  # what the nodes show when the change is made

    def validated_extra(self, body: dict[str, Any]) -> dict[str, Any]:
        if body.get(ACTIONS, LOCK_ACTIONS) != LOCK_ACTIONS:
            raise ApplicationError(BAD_ACTIONS, field="body")
        return {ACTIONS: list(LOCK_ACTIONS)}

    def send(self, client, pool_name: str, names: list[str]):
        return client.lock_nodes(pool_name, names)

    def call(self, client, change_request) -> Called:
        answer = self.send(client, change_request.target, self.node_names(change_request.body))
        # Each node has its own outcome: when one failed, the request is settled by looking at the nodes.
        follow = {"failed": list(answer.failed)} if answer.failed else None
        return Called(change_request.target, answer.request_id, follow=follow)

    def observe(self, client, change_request) -> Observation:
        pool_name = change_request.target
        wanted = self.node_names(change_request.body)
        locked = {
            node.name: "delete" in node.locked_actions
            for node in client.iter_nodes(pool_name)
            if node.name in set(wanted)
        }
        right = [name for name in wanted if locked.get(name) is self.locks]
        progress = self.progress_text(len(right), len(wanted))
        if len(right) == len(wanted):
            return Observation(DONE, pool_name, progress)
        failed = (getattr(change_request, "tracking", None) or {}).get("failed")
        return Observation(FAILED if failed else MISSING, pool_name, progress)

    def progress_text(self, right: int, total: int) -> str:
        text = ngettext("{right} of {total} node locked", "{right} of {total} nodes locked", total)
        return text.format(right=right, total=total)


class UnlockNodes(LockNodes):
    name = "unlock_nodes"
    label = _("Unlock nodes")
    summary_text = ngettext_lazy(
        "Unlock {count} node of pool {pool}: {names}", "Unlock {count} nodes of pool {pool}: {names}", "count"
    )
    action = UNLOCK
    path_action = "batch-unlock"
    locks = False

    def send(self, client, pool_name: str, names: list[str]):
        return client.unlock_nodes(pool_name, names)

    def progress_text(self, right: int, total: int) -> str:
        text = ngettext("{right} of {total} node unlocked", "{right} of {total} nodes unlocked", total)
        return text.format(right=right, total=total)
