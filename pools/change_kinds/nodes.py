"""What every change to chosen nodes of a pool shares: the node list in the body, its live state (each
node's phase, how many nodes stay), the checks, and the changes since filing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from pools.change_kinds.base import ChangeKind
from pools.change_kinds.messages import POOL_ID
from pools.change_kinds.pool_state import pool_changes, pool_gone_or_going, pool_live, pool_problems
from pools.core.errors import ApplicationError
from pools.core.wording import listed
from pools.modelarts.vocabulary import NODE_DELETING

WORKLOADS_CHANGED = ngettext_lazy(
    "{now} workload now runs on these nodes (was {then} when filed).",
    "{now} workloads now run on these nodes (was {then} when filed).",
    "now",
)
TOO_MANY_NODES = gettext_lazy("{label} takes at most {limit} nodes at a time; {count} were chosen.")


class NodesChange(ChangeKind):
    """A change to the nodes named in the body under ``nodes_key``."""

    nodes_key = "node_names"
    bad_node_list = gettext_lazy("Choose at least one node.")
    max_nodes: int | None = None
    problem_field = "body"

    def node_names(self, body: Any) -> list[str]:
        if not isinstance(body, dict) or not isinstance(body.get(self.nodes_key), list):
            return []
        return [str(name) for name in body[self.nodes_key]]

    def validated_node_names(self, body: Any) -> list[str]:
        """The node names in ``body``, each once, in order; ApplicationError(field="body") otherwise."""
        names = body.get(self.nodes_key) if isinstance(body, dict) else None
        if (
            not isinstance(names, list)
            or not names
            or not all(isinstance(name, str) and POOL_ID.match(name) for name in names)
        ):
            raise ApplicationError(self.bad_node_list, field="body")
        names = list(dict.fromkeys(names))
        if self.max_nodes is not None and len(names) > self.max_nodes:
            raise ApplicationError(
                TOO_MANY_NODES.format(label=self.label, limit=self.max_nodes, count=len(names)), field="body"
            )
        return names

    def same_change(self, target, body, other_target, other_body) -> bool:
        """Another open request of this kind on any of the same nodes."""
        return target == other_target and bool(set(self.node_names(body)) & set(self.node_names(other_body)))

    def read_live(self, client, *, connection, target: str, body: Any) -> dict[str, Any]:
        state = pool_live(client, target)
        if not state["exists"]:
            return state
        nodes = list(client.iter_nodes(target))
        wanted = set(self.node_names(body))
        chosen = [node for node in nodes if node.name in wanted]
        state["node_total"] = len(nodes)
        state["nodes"] = {node.name: node.phase for node in chosen}
        state["nodes_left_after"] = sum(
            1 for node in nodes if node.name not in wanted and node.phase != NODE_DELETING
        )
        # The blast radius: how many workloads run on the chosen nodes (kept when filed, read again later).
        addresses = sorted(node.private_ip for node in chosen if node.private_ip)
        state["workloads"] = count_workloads_on(client, target, addresses)
        state["locks"] = {node.name: list(node.locked_actions) for node in chosen if node.locked_actions}
        state.update(self.more_about(chosen))
        return state

    def more_about(self, chosen: list) -> dict[str, Any]:
        """What else a kind keeps about its chosen nodes (``Node`` values) in the live state; nothing here."""
        return {}

    def problems(self, target: str, body: Any, live: Mapping[str, Any]) -> list[str]:
        problems = pool_problems(target, live, require_running=True)
        if pool_gone_or_going(live):
            return problems
        present = live.get("nodes") or {}
        wanted = self.node_names(body)
        missing = [name for name in wanted if name not in present]
        deleting = [name for name in wanted if present.get(name) == NODE_DELETING]
        if missing:
            problems.append(_("Nodes no longer in the pool: {names}.").format(names=listed(missing)))
        if deleting:
            problems.append(_("Nodes already being deleted: {names}.").format(names=listed(deleting)))
        return problems

    def changes(self, snapshot: Mapping[str, Any], live: Mapping[str, Any]) -> list[str]:
        changes = pool_changes(snapshot, live)
        if not snapshot or (snapshot.get("exists") and not live.get("exists")):
            return changes
        if snapshot.get("node_total") != live.get("node_total"):
            changes.append(
                _("Nodes listed: {then} → {now}.").format(
                    then=snapshot.get("node_total"), now=live.get("node_total")
                )
            )
        before_nodes, after_nodes = snapshot.get("nodes") or {}, live.get("nodes") or {}
        missing = [name for name in before_nodes if name not in after_nodes]
        if missing:
            changes.append(_("Nodes missing since the request: {names}.").format(names=listed(missing)))
        for name, phase in before_nodes.items():
            if name in after_nodes and after_nodes[name] != phase:
                changes.append(
                    _("Node {name}: {then} → {now}.").format(name=name, then=phase, now=after_nodes[name])
                )
        then, now = snapshot.get("workloads"), live.get("workloads")
        if then is not None and now is not None and then != now:
            changes.append(WORKLOADS_CHANGED.format(now=now, then=then))
        return changes


def count_workloads_on(client, pool_name: str, addresses: list[str]) -> int:
    """How many active workloads run on the nodes with these IPs now (ListWorkloads by ``hostip``)."""
    if not addresses:
        return 0
    listed = client.list_workloads(pool_name, host_ips=addresses)
    wanted = set(addresses)
    return sum(
        1 for workload in listed.items if workload.is_active and wanted.intersection(workload.host_ips)
    )
