"""The request to accept a scheduled maintenance event: when it may start, and how the node is redeployed.

``not_before`` is read as UTC and must fall in the event's window: after now, and no later than the start
ModelArts planned (the event's ``notBefore`` while it waits). A HARD redeploy resets the node, losing the data
on its local and cloud disks, so it needs an explicit confirmation.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from pools.forms.pool_requests import REASON_REQUIRED, SubmissionKeyMixin
from pools.modelarts.events import HARD, ScheduledEvent, api_time

AUTHORISE_ONLY = ""
NOT_BEFORE_PASSED = _("Pick a start later than now (UTC).")
NOT_BEFORE_TOO_LATE = _("Pick a start no later than the planned start, {planned} UTC.")
NOT_AWAITING = _("This maintenance is {state}: only maintenance waiting for acceptance can be accepted.")
HARD_NOT_CONFIRMED = _("Confirm that the node's local and cloud disks will be wiped.")
AUTO_FLOW_WITHOUT_REDEPLOY = _("Automatic follow-up goes with a redeployment.")
HARD_WARNING = _(
    "A HARD redeploy resets the node: the data on its local disks and cloud disks is lost for good. "
    "Move the workloads and back up their data first."
)
WORKSPACE = r"^[A-Za-z0-9_-]{1,64}$"


class AcceptEventForm(SubmissionKeyMixin):
    not_before = forms.DateTimeField(
        required=False,
        label=_("Start no earlier than (UTC)"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Empty: at once, when the request is executed."),
    )
    redeploy = forms.ChoiceField(required=False, label=_("Redeploy the node"))
    auto_flow = forms.BooleanField(
        required=False,
        label=_("Automatic follow-up"),
        help_text=_(
            "If the redeploy fails, ModelArts moves on to system maintenance or a second redeploy by itself."
        ),
    )
    confirm_wipe = forms.BooleanField(
        required=False, label=_("I understand that a HARD redeploy wipes the node's local and cloud disks.")
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": REASON_REQUIRED},
    )

    def __init__(self, *args, event: ScheduledEvent, now: datetime, **kwargs):
        self.event = event
        self.now = now
        super().__init__(*args, **kwargs)
        window = {"min": now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")}
        if event.not_before is not None:
            window["max"] = event.not_before.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")
        self.fields["not_before"].widget.attrs.update(window)
        self.fields["redeploy"].choices = [
            (AUTHORISE_ONLY, _("No: authorise the maintenance only")),
            *(
                (kind, _("{kind} (wipes the disks)").format(kind=kind) if kind == HARD else kind)
                for kind in event.redeploy_types
            ),
        ]

    def clean_not_before(self):
        moment = self.cleaned_data["not_before"]
        if moment is None:
            return None
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
        if moment <= self.now:
            raise forms.ValidationError(NOT_BEFORE_PASSED)
        planned = self.event.not_before
        if planned is not None and moment > planned:
            raise forms.ValidationError(
                NOT_BEFORE_TOO_LATE.format(planned=api_time(planned).replace("T", " ")[:-1])
            )
        return moment

    def clean(self):
        data = super().clean()
        if not self.event.awaits_acceptance:
            raise forms.ValidationError(NOT_AWAITING.format(state=self.event.state))
        if data.get("redeploy") == HARD and not data.get("confirm_wipe"):
            self.add_error("confirm_wipe", HARD_NOT_CONFIRMED)
        if data.get("auto_flow") and not data.get("redeploy"):
            self.add_error("auto_flow", AUTO_FLOW_WITHOUT_REDEPLOY)
        return data

    def request_body(self, workspace_id: str) -> dict:
        """The change request's body: which event, where, and the AcceptScheduledEvent body to send."""
        data = self.cleaned_data
        accept: dict = {}
        if data["not_before"] is not None:
            accept["notBefore"] = api_time(data["not_before"])
        if data["redeploy"]:
            accept["redeployConfig"] = {
                "type": data["redeploy"],
                "autoFlow": "true" if data["auto_flow"] else "false",
            }
        return {
            "eventId": self.event.id,
            "workspaceId": workspace_id,
            "nodeName": self.event.node_name,
            "eventType": self.event.type,
            "accept": accept,
        }
