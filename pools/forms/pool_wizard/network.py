"""Step 4, network and drivers: a physical pool's network, job flavors, and the driver versions that fit
the chosen flavors."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from pools import flavors
from pools.change_kinds.pool_body import DEDICATE, UPDATE_FORCE, UPDATE_IDLE
from pools.forms.pool_wizard import messages as text
from pools.forms.pool_wizard.base import StepForm

NETWORK_RE = re.compile(r"^[a-z][a-z0-9-]{0,62}$")
JOB_FLAVOR_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
DRIVER_VERSION_RE = re.compile(r"^\d+(?:\.[0-9A-Za-z]+){1,3}$")
MAX_JOB_FLAVORS = 20


def parse_job_flavors(names_text: str) -> list[str]:
    """Names separated by commas or white space, each once, in order; raises ValidationError."""
    names: list[str] = []
    for name in (n.strip() for n in re.split(r"[,\s]+", names_text)):
        if not name:
            continue
        if not JOB_FLAVOR_RE.match(name):
            raise forms.ValidationError(text.JOB_FLAVOR_INVALID.format(name=name[:70]))
        if name not in names:
            names.append(name)
    if len(names) > MAX_JOB_FLAVORS:
        raise forms.ValidationError(text.JOB_FLAVORS_TOO_MANY.format(limit=MAX_JOB_FLAVORS))
    return names


class NetworkForm(StepForm):
    title = _("Network and drivers")

    network_name = forms.CharField(
        label=_("Network id"),
        max_length=63,
        required=False,
        validators=[RegexValidator(NETWORK_RE, text.NETWORK_INVALID)],
        help_text=_("The metadata.name of an existing ModelArts network, e.g. network-a1b2-…."),
    )
    job_flavors = forms.CharField(
        label=_("Job flavors"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Optional; names separated by commas or new lines."),
    )
    gpu_version = forms.CharField(
        label=_("GPU driver version"),
        max_length=32,
        required=False,
        validators=[RegexValidator(DRIVER_VERSION_RE, text.DRIVER_VERSION_INVALID)],
    )
    npu_version = forms.CharField(
        label=_("NPU driver version"),
        max_length=32,
        required=False,
        validators=[RegexValidator(DRIVER_VERSION_RE, text.DRIVER_VERSION_INVALID)],
    )
    # Shown only with a driver version to apply, so not required: a logical pool's page has no such field.
    update_strategy = forms.ChoiceField(
        label=_("Driver update strategy"),
        choices=[
            (UPDATE_IDLE, _("idle — upgrade a node once no job runs on it")),
            (UPDATE_FORCE, _("force — upgrade now; running jobs may be disturbed")),
        ],
        initial=UPDATE_IDLE,
        required=False,
        widget=forms.RadioSelect,
    )

    @property
    def is_dedicate(self) -> bool:
        return self.context.pool_type == DEDICATE

    @property
    def wants_gpu_driver(self) -> bool:
        return self.is_dedicate and flavors.GPU in self.context.accelerators

    @property
    def wants_npu_driver(self) -> bool:
        return self.is_dedicate and flavors.NPU in self.context.accelerators

    @property
    def shown_fields(self) -> set[str]:
        shown = {"job_flavors"}
        # A value that does not fit the pool stays on the page with its error, so it can be cleared.
        for name, wanted in (
            ("network_name", self.is_dedicate),
            ("gpu_version", self.wants_gpu_driver),
            ("npu_version", self.wants_npu_driver),
        ):
            if wanted or name in self.errors:
                shown.add(name)
        if self.wants_gpu_driver or self.wants_npu_driver:
            shown.add("update_strategy")
        return shown

    def clean_job_flavors(self):
        return parse_job_flavors(self.cleaned_data.get("job_flavors", ""))

    def clean_update_strategy(self):
        return self.cleaned_data.get("update_strategy") or UPDATE_IDLE

    def clean(self):
        cleaned = super().clean()
        network = cleaned.get("network_name")
        if self.is_dedicate and not network and "network_name" not in self.errors:
            self.add_error("network_name", text.NETWORK_REQUIRED)
        if not self.is_dedicate and network:
            self.add_error("network_name", text.NETWORK_LOGICAL)
        for name, wanted, missing in (
            ("gpu_version", self.wants_gpu_driver, text.DRIVER_NO_GPU),
            ("npu_version", self.wants_npu_driver, text.DRIVER_NO_NPU),
        ):
            if cleaned.get(name) and not wanted:
                self.add_error(name, missing if self.is_dedicate else text.DRIVER_LOGICAL)
        return cleaned

    def to_state(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "network_name": data["network_name"],
            "job_flavors": data["job_flavors"],
            "gpu_version": data["gpu_version"],
            "npu_version": data["npu_version"],
            "update_strategy": data["update_strategy"],
        }
