"""The create-pool wizard's steps: one form (or formset) per step, each validating on the server.

Every form turns its cleaned data into plain JSON values with ``to_state()``; the wizard keeps those per step
and ``pools.services.pool_body.build_create_pool_body`` turns them into the CreatePool body.
Later steps depend on earlier ones (the pool type, the chosen flavors): they get a ``WizardContext``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.validators import RegexValidator, URLValidator
from django.forms.formsets import ManagementForm

from pools import flavors
from pools.modelarts.types import DEFAULT_WORKSPACE, MODELARTS_KEY_PREFIX
from pools.services.pool_body import (
    BILLING_PAY_PER_USE,
    BILLING_YEARLY_MONTHLY,
    DEDICATE,
    DISPLAY_NAME,
    DISPLAY_NAME_RULE,
    LOGICAL,
    PERIOD_MONTH,
    PERIOD_NUMBERS,
    PERIOD_YEAR,
    POOL_TYPES,
    SCOPES,
    UPDATE_FORCE,
    UPDATE_IDLE,
)
from pools.validators import validate_no_invisible_characters

# Error texts, asserted on by the tests.
DISPLAY_NAME_INVALID = f"Use {DISPLAY_NAME_RULE}."
NODE_PREFIX_INVALID = (
    "Use 1–16 characters: lowercase letters, digits and '-', starting with a letter and not ending with '-'."
)
WORKSPACE_INVALID = "A workspace id is 1–64 letters, digits or '-'; use 0 for the default workspace."
LABEL_LINE_INVALID = "Line {line}: write one label per line as key=value."
LABEL_KEY_INVALID = (
    "Line {line}: '{key}' is not a valid label key (letters, digits, '-', '_', '.', up to 63)."
)
LABEL_VALUE_INVALID = "Line {line}: the value of '{key}' must be up to 63 letters, digits, '-', '_' or '.'."
LABEL_RESERVED = "Line {line}: '{key}' is set by ModelArts or by the fields above; choose another key."
LABEL_DUPLICATE = "Line {line}: '{key}' is given twice."
LABELS_TOO_MANY = "At most {limit} labels."
CONNECTION_INVALID = "Choose one of the connections you may use."
SCOPE_REQUIRED = "Choose at least one job type."
ROWS_REQUIRED = "Add at least one flavor."
ROW_FLAVOR_DUPLICATE = "Each flavor once: raise the count of the first row instead."
MAX_COUNT_NOT_EQUAL = (
    "A physical (Dedicate) pool has no elastic part: leave this empty or equal to the count."
)
MAX_COUNT_BELOW_COUNT = "The elastic maximum cannot be below the count."
AZS_INVALID = "Write the spread as az=count pairs separated by commas, e.g. cn-north-4a=2, cn-north-4b=1."
AZS_DUPLICATE = "Each availability zone once."
AZS_REGION = "'{az}' is not an availability zone of region {region}."
AZS_SUM = "The spread adds up to {total}; it must add up to the count ({count})."
NETWORK_REQUIRED = "A physical (Dedicate) pool needs a network."
NETWORK_LOGICAL = "A logical pool has no network of its own; leave this empty."
NETWORK_INVALID = "A network id is lowercase letters, digits and '-' (the network's metadata.name)."
JOB_FLAVOR_INVALID = "'{name}' is not a valid job flavor name (letters, digits, '.', '-', '_')."
JOB_FLAVORS_TOO_MANY = "At most {limit} job flavors."
DRIVER_LOGICAL = "Driver versions apply to physical (Dedicate) pools only."
DRIVER_NO_GPU = "None of the chosen flavors has a GPU."
DRIVER_NO_NPU = "None of the chosen flavors has an NPU."
DRIVER_VERSION_INVALID = "A driver version looks like 470.57.02 or 24.1.rc2."
PERIOD_TYPE_REQUIRED = "Choose monthly or yearly."
PERIOD_NUM_REQUIRED = "Say how many months or years."
PERIOD_MONTHS_RANGE = "Monthly subscriptions run 1 to 9 months."
PERIOD_YEARS_RANGE = "Yearly subscriptions run 1 to 3 years."
# Where a subscription's order comes from (the pool's order.id annotation; the SDK's auto.pay annotation).
ORDER_MADE_ON_CREATE = (
    "There is no order id to enter: ModelArts makes the order for this subscription when it creates the "
    "pool, and records the order's id on the pool (its page shows it)."
)
ORDER_PAID_AUTOMATICALLY = "With auto-pay on, that order is paid automatically."
ORDER_PAID_IN_CONSOLE = (
    "With auto-pay off, someone must pay that order in the Huawei Cloud console (Billing Center) before "
    "the pool is built; until then the pool waits (counted as pending)."
)
REASON_REQUIRED = "Say why this change is needed; approvers read it."
NAME_TAKEN_BY_POOL = (
    "Connection “{connection}” already has a pool named {name} in workspace {workspace} ({pools}); "
    "choose another name."
)
NAME_TAKEN_BY_REQUEST = (
    "Change request #{pk} ({status}) already asks to create a pool named {name} in workspace {workspace} of "
    "connection “{connection}”; choose another name."
)
NAME_UNCHECKED = (
    "Whether a pool named {name} already exists could not be checked: {problem} You may go on; the name "
    "is checked again on the review and when the request is filed."
)
NAME_UNCHECKED_AT_REVIEW = (
    "Whether a pool named {name} already exists could not be checked now; it is checked again when the "
    "request is filed."
)

NODE_PREFIX_RE = re.compile(r"^[a-z](?:[a-z0-9-]{0,14}[a-z0-9])?$")
LABEL_PART_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$")
LABEL_PREFIX_RE = re.compile(r"^[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?$")
AZ_RE = re.compile(r"^[a-z]{2}-[a-z]+-\d+[a-z]$")
NETWORK_RE = re.compile(r"^[a-z][a-z0-9-]{0,62}$")
JOB_FLAVOR_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
DRIVER_VERSION_RE = re.compile(r"^\d+(?:\.[0-9A-Za-z]+){1,3}$")

MAX_LABELS = 20
MAX_ROWS = 10
MAX_JOB_FLAVORS = 20
MAX_NODES_PER_FLAVOR = 1000
PERIOD_OUT_OF_RANGE = {PERIOD_MONTH: PERIOD_MONTHS_RANGE, PERIOD_YEAR: PERIOD_YEARS_RANGE}
POOL_TYPE_LABELS = {
    DEDICATE: "Dedicate — physical pool: own network, custom drivers",
    LOGICAL: "Logical — no own network; created and scaled faster",
}


@dataclass(frozen=True)
class WizardContext:
    """What a step needs to know from the user and from the steps before it."""

    user: Any = None
    connections: tuple = ()  # Connection rows the user may use
    default_connection_id: int | None = None  # the one in the switcher
    default_workspace_id: str = DEFAULT_WORKSPACE
    region: str = ""  # of the chosen connection; availability zones must lie in it
    pool_type: str = ""
    flavor_ids: tuple[str, ...] = field(default_factory=tuple)

    @property
    def accelerators(self) -> set[str]:
        return flavors.accelerators_of(self.flavor_ids)


def errors_outside(form: forms.Form, shown: set[str], prefix: str = "") -> list[str]:
    """``form``'s errors on fields not in ``shown``, each as "Label: message"."""
    return [
        f"{prefix}{form[name].label}: {message}"
        for name, messages in form.errors.items()
        if name != NON_FIELD_ERRORS and name not in shown
        for message in messages
    ]


