"""The connection form: every field checked, the AK and SK write-only.

Used by the connection pages and by the Django admin. It validates and never saves: the caller passes
``cleaned_data`` to ``connection_create`` / ``connection_update``.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from pools.models import Connection
from pools.services.connections import (
    DUPLICATE_NAME,
    FREE_TEXT_FIELDS,
    KEY_REQUIRED,
    PUBLIC_FIELDS,
    SK_NEEDED_FOR_NEW_TARGET,
    TARGET_FIELDS,
    target_changes,
)
from pools.validators import (
    normalize_endpoint,
    validate_endpoint,
    validate_header_id,
    validate_key,
    validate_no_invisible_characters,
    validate_project_id,
)

STORED_HINT = _("Stored: {}. {}")
STORED_SECRET = _("Stored, never shown. {} {}")
STORED_ENCRYPTED = _("Stored encrypted; never shown again.")
KEEP_HELP = _("Leave blank to keep the stored key.")
SK_AGAIN_HELP = _("Needed again to change the endpoint, region or project.")


class WriteOnlyInput(forms.PasswordInput):
    """Never puts a value into the HTML, not even what was just typed when the form comes back with errors."""

    def __init__(self, *, input_type: str = "password", autocomplete: str = "off") -> None:
        super().__init__(attrs={"autocomplete": autocomplete, "spellcheck": "false"}, render_value=False)
        self.input_type = input_type


class EndpointField(forms.CharField):
    def to_python(self, value):
        return normalize_endpoint(super().to_python(value))


class ConnectionForm(forms.ModelForm):
    endpoint = EndpointField(
        label=_("Endpoint"),
        required=False,
        max_length=300,
        validators=[validate_endpoint],
        help_text=_(
            "Leave blank for the region's public ModelArts endpoint; http(s)://host[:port] otherwise."
        ),
    )
    project_id = forms.CharField(label=_("Project id"), max_length=64, validators=[validate_project_id])
    user_id = forms.CharField(
        label=_("X-ModelArts-User-ID"), required=False, max_length=64, validators=[validate_header_id]
    )
    workspace_id = forms.CharField(
        label=_("Default workspace id"), required=False, max_length=64, validators=[validate_header_id]
    )
    access_key = forms.CharField(
        label=_("Access key (AK)"),
        required=False,
        max_length=256,
        validators=[validate_key],
        widget=WriteOnlyInput(input_type="text"),
    )
    secret_key = forms.CharField(
        label=_("Secret key (SK)"),
        required=False,
        max_length=256,
        validators=[validate_key],
        widget=WriteOnlyInput(autocomplete="new-password"),
    )

    class Meta:
        model = Connection
        fields = PUBLIC_FIELDS
        labels = {"name": _("Name"), "region": _("Region"), "description": _("Description")}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in FREE_TEXT_FIELDS:
            self.fields[name].validators.append(validate_no_invisible_characters)
        self.fields["workspace_id"].initial = self.fields["workspace_id"].initial or "0"
        if self.is_edit:
            hint = self.instance.access_key_hint or "…"
            # Printed as HTML by Django's field template; the hint is part of a key, which may hold "<".
            self.fields["access_key"].help_text = format_html(STORED_HINT, hint, KEEP_HELP)
            self.fields["secret_key"].help_text = format_html(STORED_SECRET, KEEP_HELP, SK_AGAIN_HELP)
        else:
            for name in ("access_key", "secret_key"):
                self.fields[name].required = True
                self.fields[name].error_messages["required"] = KEY_REQUIRED
                self.fields[name].help_text = STORED_ENCRYPTED

    @property
    def is_edit(self) -> bool:
        return bool(self.instance and self.instance.pk)

    def clean_name(self) -> str:
        name = self.cleaned_data["name"]
        duplicate = Connection.objects.in_use().filter(name__iexact=name)
        if self.is_edit:
            duplicate = duplicate.exclude(pk=self.instance.pk)
        if duplicate.exists():
            raise ValidationError(DUPLICATE_NAME, code="duplicate")
        return name

    def clean_workspace_id(self) -> str:
        return self.cleaned_data.get("workspace_id") or "0"

    def clean(self):
        cleaned = super().clean()
        # The instance still holds the stored values here (the form copies its data onto it only later).
        if self.is_edit and not cleaned.get("secret_key") and "secret_key" not in self.errors:
            stored = {name: getattr(self.instance, name) for name in TARGET_FIELDS}
            typed = {name: cleaned[name] for name in TARGET_FIELDS if name in cleaned}
            if target_changes(stored, {**stored, **typed}):
                self.add_error("secret_key", SK_NEEDED_FOR_NEW_TARGET)
        return cleaned

    def _get_validation_exclusions(self):
        # validate_endpoint replaces the model's URLField check (which refuses single-label hosts).
        return {*super()._get_validation_exclusions(), "endpoint"}

    def service_arguments(self) -> dict[str, str]:
        """The cleaned values as the keyword arguments of connection_create / connection_update."""
        return {
            name: self.cleaned_data.get(name) or "" for name in (*PUBLIC_FIELDS, "access_key", "secret_key")
        }

    def add_service_errors(self, error: ValidationError) -> None:
        """Show a ValidationError raised by a service (e.g. a race on the name) on the right fields."""
        if hasattr(error, "error_dict"):
            for name, messages in error.message_dict.items():
                self.add_error(name if name in self.fields else None, messages)
        else:
            self.add_error(None, error.messages)
