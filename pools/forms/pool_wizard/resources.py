"""Step 3, resources: one row per flavor (a formset), with its count, elastic maximum and AZ spread; and
adding or removing a row of a posted draft."""

from __future__ import annotations

import re
from typing import Any

from django import forms

from pools import flavors
from pools.change_kinds.pool_body import DEDICATE
from pools.forms.pool_wizard import messages as text
from pools.forms.pool_wizard.base import WizardContext, errors_outside

AZ_RE = re.compile(r"^[a-z]{2}-[a-z]+-\d+[a-z]$")
MAX_ROWS = 10
MAX_NODES_PER_FLAVOR = 1000
ROWS_PREFIX = "rows"  # the formset's prefix: its fields are posted as rows-TOTAL_FORMS, rows-0-flavor, ...


def parse_azs(spread_text: str, region: str = "") -> list[list[Any]]:
    """``cn-north-4a=2, cn-north-4b=1`` as ``[["cn-north-4a", 2], ["cn-north-4b", 1]]``."""
    spread: list[list[Any]] = []
    for part in (p.strip() for p in spread_text.split(",")):
        if not part:
            continue
        az, sep, count = (s.strip() for s in part.partition("="))
        if not sep or not AZ_RE.match(az) or not count.isdigit() or int(count) < 1:
            raise forms.ValidationError(text.AZS_INVALID)
        if region and not (az.startswith(region) and len(az) == len(region) + 1):
            raise forms.ValidationError(text.AZS_REGION.format(az=az, region=region))
        if any(az == known for known, _ in spread):
            raise forms.ValidationError(text.AZS_DUPLICATE)
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
                self.add_error("max_count", text.MAX_COUNT_NOT_EQUAL)
            elif max_count < count:
                self.add_error("max_count", text.MAX_COUNT_BELOW_COUNT)
        if count is not None and spread:
            total = sum(n for _, n in spread)
            if total != count:
                self.add_error("azs", text.AZS_SUM.format(total=total, count=count))
        return cleaned


class BaseFlavorRowFormSet(forms.BaseFormSet):
    title = "Resources"

    def __init__(self, *args, context: WizardContext, **kwargs):
        self.context = context
        kwargs.setdefault("prefix", ROWS_PREFIX)
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
                form.add_error("flavor", text.ROW_FLAVOR_DUPLICATE)
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


# --- adding and removing a row of a posted draft (the "+ Add a flavor" and "Remove" buttons) ---------------

ROW_FIELDS = tuple(FlavorRowForm.base_fields)
NEW_ROW = {"flavor": "", "count": "1", "max_count": "", "azs": ""}


def rows_of(data: dict[str, list[str]]) -> list[dict[str, str]]:
    """The flavor rows of a posted resources step, in order, each field's first value."""
    try:
        total = min(int((data.get(f"{ROWS_PREFIX}-TOTAL_FORMS") or ["0"])[0]), FlavorRowFormSet.absolute_max)
    except ValueError:
        total = 0
    return [
        {name: (data.get(f"{ROWS_PREFIX}-{i}-{name}") or [""])[0] for name in ROW_FIELDS}
        for i in range(max(total, 0))
    ]


def with_rows(data: dict[str, list[str]], rows: list[dict[str, str]]) -> dict[str, list[str]]:
    """``data`` with its flavor rows replaced by ``rows`` (and the formset's counts to match)."""
    kept = {k: v for k, v in data.items() if not k.startswith(f"{ROWS_PREFIX}-")}
    kept.update({f"{ROWS_PREFIX}-TOTAL_FORMS": [str(len(rows))], f"{ROWS_PREFIX}-INITIAL_FORMS": ["0"]})
    for i, row in enumerate(rows):
        kept.update({f"{ROWS_PREFIX}-{i}-{name}": [value] for name, value in row.items()})
    return kept


def edit_rows(data: dict[str, list[str]], action: str) -> dict[str, list[str]]:
    """``data`` after the button ``action``: "add_row", or "remove_row:<index>" (never the last row)."""
    name, _, index = action.partition(":")
    rows = rows_of(data)
    if name == "add_row":
        rows.append(dict(NEW_ROW))
    elif index.isdigit() and int(index) < len(rows) and len(rows) > 1:
        rows.pop(int(index))
    return with_rows(data, rows)
