"""Step 1, basics: the connection, the pool's display name, where it lives and its labels."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from pools.forms.pool_wizard import messages as text
from pools.forms.pool_wizard.base import StepForm
from pools.modelarts.vocabulary import (
    DEFAULT_WORKSPACE,
    DISPLAY_NAME,
    MODELARTS_KEY_PREFIX,
)

NODE_PREFIX_RE = re.compile(r"^[a-z](?:[a-z0-9-]{0,14}[a-z0-9])?$")
WORKSPACE_RE = re.compile(r"^[A-Za-z0-9-]{1,64}$")
# A label key is [prefix/]name; the name and a value are up to 63 characters, the prefix a DNS subdomain.
LABEL_PART_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$")
LABEL_PREFIX_RE = re.compile(r"^[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?$")
MAX_LABELS = 20


def _label_problem(number: int, key: str, value: str, seen: set[str]) -> str | None:
    """What is wrong with line ``number``'s label ``key=value`` (None when nothing is)."""
    prefix, slash, name = key.rpartition("/")
    if not LABEL_PART_RE.match(name) or (slash and not LABEL_PREFIX_RE.match(prefix)):
        return text.LABEL_KEY_INVALID.format(line=number, key=key)
    if key.startswith(MODELARTS_KEY_PREFIX):
        return text.LABEL_RESERVED.format(line=number, key=key)
    if key in seen:
        return text.LABEL_DUPLICATE.format(line=number, key=key)
    if value and not LABEL_PART_RE.match(value):
        return text.LABEL_VALUE_INVALID.format(line=number, key=key)
    return None


def parse_labels(lines: str) -> list[list[str]]:
    """``key=value`` lines as ``[[key, value], ...]``; raises ValidationError listing every bad line."""
    errors: list[str] = []
    labels: list[list[str]] = []
    seen: set[str] = set()
    for number, raw in enumerate(lines.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        key, sep, value = line.partition("=")
        key, value = key.strip(), value.strip()
        problem = text.LABEL_LINE_INVALID.format(line=number) if not sep or not key else None
        problem = problem or _label_problem(number, key, value, seen)
        if problem:
            errors.append(problem)
            continue
        seen.add(key)
        labels.append([key, value])
    if len(labels) > MAX_LABELS:
        errors.append(text.LABELS_TOO_MANY.format(limit=MAX_LABELS))
    if errors:
        raise forms.ValidationError(errors)
    return labels


class BasicsForm(StepForm):
    title = _("Basics")

    connection = forms.ChoiceField(
        label=_("Connection"), error_messages={"invalid_choice": text.CONNECTION_INVALID}
    )
    # The pattern bounds the length too; a separate max_length would repeat the same complaint.
    display_name = forms.CharField(
        label=_("Display name"),
        validators=[RegexValidator(DISPLAY_NAME, text.DISPLAY_NAME_INVALID)],
        widget=forms.TextInput(attrs={"maxlength": 64, "autocomplete": "off"}),
        help_text=text.DISPLAY_NAME_HELP,
    )
    description = forms.CharField(
        label=_("Description"), max_length=256, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    workspace_id = forms.CharField(
        label=_("Workspace id"),
        max_length=64,
        required=False,
        validators=[RegexValidator(WORKSPACE_RE, text.WORKSPACE_INVALID)],
        help_text=_("Empty means the connection's default workspace."),
    )
    node_prefix = forms.CharField(
        label=_("Node name prefix"),
        required=False,
        validators=[RegexValidator(NODE_PREFIX_RE, text.NODE_PREFIX_INVALID)],
        widget=forms.TextInput(attrs={"maxlength": 16}),
    )
    labels = forms.CharField(
        label=_("Labels"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "team=vision\ncost-center=cc-42"}),
        help_text=_("One key=value per line."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["connection"].choices = [("", "—")] + [
            (str(conn.pk), f"{conn.name} ({conn.region})") for conn in self.context.connections
        ]
        self.fields["workspace_id"].widget.attrs["placeholder"] = self.context.default_workspace_id

    def clean_labels(self):
        return parse_labels(self.cleaned_data.get("labels", ""))

    def selected_connection(self):
        chosen = self.cleaned_data.get("connection")
        return next((conn for conn in self.context.connections if str(conn.pk) == chosen), None)

    def clean(self):
        cleaned = super().clean()
        conn = self.selected_connection()
        if conn is not None and not cleaned.get("workspace_id") and "workspace_id" not in self.errors:
            cleaned["workspace_id"] = conn.workspace_id or DEFAULT_WORKSPACE
        return cleaned

    def to_state(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "connection_id": int(data["connection"]),
            "display_name": data["display_name"],
            "description": data["description"],
            "workspace_id": data["workspace_id"],
            "node_prefix": data["node_prefix"],
            "labels": data["labels"],
        }
