"""The form that makes a personal API token: a name, when it expires, what it may do besides reading."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from pools.forms.approvals import PasswordRecheckForm
from pools.models.api_token import SCOPE_APPROVE, SCOPE_CHANGE
from pools.validators import validate_no_invisible_characters

WRONG_PASSWORD_FOR_TOKEN = _("That is not your password. Making a token needs your password again.")  # noqa: S105

EXPIRY_CHOICES = (
    ("7", _("In 7 days")),
    ("30", _("In 30 days")),
    ("90", _("In 90 days")),
    ("365", _("In a year")),
    ("", _("Never")),
)
SCOPE_CHANGE_CHOICE = _("file change requests, comment on them and cancel its owner's")
SCOPE_APPROVE_CHOICE = _("approve and reject others' change requests (expires within a week)")


class ApiTokenForm(PasswordRecheckForm):
    """A token outlives the session that made it, and one may approve: making one takes the password again,
    as approving does, so a borrowed session cannot mint itself a lasting key."""

    wrong_password = WRONG_PASSWORD_FOR_TOKEN
    field_order = ["name", "expires_in_days", "scopes", "password"]
    name = forms.CharField(
        label=_("Name"),
        max_length=80,
        validators=[validate_no_invisible_characters],
        help_text=_("Where the token is used, e.g. “terraform-ci”."),
    )
    expires_in_days = forms.ChoiceField(
        label=_("Expires"), choices=EXPIRY_CHOICES, required=False, initial="90"
    )
    scopes = forms.MultipleChoiceField(
        label=_("Besides reading, it may"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=(),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(SCOPE_CHANGE, SCOPE_CHANGE_CHOICE)]
        if settings.API_APPROVAL_TOKENS:
            choices.append((SCOPE_APPROVE, SCOPE_APPROVE_CHOICE))
        self.fields["scopes"].choices = choices

    def expiry_days(self) -> int | None:
        value = self.cleaned_data.get("expires_in_days")
        return int(value) if value else None
