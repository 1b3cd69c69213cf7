"""Drain nodes: BatchDrainPoolNodes ``{"nodeNames": [...]}``, at most 10 nodes (the API refuses more). Every
workload leaves the nodes; the request is in progress until none runs on them (ListWorkloads by node IP)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy

from pools.change_kinds.base import DONE, PENDING, Called, Observation
from pools.change_kinds.node_action import NodeAction
from pools.change_kinds.nodes import count_workloads_on
from pools.modelarts.node_operations import MAX_DRAIN_NODES
from pools.node_actions import DRAIN


class DrainNodes(NodeAction):
    name = "drain_nodes"
    label = _("Drain nodes")
    summary_text = ngettext_lazy(
        "Drain {count} node of pool {pool}: {names}", "Drain {count} nodes of pool {pool}: {names}", "count"
    )
    action = DRAIN
    path_action = "batch-drain"
    max_nodes = MAX_DRAIN_NODES

    def call(self, client, change_request) -> Called:
        ack = client.drain_nodes(change_request.target, self.node_names(change_request.body))
        return Called(
            change_request.target, ack.request_id, follow={"nodes": self.node_names(change_request.body)}
        )

    def observe(self, client, change_request) -> Observation:
        """Done once no workload runs on the nodes. (A node that carried none reads as drained: after a lost
        answer that is what ModelArts shows, whichever way it went.)"""
        pool_name = change_request.target
        wanted = set(self.node_names(change_request.body))
        addresses = sorted(
            node.private_ip
            for node in client.iter_nodes(pool_name)
            if node.name in wanted and node.private_ip
        )
        left = count_workloads_on(client, pool_name, addresses)
        if left == 0:
            drained = ngettext(
                "no workload runs on the {count} drained node",
                "no workload runs on the {count} drained nodes",
                len(wanted),
            )
            return Observation(DONE, pool_name, drained.format(count=len(wanted)))
        still = ngettext("{count} workload still on the nodes", "{count} workloads still on the nodes", left)
        return Observation(PENDING, pool_name, still.format(count=left))
