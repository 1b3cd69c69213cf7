"""The node actions filed from a selection of nodes (reboot, drain, lock, unlock, reset) and the Workloads
tab's filter. Each form checks the selection against the pool's nodes as listed now and says, per action,
which nodes it cannot take."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from pools.forms.pool_requests import (
    MAX_NODES_PER_REQUEST,
    NO_NODES_SELECTED,
    REASON_REQUIRED,
    TOO_MANY_NODES,
    UNKNOWN_NODES,
    SubmissionKeyMixin,
)
from pools.modelarts.node_operations import MAX_DRAIN_NODES
from pools.modelarts.types import Node
from pools.modelarts.workloads import WORKLOAD_STATUSES, WORKLOAD_TYPES
from pools.node_actions import (
    DRAIN,
    LOCK,
    MAX_UNAVAILABLE_REQUIRED,
    NO_ROLLING_ON_VM,
    PERCENT_RANGE,
    RESET,
    TOO_MANY_TO_DRAIN,
    UNLOCK,
    action_problem,
    rolling_allowed,
    short_names,
)

STRATEGY_CHOICES = (
    ("", _("All selected nodes at once")),
    ("RollingByNumber", _("Rolling: at most N nodes at a time")),
    ("RollingByPercent", _("Rolling: at most N percent of the selected nodes at a time")),
)


class NodeActionForm(SubmissionKeyMixin):
    """The nodes picked in the node table for one action, and why."""

    nodes = forms.MultipleChoiceField(
        widget=forms.MultipleHiddenInput, error_messages={"required": NO_NODES_SELECTED}
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": REASON_REQUIRED},
    )
    strategy = forms.ChoiceField(label=_("Reset strategy"), choices=STRATEGY_CHOICES, required=False)
    max_unavailable = forms.IntegerField(label="N", min_value=1, max_value=500, required=False)

    def __init__(self, *args, action: str, pool_nodes: list[Node], selection_only: bool = False, **kwargs):
        self.action = action
        self.pool_nodes = pool_nodes
        super().__init__(*args, **kwargs)
        self.fields["nodes"].choices = [(name, name) for name in self._posted_names()]
        if selection_only:
            self.fields["reason"].required = False
        if action != RESET:
            del self.fields["strategy"], self.fields["max_unavailable"]

    def _posted_names(self) -> list[str]:
        if not self.is_bound:
            return []
        names = self.data.getlist(self.add_prefix("nodes")) if hasattr(self.data, "getlist") else []
        return list(dict.fromkeys(str(name) for name in names))

    def clean_nodes(self):
        names = list(dict.fromkeys(self.cleaned_data["nodes"]))
        limit = MAX_DRAIN_NODES if self.action == DRAIN else MAX_NODES_PER_REQUEST
        if len(names) > limit:
            raise forms.ValidationError(
                TOO_MANY_TO_DRAIN if self.action == DRAIN else TOO_MANY_NODES.format(limit=limit)
            )
        by_name = {node.name: node for node in self.pool_nodes}
        unknown = [name for name in names if name not in by_name]
        if unknown:
            raise forms.ValidationError(UNKNOWN_NODES.format(names=short_names(unknown)))
        chosen = [by_name[name] for name in names]
        problem = action_problem(self.action, chosen)
        if problem:
            raise forms.ValidationError(problem)
        return names

    def clean(self):
        cleaned = super().clean()
        strategy, number = cleaned.get("strategy"), cleaned.get("max_unavailable")
        if self.action != RESET or not strategy:
            return cleaned
        if not rolling_allowed(self.selected_nodes()):
            self.add_error("strategy", NO_ROLLING_ON_VM)
        if number is None:
            self.add_error("max_unavailable", MAX_UNAVAILABLE_REQUIRED)
        elif strategy == "RollingByPercent" and number > 100:
            self.add_error("max_unavailable", PERCENT_RANGE)
        return cleaned

    def selected_nodes(self) -> list[Node]:
        chosen = set(self.cleaned_data.get("nodes") or self._posted_names())
        return [node for node in self.pool_nodes if node.name in chosen]

    def body(self) -> dict:
        """The API body this request asks for (what the approver sees)."""
        body: dict = {"nodeNames": self.cleaned_data["nodes"]}
        if self.action in (LOCK, UNLOCK):
            body["actions"] = ["delete"]
        if self.action == RESET and self.cleaned_data.get("strategy"):
            body["rollingConfig"] = {
                "strategy": self.cleaned_data["strategy"],
                "maxUnavailable": self.cleaned_data["max_unavailable"],
            }
        return body


class WorkloadFilterForm(forms.Form):
    status = forms.ChoiceField(
        required=False, choices=(("", _("Any status")), *((status, status) for status in WORKLOAD_STATUSES))
    )
    type = forms.ChoiceField(
        label=_("Type"),
        required=False,
        choices=(("", _("Any type")), *((kind, kind) for kind in WORKLOAD_TYPES)),
    )
