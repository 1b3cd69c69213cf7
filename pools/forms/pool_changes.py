"""The forms that file pool changes: scale (a new count per flavor, a new flavor row, an optional split per
availability zone), edit (description, job types, driver) and tags (add, remove). Each turns what was typed
into the exact request body an approver will see, and every bad input into a field error."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from pools import flavors
from pools import pool_change_rules as rules
from pools.forms.pool_requests import REASON_REQUIRED, SubmissionKeyMixin
from pools.modelarts.types import Pool
from pools.modelarts.vocabulary import ANNOTATION_AUTO_PAY, ANNOTATION_DESCRIPTION, ANNOTATION_ORDER_ID
from pools.selectors.pool_changes import FlavorOffers

NOTHING_CHANGES = _("Change at least one count, or add a flavor.")
NEW_COUNT_REQUIRED = _("How many nodes of the new flavor?")
NEW_FLAVOR_REQUIRED = _("Choose the flavor to add.")
ZONES_DO_NOT_ADD_UP = _("The zones add up to {total}, not {count}.")
SOLD_OUT_ZONE = _("{flavor} is sold out in {zone}.")
NOTHING_EDITED = _("Change at least one field.")
NO_DRIVER = _("This pool has no GPU or NPU driver to update.")
NO_TAG_CHANGE = _("Add a tag or choose one to remove.")
KEY_REPEATED = _("This key is given twice.")
MAX_NEW_TAG_ROWS = 5


def _reason() -> forms.CharField:
    return forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": REASON_REQUIRED},
    )


@dataclass(frozen=True)
class ScaleRow:
    """One flavor row of the scale form, as the page draws it."""

    flavor: str
    label: str
    before: int
    count: forms.BoundField
    zones: list[forms.BoundField]


class ScalePoolForm(SubmissionKeyMixin):
    """``pool``: the pool as read now; ``offers``: the flavors on sale (their zones give the split columns)."""

    new_flavor = forms.ChoiceField(label=_("Add a flavor"), required=False)
    new_count = forms.IntegerField(
        label=_("Nodes"), min_value=1, max_value=rules.MAX_NODES_PER_FLAVOR, required=False
    )
    reason = _reason()

    def __init__(self, *args, pool: Pool, offers: FlavorOffers, **kwargs):
        self.pool, self.offers = pool, offers
        super().__init__(*args, **kwargs)
        self.zones = offers.zones
        held = [resource.flavor for resource in pool.resources]
        self.fields["new_flavor"].choices = [
            ("", "—"),
            *[(offer.id, offer.choice_label) for offer in offers.offers if offer.id not in held],
        ]
        for index, resource in enumerate(pool.resources):
            self.fields[f"count_{index}"] = forms.IntegerField(
                label=_("New count of {flavor}").format(flavor=resource.flavor),
                min_value=1,
                max_value=rules.MAX_NODES_PER_FLAVOR,
                initial=resource.count,
            )
            self._zone_fields(f"zone_{index}", resource.flavor)
        self._zone_fields("zone_new", "")

    def _zone_fields(self, prefix: str, flavor_id: str) -> None:
        offer = self.offers.get(flavor_id) if flavor_id else None
        for number, zone in enumerate(self.zones):
            field = forms.IntegerField(label=zone, min_value=0, required=False)
            field.sold_out = offer is not None and zone in offer.sold_out_zones
            self.fields[f"{prefix}_{number}"] = field

    def rows(self) -> list[ScaleRow]:
        return [
            ScaleRow(
                flavor=resource.flavor,
                label=_label(resource.flavor),
                before=resource.count,
                count=self[f"count_{index}"],
                zones=[self[f"zone_{index}_{number}"] for number in range(len(self.zones))],
            )
            for index, resource in enumerate(self.pool.resources)
        ]

    def new_zone_fields(self) -> list[forms.BoundField]:
        return [self[f"zone_new_{number}"] for number in range(len(self.zones))]

    def _split(
        self, prefix: str, flavor_id: str, count: int | None, grows: bool
    ) -> list[dict[str, Any]] | None:
        """The zone split of one row, or None when none is given; field errors for a wrong one."""
        values = [
            (number, zone, self.cleaned_data.get(f"{prefix}_{number}"))
            for number, zone in enumerate(self.zones)
        ]
        given = [(number, zone, value) for number, zone, value in values if value is not None]
        if not given or count is None:
            return None
        total = sum(value for _, _, value in given)
        if total != count:
            self.add_error(f"{prefix}_{given[0][0]}", ZONES_DO_NOT_ADD_UP.format(total=total, count=count))
        offer = self.offers.get(flavor_id)
        for number, zone, value in given:
            if grows and value and offer is not None and zone in offer.sold_out_zones:
                self.add_error(f"{prefix}_{number}", SOLD_OUT_ZONE.format(flavor=flavor_id, zone=zone))
        return [{"az": zone, "count": value} for _, zone, value in given if value]

    def clean(self):
        cleaned = super().clean()
        resources, changed = [], False
        for index, resource in enumerate(self.pool.resources):
            count = cleaned.get(f"count_{index}")
            grows = count is not None and count > resource.count
            split = self._split(f"zone_{index}", resource.flavor, count, grows)
            changed = changed or (count is not None and count != resource.count) or split is not None
            entry: dict[str, Any] = {
                "flavor": resource.flavor,
                "count": count if count is not None else resource.count,
            }
            if split:
                entry["azs"] = split
            resources.append(entry)
        new_flavor, new_count = cleaned.get("new_flavor"), cleaned.get("new_count")
        if new_flavor and new_count is None and "new_count" not in self.errors:
            self.add_error("new_count", NEW_COUNT_REQUIRED)
        elif new_count is not None and not new_flavor:
            self.add_error("new_flavor", NEW_FLAVOR_REQUIRED)
        elif new_flavor:
            entry = {"flavor": new_flavor, "count": new_count}
            split = self._split("zone_new", new_flavor, new_count, True)
            if split:
                entry["azs"] = split
            resources.append(entry)
            changed = True
        if not changed and not self.errors:
            raise forms.ValidationError(NOTHING_CHANGES)
        self.resources = resources
        return cleaned

    @property
    def grows(self) -> bool:
        before = {resource.flavor: resource.count for resource in self.pool.resources}
        return any(entry["count"] > before.get(entry["flavor"], 0) for entry in self.resources)

    def body(self) -> dict[str, Any]:
        """The PatchPool body: every flavor's new count; for a yearly/monthly pool that grows, auto-pay."""
        body: dict[str, Any] = {"spec": {"resources": self.resources}}
        if self.pool.is_yearly_monthly and self.grows:
            annotations = {ANNOTATION_ORDER_ID: "", ANNOTATION_AUTO_PAY: rules.AUTO_PAY_ON}
            body = {"metadata": {"annotations": annotations}, **body}
        return body


