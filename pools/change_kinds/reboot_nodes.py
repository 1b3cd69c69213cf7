"""Reboot nodes: BatchRebootPoolNodes ``{"nodeNames": [...]}``. ModelArts reboots them in a ``reboot-node`` job;
the request is in progress until the job has ended and the nodes are back."""

from __future__ import annotations

from datetime import UTC, datetime

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from pools.change_kinds.base import Called
from pools.change_kinds.node_action import NodeJobAction, millis
from pools.node_actions import REBOOT


class RebootNodes(NodeJobAction):
    name = "reboot_nodes"
    label = _("Reboot nodes")
    summary_text = ngettext_lazy(
        "Reboot {count} node of pool {pool}: {names}", "Reboot {count} nodes of pool {pool}: {names}", "count"
    )
    action = REBOOT
    path_action = "batch-reboot"
    job_type = "reboot-node"

    def call(self, client, change_request) -> Called:
        answer = client.reboot_nodes(change_request.target, self.node_names(change_request.body))
        # The answer names the nodes but no job: the job is found by type and nodes from this moment on.
        follow = {"since_ms": millis(datetime.now(UTC)), "nodes": list(answer.node_names)}
        return Called(change_request.target, answer.request_id, follow=follow)