class StepForm(forms.Form):
    def __init__(self, *args, context: WizardContext, **kwargs):
        self.context = context
        super().__init__(*args, **kwargs)
        # Every text field of every step, also one added later: nothing unseen reaches the review.
        for form_field in self.fields.values():
            if isinstance(form_field, forms.CharField):
                form_field.validators.append(validate_no_invisible_characters)

    @property
    def shown_fields(self) -> set[str]:
        """The fields the step's page shows (its template asks this too); every field unless overridden."""
        return set(self.fields)

    @property
    def unshown_errors(self) -> list[str]:
        """Errors on fields the page does not show, for the page's error banner: whatever goes wrong, a step
        never comes back without saying why."""
        return errors_outside(self, self.shown_fields)


def parse_labels(text: str) -> list[list[str]]:
    """``key=value`` lines as ``[[key, value], ...]``; raises ValidationError listing every bad line."""
    errors: list[str] = []
    labels: list[list[str]] = []
    seen: set[str] = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        key, sep, value = line.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key:
            errors.append(LABEL_LINE_INVALID.format(line=number))
            continue
        prefix, slash, name = key.rpartition("/")
        if not LABEL_PART_RE.match(name) or (slash and not LABEL_PREFIX_RE.match(prefix)):
            errors.append(LABEL_KEY_INVALID.format(line=number, key=key))
        elif key.startswith(MODELARTS_KEY_PREFIX):
            errors.append(LABEL_RESERVED.format(line=number, key=key))
        elif key in seen:
            errors.append(LABEL_DUPLICATE.format(line=number, key=key))
        elif value and not LABEL_PART_RE.match(value):
            errors.append(LABEL_VALUE_INVALID.format(line=number, key=key))
        else:
            seen.add(key)
            labels.append([key, value])
    if len(labels) > MAX_LABELS:
        errors.append(LABELS_TOO_MANY.format(limit=MAX_LABELS))
    if errors:
        raise forms.ValidationError(errors)
    return labels


