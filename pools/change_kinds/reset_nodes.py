"""Reset nodes: BatchResetPoolNodes ``{"nodeNames", "rollingConfig"?}``: the nodes are reinstalled, all at once
or rolling (``RollingByNumber`` / ``RollingByPercent`` with ``maxUnavailable``), in a ``reset-nodes`` job
whose id the answer carries. A rolling strategy is refused for virtual-machine nodes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, ngettext_lazy

from pools.change_kinds.base import CallDescription, Called
from pools.change_kinds.node_action import NodeJobAction
from pools.core.errors import ApplicationError
from pools.modelarts.node_operations import RollingConfig
from pools.node_actions import NO_ROLLING_ON_VM, RESET, rolling_allowed

ROLLING = "rollingConfig"
BAD_ROLLING = gettext_lazy(
    'A rolling reset is {"strategy": "RollingByNumber" or "RollingByPercent", "maxUnavailable": n}, '
    "n from 1 (at most 100 for a percentage)."
)
RESET_NOTE = gettext_lazy("A reset wipes the nodes' disks and reinstalls them; what runs on them stops.")


class ResetNodes(NodeJobAction):
    name = "reset_nodes"
    label = gettext_lazy("Reset nodes")
    summary_text = ngettext_lazy(
        "Reset {count} node of pool {pool}: {names}", "Reset {count} nodes of pool {pool}: {names}", "count"
    )
    action = RESET
    path_action = "batch-reset"
    job_type = "reset-nodes"
    extra_fields = frozenset({ROLLING})

    def validated_extra(self, body: dict[str, Any]) -> dict[str, Any]:
        rolling = body.get(ROLLING)
        if rolling is None:
            return {}
        if not isinstance(rolling, dict) or set(rolling) != {"strategy", "maxUnavailable"}:
            raise ApplicationError(BAD_ROLLING, field="body")
        try:
            config = RollingConfig(rolling["strategy"], rolling["maxUnavailable"])
        except ValueError:
            raise ApplicationError(BAD_ROLLING, field="body") from None
        return {ROLLING: config.to_json()}

    def summary(self, change_request) -> str:
        rolling = (change_request.body or {}).get(ROLLING)
        nodes = super().summary(change_request)
        if not rolling:
            return _("{nodes} (all at once)").format(nodes=nodes)
        limit = rolling["maxUnavailable"]
        if rolling["strategy"] == "RollingByPercent":
            share = _("{nodes} (rolling, at most {share} of the nodes at a time)")
            return share.format(nodes=nodes, share=f"{limit}%")
        text = ngettext(
            "{nodes} (rolling, at most {limit} node at a time)",
            "{nodes} (rolling, at most {limit} nodes at a time)",
            limit,
        )
        return text.format(nodes=nodes, limit=limit)

    def describe(self, change_request) -> CallDescription:
        described = super().describe(change_request)
        return CallDescription(described.method, described.path, described.body, notes=(str(RESET_NOTE),))

    def problems(self, target: str, body: Any, live: Mapping[str, Any]) -> list[str]:
        problems = super().problems(target, body, live)
        if (body or {}).get(ROLLING) and not rolling_allowed(self.node_states(body, live)):
            problems.append(str(NO_ROLLING_ON_VM))
        return problems

    def call(self, client, change_request) -> Called:
        body = change_request.body or {}
        rolling = body.get(ROLLING)
        config = RollingConfig(rolling["strategy"], rolling["maxUnavailable"]) if rolling else None
        answer = client.reset_nodes(change_request.target, self.node_names(body), config)
        return Called(change_request.target, answer.request_id, follow={"job_id": answer.job_id})
