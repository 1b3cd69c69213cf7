"""Delete nodes: BatchDeletePoolNodes ``{"deleteNodeNames": [...]}``; at least one node must remain."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from pools.change_kinds import messages
from pools.change_kinds.base import DONE, MISSING, CallDescription, Called, Observation
from pools.change_kinds.nodes import NodesChange
from pools.change_kinds.pool_state import pool_gone_or_going
from pools.core.errors import ApplicationError
from pools.core.wording import listed
from pools.modelarts.errors import NotFoundError
from pools.modelarts.vocabulary import NODE_DELETING


class DeleteNodes(NodesChange):
    name = "delete_nodes"
    label = gettext_lazy("Delete nodes")
    nodes_key = "deleteNodeNames"
    bad_node_list = messages.BAD_NODE_LIST

    def validate(self, target: str, body: Any) -> tuple[str, Any]:
        self.require_pool_id(target)
        if not isinstance(body, dict) or set(body) != {self.nodes_key}:
            raise ApplicationError(self.bad_node_list, field="body")
        return target, {self.nodes_key: self.validated_node_names(body)}

    def same_change(self, target, body, other_target, other_body) -> bool:
        # One open node deletion per pool: two would each check "one node remains" against the same nodes.
        return target == other_target

    def summary(self, change_request) -> str:
        names = self.node_names(change_request.body)
        text = ngettext(
            "Delete {count} node from pool {pool}: {names}",
            "Delete {count} nodes from pool {pool}: {names}",
            len(names),
        )
        return text.format(count=len(names), pool=change_request.target, names=listed(names))

    def describe(self, change_request) -> CallDescription:
        path = f"/v2/{{project_id}}/pools/{change_request.target}/nodes/batch-delete"
        return CallDescription("POST", path, change_request.body)

    def problems(self, target: str, body: Any, live: Mapping[str, Any]) -> list[str]:
        problems = super().problems(target, body, live)
        if not pool_gone_or_going(live) and live.get("nodes_left_after", 0) < 1:
            problems.append(
                _("Deleting these nodes would leave the pool with no node; at least one must remain.")
            )
        locks = live.get("locks") or {}
        locked = [name for name in self.node_names(body) if "delete" in locks.get(name, ())]
        if locked:
            problems.append(messages.LOCKED_AGAINST_DELETION.format(names=listed(locked)))
        return problems

    def call(self, client, change_request) -> Called:
        ack = client.delete_nodes(change_request.target, self.node_names(change_request.body))
        return Called(change_request.target, ack.request_id)

    def observe(self, client, change_request) -> Observation:
        pool_name = change_request.target
        try:
            phases = {node.name: node.phase for node in client.iter_nodes(pool_name)}
        except NotFoundError:
            return Observation(DONE, pool_name)
        gone = all(
            phases.get(name, NODE_DELETING) == NODE_DELETING for name in self.node_names(change_request.body)
        )
        return Observation(DONE if gone else MISSING, pool_name)