class BasicsForm(StepForm):
    title = "Basics"

    connection = forms.ChoiceField(error_messages={"invalid_choice": CONNECTION_INVALID})
    # The pattern bounds the length too; a separate max_length would repeat the same complaint.
    display_name = forms.CharField(
        validators=[RegexValidator(DISPLAY_NAME, DISPLAY_NAME_INVALID)],
        widget=forms.TextInput(attrs={"maxlength": 64, "autocomplete": "off"}),
        help_text="4–64 lowercase letters, digits and '-'; starts with a letter.",
    )
    description = forms.CharField(max_length=256, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    workspace_id = forms.CharField(
        label="Workspace id",
        max_length=64,
        required=False,
        validators=[RegexValidator(r"^[A-Za-z0-9-]{1,64}$", WORKSPACE_INVALID)],
        help_text="Empty means the connection's default workspace.",
    )
    node_prefix = forms.CharField(
        label="Node name prefix",
        required=False,
        validators=[RegexValidator(NODE_PREFIX_RE, NODE_PREFIX_INVALID)],
        widget=forms.TextInput(attrs={"maxlength": 16}),
    )
    labels = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "team=vision\ncost-center=cc-42"}),
        help_text="One key=value per line.",
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


class TypeScopeForm(StepForm):
    title = "Type and scope"

    type = forms.ChoiceField(
        label="Pool type",
        choices=[(pool_type, POOL_TYPE_LABELS[pool_type]) for pool_type in POOL_TYPES],
        widget=forms.RadioSelect,
    )
    scope = forms.MultipleChoiceField(
        label="Job types",
        choices=[(scope, scope) for scope in SCOPES],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": SCOPE_REQUIRED},
    )

    def to_state(self) -> dict[str, Any]:
        chosen = self.cleaned_data["scope"]
        return {"type": self.cleaned_data["type"], "scope": [s for s in SCOPES if s in chosen]}


def parse_azs(text: str, region: str = "") -> list[list[Any]]:
    """``cn-north-4a=2, cn-north-4b=1`` as ``[["cn-north-4a", 2], ["cn-north-4b", 1]]``."""
    spread: list[list[Any]] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        az, sep, count = (s.strip() for s in part.partition("="))
        if not sep or not AZ_RE.match(az) or not count.isdigit() or int(count) < 1:
            raise forms.ValidationError(AZS_INVALID)
        if region and not (az.startswith(region) and len(az) == len(region) + 1):
            raise forms.ValidationError(AZS_REGION.format(az=az, region=region))
        if any(az == known for known, _ in spread):
            raise forms.ValidationError(AZS_DUPLICATE)
        spread.append([az, int(count)])
    return spread


def _flavor_choices() -> list[tuple[str, str]]:
    return [("", "Choose a flavor…"), *flavors.flavor_choices()]


