"""Step 2, type and scope: a physical (Dedicate) or a logical pool, and the job types it runs."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from pools.change_kinds.pool_body import DEDICATE, LOGICAL, POOL_TYPES, SCOPES
from pools.forms.pool_wizard import messages as text
from pools.forms.pool_wizard.base import StepForm

POOL_TYPE_LABELS = {
    DEDICATE: _("Dedicate — physical pool: own network, custom drivers"),
    LOGICAL: _("Logical — no own network; created and scaled faster"),
}


class TypeScopeForm(StepForm):
    title = _("Type and scope")

    type = forms.ChoiceField(
        label=_("Pool type"),
        choices=[(pool_type, POOL_TYPE_LABELS[pool_type]) for pool_type in POOL_TYPES],
        widget=forms.RadioSelect,
    )
    scope = forms.MultipleChoiceField(
        label=_("Job types"),
        choices=[(scope, scope) for scope in SCOPES],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": text.SCOPE_REQUIRED},
    )

    def to_state(self) -> dict[str, Any]:
        chosen = self.cleaned_data["scope"]
        return {"type": self.cleaned_data["type"], "scope": [s for s in SCOPES if s in chosen]}