def _label(flavor_id: str) -> str:
    known = flavors.get(flavor_id)
    return known.label if known else flavor_id


class EditPoolForm(SubmissionKeyMixin):
    description = forms.CharField(
        label=_("Description"),
        max_length=rules.MAX_DESCRIPTION,
        required=False,
        help_text=rules.DESCRIPTION_RULE,
    )
    scope = forms.MultipleChoiceField(
        label=_("Job types"), choices=[(s, s) for s in rules.SCOPES], widget=forms.CheckboxSelectMultiple
    )
    driver_version = forms.CharField(
        label=_("Driver version"), max_length=32, required=False, help_text=rules.DRIVER_VERSION_RULE
    )
    update_strategy = forms.ChoiceField(
        label=_("Driver update"),
        choices=[
            ("idle", _("idle — when no job runs on the node")),
            ("force", _("force — now, stopping running jobs")),
        ],
        widget=forms.RadioSelect,
        required=False,
    )
    reason = _reason()

    def __init__(self, *args, pool: Pool, **kwargs):
        self.pool = pool
        driver = pool.driver or {}
        self.driver_key = (
            "npuVersion" if pool.accelerator == "npu" else "gpuVersion" if pool.accelerator == "gpu" else ""
        )
        kwargs.setdefault(
            "initial",
            {
                "description": pool.description,
                "scope": list(pool.scope),
                "driver_version": driver.get(self.driver_key, "") if self.driver_key else "",
                "update_strategy": driver.get("updateStrategy") or "idle",
            },
        )
        super().__init__(*args, **kwargs)
        self.suggested_versions = (
            flavors.NPU_DRIVER_VERSIONS if self.driver_key == "npuVersion" else flavors.GPU_DRIVER_VERSIONS
        )

    def clean_description(self):
        text = self.cleaned_data["description"]
        problem = rules.description_problem(text)
        if problem:
            raise forms.ValidationError(problem)
        return text

    def clean_driver_version(self):
        version = self.cleaned_data["driver_version"].strip()
        if version and not self.driver_key:
            raise forms.ValidationError(NO_DRIVER)
        if version and rules.driver_version_problem(version):
            raise forms.ValidationError(rules.DRIVER_VERSION_RULE)
        return version

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if not self.body():
            raise forms.ValidationError(NOTHING_EDITED)
        return cleaned

    def body(self) -> dict[str, Any]:
        """The PatchPool body with only what changed."""
        data, driver = self.cleaned_data, self.pool.driver or {}
        body: dict[str, Any] = {}
        if data["description"] != self.pool.description:
            body["metadata"] = {"annotations": {ANNOTATION_DESCRIPTION: data["description"]}}
        spec: dict[str, Any] = {}
        scope = [s for s in rules.SCOPES if s in data["scope"]]
        if set(scope) != set(self.pool.scope):
            spec["scope"] = scope
        version, strategy = data["driver_version"], data.get("update_strategy") or "idle"
        if (
            self.driver_key
            and version
            and (
                version != driver.get(self.driver_key) or strategy != (driver.get("updateStrategy") or "idle")
            )
        ):
            spec["driver"] = {self.driver_key: version, "updateStrategy": strategy}
        if spec:
            body["spec"] = spec
        return body