class FlavorRowForm(forms.Form):
    flavor = forms.ChoiceField(choices=_flavor_choices)
    count = forms.IntegerField(min_value=1, max_value=MAX_NODES_PER_FLAVOR)
    max_count = forms.IntegerField(
        label="Elastic maximum", min_value=1, max_value=MAX_NODES_PER_FLAVOR, required=False
    )
    azs = forms.CharField(label="AZ spread", max_length=200, required=False)

    def __init__(self, *args, pool_type: str = "", region: str = "", **kwargs):
        self.pool_type = pool_type
        self.region = region
        super().__init__(*args, **kwargs)

    def clean_azs(self):
        return parse_azs(self.cleaned_data.get("azs", ""), self.region)

    def clean(self):
        cleaned = super().clean()
        count, max_count, spread = cleaned.get("count"), cleaned.get("max_count"), cleaned.get("azs")
        if count is not None and max_count is not None:
            if self.pool_type == DEDICATE and max_count != count:
                self.add_error("max_count", MAX_COUNT_NOT_EQUAL)
            elif max_count < count:
                self.add_error("max_count", MAX_COUNT_BELOW_COUNT)
        if count is not None and spread:
            total = sum(n for _, n in spread)
            if total != count:
                self.add_error("azs", AZS_SUM.format(total=total, count=count))
        return cleaned


class BaseFlavorRowFormSet(forms.BaseFormSet):
    title = "Resources"

    def __init__(self, *args, context: WizardContext, **kwargs):
        self.context = context
        kwargs.setdefault("prefix", "rows")
        kwargs["form_kwargs"] = {"pool_type": context.pool_type, "region": context.region}
        super().__init__(*args, **kwargs)

    @property
    def shows_max_count(self) -> bool:
        """A physical pool needs no elastic maximum column, unless a value (and so its error) is in it."""
        if self.context.pool_type != DEDICATE:
            return True
        return self.is_bound and any(form["max_count"].value() not in (None, "") for form in self.forms)

    @property
    def unshown_errors(self) -> list[str]:
        """Errors the rows table does not show (a hidden column, a row as a whole), for the error banner."""
        shown = {"flavor", "count", "azs"} | ({"max_count"} if self.shows_max_count else set())
        found: list[str] = []
        for number, row in enumerate(self.forms, start=1):
            found += [f"Row {number}: {message}" for message in row.non_field_errors()]
            found += errors_outside(row, shown, prefix=f"Row {number}, ")
        return found

    def clean(self):
        if any(self.errors):
            return
        seen: set[str] = set()
        for form in self.forms:
            flavor = form.cleaned_data.get("flavor")
            if not flavor:
                continue
            if flavor in seen:
                form.add_error("flavor", ROW_FLAVOR_DUPLICATE)
            seen.add(flavor)

    def to_state(self) -> dict[str, Any]:
        return {
            "rows": [
                {
                    "flavor": form.cleaned_data["flavor"],
                    "count": form.cleaned_data["count"],
                    "max_count": form.cleaned_data["max_count"],
                    "azs": form.cleaned_data["azs"],
                }
                for form in self.forms
                if form.cleaned_data  # an added row left blank is skipped, not an error
            ]
        }


FlavorRowFormSet = forms.formset_factory(
    FlavorRowForm,
    formset=BaseFlavorRowFormSet,
    extra=0,
    min_num=1,
    validate_min=True,
    max_num=MAX_ROWS,
    validate_max=True,
    absolute_max=MAX_ROWS * 2,
)
FlavorRowFormSet.title = "Resources"


def parse_job_flavors(text: str) -> list[str]:
    names: list[str] = []
    for name in (n.strip() for n in re.split(r"[,\s]+", text)):
        if not name:
            continue
        if not JOB_FLAVOR_RE.match(name):
            raise forms.ValidationError(JOB_FLAVOR_INVALID.format(name=name[:70]))
        if name not in names:
            names.append(name)
    if len(names) > MAX_JOB_FLAVORS:
        raise forms.ValidationError(JOB_FLAVORS_TOO_MANY.format(limit=MAX_JOB_FLAVORS))
    return names


