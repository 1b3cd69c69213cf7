"""The GET forms of the events pages: a pool's Events tab and the estate-wide inbox.

A bad value is a field error and nothing goes upstream.
"""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from pools.modelarts.events import NORMAL, WARNING

EVENT_TYPES = (("", _("Every type")), (WARNING, _("Warnings")), (NORMAL, _("Normal")))
# A continue token is opaque; it travels in the address, so it is held to URL-safe printable characters.
continue_token = RegexValidator(
    r"^[A-Za-z0-9._~=+/-]*$", _("This page marker is not one ModelArts handed out.")
)
pool_search = RegexValidator(r"^[\x20-\x7e]*$", _("Use printable ASCII characters only."))


class PoolEventsForm(forms.Form):
    type = forms.ChoiceField(choices=EVENT_TYPES, required=False, label=_("Type"))
    page = forms.CharField(
        required=False, max_length=2000, validators=[continue_token], widget=forms.HiddenInput
    )


class InboxFilterForm(forms.Form):
    type = forms.ChoiceField(choices=EVENT_TYPES, required=False, label=_("Type"))
    pool = forms.CharField(
        required=False,
        max_length=64,
        validators=[pool_search],
        label=_("Pool"),
        help_text=_("Part of a pool's name or id."),
    )
