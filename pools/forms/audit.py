"""The audit page's filters. Every value arrives in the query string, so every value is checked."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from pools.selectors.audit import AuditFilters
from pools.validators import EARLIEST_DATE, LATEST_DATE, validate_supported_date

DATE_RANGE_REVERSED = _("The start date is after the end date.")
USER_UNKNOWN = _("No entries by that user.")
DATE_INPUT = forms.DateInput(
    attrs={"type": "date", "min": EARLIEST_DATE.isoformat(), "max": LATEST_DATE.isoformat()}
)


class AuditFilterForm(forms.Form):
    user = forms.ChoiceField(label=_("User"), required=False, error_messages={"invalid_choice": USER_UNKNOWN})
    action = forms.CharField(
        label=_("Action"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"list": "audit-actions"}),
        help_text=_("An action such as change_request.approve, or its first part (change_request)."),
    )
    q = forms.CharField(
        label=_("Object"),
        required=False,
        max_length=200,
        help_text=_("Text in the object's name or details."),
    )
    start = forms.DateField(
        label=_("From (UTC)"), required=False, widget=DATE_INPUT, validators=[validate_supported_date]
    )
    end = forms.DateField(
        label=_("To (UTC)"), required=False, widget=DATE_INPUT, validators=[validate_supported_date]
    )

    def __init__(self, *args, usernames: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [("", _("Everyone"))] + [(name, name) for name in usernames]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", DATE_RANGE_REVERSED)
        return cleaned

    def filters(self) -> AuditFilters:
        data = self.cleaned_data
        return AuditFilters(
            username=data.get("user") or "",
            action=(data.get("action") or "").strip(),
            text=(data.get("q") or "").strip(),
            start=data.get("start"),
            end=data.get("end"),
        )