class NetworkForm(StepForm):
    title = "Network and drivers"

    network_name = forms.CharField(
        label="Network id",
        max_length=63,
        required=False,
        validators=[RegexValidator(NETWORK_RE, NETWORK_INVALID)],
        help_text="The metadata.name of an existing ModelArts network, e.g. network-a1b2-….",
    )
    job_flavors = forms.CharField(
        label="Job flavors",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Optional; names separated by commas or new lines.",
    )
    gpu_version = forms.CharField(
        label="GPU driver version",
        max_length=32,
        required=False,
        validators=[RegexValidator(DRIVER_VERSION_RE, DRIVER_VERSION_INVALID)],
    )
    npu_version = forms.CharField(
        label="NPU driver version",
        max_length=32,
        required=False,
        validators=[RegexValidator(DRIVER_VERSION_RE, DRIVER_VERSION_INVALID)],
    )
    # Shown only with a driver version to apply, so not required: a logical pool's page has no such field.
    update_strategy = forms.ChoiceField(
        label="Driver update strategy",
        choices=[
            (UPDATE_IDLE, "idle — upgrade a node once no job runs on it"),
            (UPDATE_FORCE, "force — upgrade now; running jobs may be disturbed"),
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
            self.add_error("network_name", NETWORK_REQUIRED)
        if not self.is_dedicate and network:
            self.add_error("network_name", NETWORK_LOGICAL)
        for name, wanted, missing in (
            ("gpu_version", self.wants_gpu_driver, DRIVER_NO_GPU),
            ("npu_version", self.wants_npu_driver, DRIVER_NO_NPU),
        ):
            if cleaned.get(name) and not wanted:
                self.add_error(name, missing if self.is_dedicate else DRIVER_LOGICAL)
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


class BillingForm(StepForm):
    title = "Billing"

    mode = forms.ChoiceField(
        label="Billing mode",
        choices=[(BILLING_PAY_PER_USE, "Pay-per-use"), (BILLING_YEARLY_MONTHLY, "Yearly/monthly")],
        initial=BILLING_PAY_PER_USE,
        widget=forms.RadioSelect,
    )
    period_type = forms.ChoiceField(
        label="Period",
        choices=[("", "—"), (PERIOD_MONTH, "Months"), (PERIOD_YEAR, "Years")],
        required=False,
    )
    period_num = forms.IntegerField(
        label="Number of periods", required=False, help_text="Months: 1–9. Years: 1–3."
    )
    auto_renew = forms.BooleanField(label="Renew automatically", required=False)
    auto_pay = forms.BooleanField(
        label="Pay the order automatically",
        required=False,
        help_text="Off: the order is paid by hand in the Huawei Cloud console before the pool is built.",
    )
    promotion_info = forms.CharField(label="Promotion", max_length=256, required=False)
    console_url = forms.CharField(
        label="Return URL after payment",
        max_length=500,
        required=False,
        validators=[URLValidator(schemes=["https", "http"])],
        help_text="Where the console's payment page sends the payer afterwards.",
    )

    YEARLY_MONTHLY_FIELDS = (
        "period_type",
        "period_num",
        "auto_renew",
        "auto_pay",
        "promotion_info",
        "console_url",
    )
    order_notes = (ORDER_MADE_ON_CREATE, ORDER_PAID_AUTOMATICALLY, ORDER_PAID_IN_CONSOLE)

    @property
    def chosen_mode(self) -> str:
        """The mode the form shows fields for: the submitted one, else the initial one."""
        if self.is_bound:
            value = self.data.get(self.add_prefix("mode"))
        else:
            value = self.initial.get("mode", self.fields["mode"].initial)
        return BILLING_YEARLY_MONTHLY if value == BILLING_YEARLY_MONTHLY else BILLING_PAY_PER_USE

    @property
    def is_yearly_monthly(self) -> bool:
        return self.chosen_mode == BILLING_YEARLY_MONTHLY

    def yearly_monthly_fields(self):
        return [self[name] for name in self.YEARLY_MONTHLY_FIELDS]

    @property
    def shown_fields(self) -> set[str]:
        return {"mode", *(self.YEARLY_MONTHLY_FIELDS if self.is_yearly_monthly else ())}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("mode") != BILLING_YEARLY_MONTHLY:
            # Values left over from a yearly/monthly draft are not part of a pay-per-use pool.
            for name in self.YEARLY_MONTHLY_FIELDS:
                self.errors.pop(name, None)
            return cleaned
        period_type, period_num = cleaned.get("period_type"), cleaned.get("period_num")
        if not period_type and "period_type" not in self.errors:
            self.add_error("period_type", PERIOD_TYPE_REQUIRED)
        if period_num is None and "period_num" not in self.errors:
            self.add_error("period_num", PERIOD_NUM_REQUIRED)
        elif period_num is not None and period_type in PERIOD_NUMBERS:
            if period_num not in PERIOD_NUMBERS[period_type]:
                self.add_error("period_num", PERIOD_OUT_OF_RANGE[period_type])
        return cleaned

    def to_state(self) -> dict[str, Any]:
        data = self.cleaned_data
        if data["mode"] != BILLING_YEARLY_MONTHLY:
            return {"mode": BILLING_PAY_PER_USE}
        return {
            "mode": BILLING_YEARLY_MONTHLY,
            "period_type": data["period_type"],
            "period_num": data["period_num"],
            "auto_renew": data["auto_renew"],
            "auto_pay": data["auto_pay"],
            "promotion_info": data["promotion_info"],
            "console_url": data["console_url"],
        }


class ReviewForm(StepForm):
    title = "Review"

    reason = forms.CharField(
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": REASON_REQUIRED},
        help_text="Why this pool is needed; approvers read it.",
    )

    def to_state(self) -> dict[str, Any]:
        return {"reason": self.cleaned_data["reason"]}


# --- The steps in order, and validating a wizard's saved steps ---------------------------------------------

STEPS = ("basics", "type", "resources", "network", "billing", "review")
STEP_FORMS = {
    "basics": BasicsForm,
    "type": TypeScopeForm,
    "resources": FlavorRowFormSet,
    "network": NetworkForm,
    "billing": BillingForm,
    "review": ReviewForm,
}
STEP_TITLES = {step: form.title for step, form in STEP_FORMS.items()}
STEP_INITIAL = {
    "type": {"type": DEDICATE},
    "network": {"update_strategy": UPDATE_IDLE},
    "billing": {"mode": BILLING_PAY_PER_USE},
}


def declared_fields(step: str) -> dict[str, int]:
    """The names ``step``'s form reads, each with how many values it takes: all a wizard keeps of a post."""
    if step == "resources":
        prefix = "rows"
        names = {f"{prefix}-{name}": 1 for name in ManagementForm.base_fields}
        for index in range(FlavorRowFormSet.absolute_max):
            names.update({f"{prefix}-{index}-{name}": 1 for name in FlavorRowForm.base_fields})
        return names
    return {
        name: len(field.choices) if isinstance(field, forms.MultipleChoiceField) else 1
        for name, field in STEP_FORMS[step].base_fields.items()
    }


def step_form(step: str, data, context: WizardContext):
    """The form (or formset) of ``step``: bound to ``data`` when given, else showing its defaults."""
    initial = dict(STEP_INITIAL.get(step, {}))
    if step == "basics":
        first = context.connections[0].pk if context.connections else ""
        initial["connection"] = str(context.default_connection_id or first)
    if step == "resources":
        return FlavorRowFormSet(data, context=context, initial=None if data is not None else [{"count": 1}])
    return STEP_FORMS[step](data, context=context, initial=initial)


def context_after(states: dict[str, dict[str, Any]], base: WizardContext) -> WizardContext:
    """``base`` plus what the valid steps in ``states`` decided: region, pool type, flavors."""
    region = ""
    basics = states.get("basics")
    if basics:
        chosen = next((c for c in base.connections if c.pk == basics["connection_id"]), None)
        region = chosen.region if chosen else ""
    pool_type = (states.get("type") or {}).get("type", "")
    flavor_ids = tuple(row["flavor"] for row in (states.get("resources") or {}).get("rows", ()))
    return WizardContext(
        user=base.user,
        connections=base.connections,
        default_connection_id=base.default_connection_id,
        default_workspace_id=base.default_workspace_id,
        region=region,
        pool_type=pool_type,
        flavor_ids=flavor_ids,
    )


def validate_steps(saved: dict[str, Any], base: WizardContext, *, until: str) -> tuple[dict, str | None]:
    """Validate the saved steps before ``until`` in order.

    Returns the cleaned state of each valid step and the first step that is missing or invalid (None when
    all are fine). Steps after an invalid one are not looked at: they depend on it.
    """
    states: dict[str, dict[str, Any]] = {}
    for step in STEPS[: STEPS.index(until)]:
        data = saved.get(step)
        if data is None:
            return states, step
        form = step_form(step, data, context_after(states, base))
        if not form.is_valid():
            return states, step
        states[step] = form.to_state()
    return states, None
