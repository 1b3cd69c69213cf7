"""Step 6, review: the whole request and its CreatePool body, and why it is needed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from pools.forms.pool_wizard import messages as text
from pools.forms.pool_wizard.base import StepForm


class ReviewForm(StepForm):
    title = _("Review")

    reason = forms.CharField(
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": text.REASON_REQUIRED},
        help_text=_("Why this pool is needed; approvers read it."),
    )

    def to_state(self) -> dict[str, Any]:
        return {"reason": self.cleaned_data["reason"]}
