"""What the node actions share (reboot, drain, lock, unlock, reset): the body ``{"nodeNames": [...]}`` the
API takes, a live state that knows each chosen node's phase, lock and address and **how many workloads run
on the chosen nodes** (the blast radius, kept in the snapshot when filed and read again at approval), the
checks of ``pools/node_actions.py``, and how a node job (ListJobs) is followed to its end."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from pools.change_kinds.base import DONE, FAILED, MISSING, PENDING, CallDescription, Observation
from pools.change_kinds.nodes import NodesChange
from pools.change_kinds.pool_state import pool_gone_or_going
from pools.core.errors import ApplicationError
from pools.core.wording import listed
from pools.modelarts.vocabulary import NODE_AVAILABLE
from pools.modelarts.workloads import JOB_FAILED, JOB_SUCCESS
from pools.node_actions import NodeState, action_problem

NODE_NAMES = "nodeNames"
BAD_NODE_LIST = gettext_lazy('The nodes must be {"nodeNames": [node names]} with at least one name.')
UNEXPECTED_FIELDS = gettext_lazy("{label} takes only {fields}; not {extra}.")
# Node phases on the way back from a reboot or reset (Rebooting and Resetting as the sandbox names them).
SETTLING_PHASES = frozenset({"Rebooting", "Resetting", "Creating", "Checking"})


def millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


class NodeAction(NodesChange):
    """A node action on the nodes named in ``nodeNames``: ``action`` is one of ``pools.node_actions.ACTIONS``,
    ``path_action`` the API's path segment (``batch-reboot``)."""

    nodes_key = NODE_NAMES
    bad_node_list = BAD_NODE_LIST
    max_nodes: int | None = 500
    action = ""
    path_action = ""
    # The summary, by the number of nodes: ngettext_lazy(singular, plural, "count") with {count}, {pool} and
    # {names}, a whole sentence per kind so that each language orders it as it needs.
    summary_text: Any = None
    extra_fields: frozenset[str] = frozenset()

    # --- filing ------------------------------------------------------------------------------------------

    def validate(self, target: str, body: Any) -> tuple[str, Any]:
        self.require_pool_id(target)
        if not isinstance(body, dict):
            raise ApplicationError(self.bad_node_list, field="body")
        extra = set(body) - {NODE_NAMES} - self.extra_fields
        if extra:
            allowed = listed(sorted({NODE_NAMES} | self.extra_fields))
            raise ApplicationError(
                UNEXPECTED_FIELDS.format(label=self.label, fields=allowed, extra=listed(sorted(extra))),
                field="body",
            )
        return target, {NODE_NAMES: self.validated_node_names(body), **self.validated_extra(body)}

    def validated_extra(self, body: dict[str, Any]) -> dict[str, Any]:
        """The kind's own fields besides ``nodeNames``, checked; none by default."""
        return {}

    # --- how it reads ------------------------------------------------------------------------------------

    def summary(self, change_request) -> str:
        names = self.node_names(change_request.body)
        return self.summary_text.format(count=len(names), pool=change_request.target, names=listed(names))

    def describe(self, change_request) -> CallDescription:
        path = f"/v2/{{project_id}}/pools/{change_request.target}/nodes/{self.path_action}"
        return CallDescription("POST", path, change_request.body)

    # --- the live state ----------------------------------------------------------------------------------

    def more_about(self, chosen: list) -> dict[str, Any]:
        return {"flavors": {node.name: node.flavor for node in chosen}}

    def node_states(self, body: Any, live: Mapping[str, Any]) -> list[NodeState]:
        phases, locks, flavors = live.get("nodes") or {}, live.get("locks") or {}, live.get("flavors") or {}
        return [
            NodeState(name, phases[name], tuple(locks.get(name, ())), flavors.get(name, ""))
            for name in self.node_names(body)
            if name in phases
        ]

    def problems(self, target: str, body: Any, live: Mapping[str, Any]) -> list[str]:
        problems = super().problems(target, body, live)
        if pool_gone_or_going(live):
            return problems
        problem = action_problem(self.action, self.node_states(body, live))
        return [*problems, problem] if problem else problems

    # --- following -----------------------------------------------------------------------------------------

    def node_phases(self, client, change_request) -> dict[str, str]:
        """The chosen nodes' phases now (a node that is gone is left out)."""
        wanted = set(self.node_names(change_request.body))
        return {
            node.name: node.phase for node in client.iter_nodes(change_request.target) if node.name in wanted
        }


class NodeJobAction(NodeAction):
    """An action ModelArts carries out in a job (reboot: ``reboot-node``; reset: ``reset-nodes``), followed in
    ListJobs until the job ends and the nodes are Available again."""

    job_type = ""

    def since_ms(self, change_request) -> int:
        """Jobs older than the call are not this request's (a minute allowed for clock differences)."""
        tracking = getattr(change_request, "tracking", None) or {}
        if isinstance(tracking.get("since_ms"), int):
            return tracking["since_ms"] - 60_000
        started = getattr(change_request, "execution_started_at", None) or datetime.now(UTC)
        return millis(started) - 60_000

    def find_job(self, client, change_request):
        """The job of this request: by the id the call answered, else the newest one of its type about
        exactly its nodes started since the request was executed."""
        tracking = getattr(change_request, "tracking", None) or {}
        jobs = client.list_jobs(
            type=self.job_type, pool=change_request.target, since_ms=self.since_ms(change_request)
        )
        if tracking.get("job_id"):
            return jobs.find(tracking["job_id"])
        names = set(self.node_names(change_request.body))
        return next((job for job in jobs.items if set(job.node_names) == names), None)

    def observe(self, client, change_request) -> Observation:
        pool_name = change_request.target
        job = self.find_job(client, change_request)
        phases = self.node_phases(client, change_request)
        names = self.node_names(change_request.body)
        back = sum(1 for name in names if phases.get(name) == NODE_AVAILABLE)
        progress = ngettext(
            "{back} of {total} node {phase}", "{back} of {total} nodes {phase}", len(names)
        ).format(back=back, total=len(names), phase=NODE_AVAILABLE)
        if job is None:
            return Observation(MISSING, pool_name, progress)
        progress = _("job {job} {phase}; {progress}").format(
            job=job.job_id, phase=job.phase, progress=progress
        )
        if job.phase == JOB_FAILED:
            failed = _("{progress}. {message}").format(progress=progress, message=job.message)
            return Observation(FAILED, pool_name, failed.strip())
        settling = [name for name in names if phases.get(name) in SETTLING_PHASES]
        if job.phase == JOB_SUCCESS and not settling:
            return Observation(DONE, pool_name, progress)
        return Observation(PENDING, pool_name, progress)