class PoolTagsForm(SubmissionKeyMixin):
    """``current``: the pool's tags as read now (key → value)."""

    remove = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple, label=_("Remove"))
    reason = _reason()

    def __init__(self, *args, current: dict[str, str], **kwargs):
        self.current = current
        super().__init__(*args, **kwargs)
        self.fields["remove"].choices = [(key, f"{key} = {value}") for key, value in sorted(current.items())]
        for number in range(MAX_NEW_TAG_ROWS):
            self.fields[f"key_{number}"] = forms.CharField(
                label=_("Key"), max_length=rules.MAX_TAG_KEY * 2, required=False, strip=False
            )
            self.fields[f"value_{number}"] = forms.CharField(
                label=_("Value"), max_length=rules.MAX_TAG_VALUE * 2, required=False, strip=False
            )

    def new_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"key_{number}"], self[f"value_{number}"]) for number in range(MAX_NEW_TAG_ROWS)]

    def clean(self):
        cleaned = super().clean()
        add: dict[str, str] = {}
        for number in range(MAX_NEW_TAG_ROWS):
            key, value = cleaned.get(f"key_{number}") or "", cleaned.get(f"value_{number}") or ""
            if not key and not value:
                continue
            problem = rules.tag_key_problem(key)
            if problem:
                self.add_error(f"key_{number}", problem)
            elif key in add:
                self.add_error(f"key_{number}", KEY_REPEATED)
            value_problem = rules.tag_value_problem(value)
            if value_problem:
                self.add_error(f"value_{number}", value_problem)
            if not problem and not value_problem:
                add[key] = value
        remove = list(cleaned.get("remove") or [])
        if self.errors:
            return cleaned
        if not add and not remove:
            raise forms.ValidationError(NO_TAG_CHANGE)
        problem = rules.tag_change_problem(self.current, add, remove)
        if problem:
            raise forms.ValidationError(problem)
        self.change = {"add": add, "remove": remove}
        return cleaned

    def body(self) -> dict[str, Any]:
        return self.change
