"""Step 3, resources: one row per flavor (a formset), with its count, elastic maximum and how many nodes go
to each availability zone; and adding or removing a row of a posted draft. The flavors and zones are those
ModelArts lists for the chosen connection (ListResourceFlavors), sold-out zones marked."""

from __future__ import annotations

from typing import Any

from django import forms

from pools import flavors
from pools.change_kinds.pool_body import DEDICATE
from pools.forms.pool_wizard import messages as text
from pools.forms.pool_wizard.base import WizardContext, errors_outside

MAX_ROWS = 10
MAX_NODES_PER_FLAVOR = 1000
MAX_ZONES = 8  # zone columns a row can have (a region lists three or four)
ROWS_PREFIX = "rows"  # the formset's prefix: its fields are posted as rows-TOTAL_FORMS, rows-0-flavor, ...


def zone_field(number: int) -> str:
    return f"zone_{number}"


def _flavor_choices(context: WizardContext) -> list[tuple[str, str]]:
    """The flavors ModelArts sells for the chosen connection (sold-out zones in the label), or, unread, the
    dashboard's own list."""
    offered = context.offers.choices() if context.offers is not None else flavors.flavor_choices()
    return [("", "Choose a flavor…"), *offered]


class FlavorRowForm(forms.Form):
    """One flavor: its count, elastic maximum, and how many nodes go to each zone (optional: blank zones
    leave the spread to ModelArts)."""

    flavor = forms.ChoiceField()
    count = forms.IntegerField(min_value=1, max_value=MAX_NODES_PER_FLAVOR)
    max_count = forms.IntegerField(
        label="Elastic maximum", min_value=1, max_value=MAX_NODES_PER_FLAVOR, required=False
    )

    def __init__(self, *args, context: WizardContext | None = None, **kwargs):
        self.context = context or WizardContext()
        self.pool_type = self.context.pool_type
        super().__init__(*args, **kwargs)
        self.fields["flavor"].choices = _flavor_choices(self.context)
        self.zones = self.context.zones[:MAX_ZONES]
        for number, zone in enumerate(self.zones):
            self.fields[zone_field(number)] = forms.IntegerField(label=zone, min_value=0, required=False)

    def zone_fields(self) -> list[forms.BoundField]:
        return [self[zone_field(number)] for number in range(len(self.zones))]

    def _spread(self, cleaned: dict) -> list[list[Any]]:
        flavor_id, count = cleaned.get("flavor"), cleaned.get("count")
        given = [
            (number, zone, cleaned.get(zone_field(number)))
            for number, zone in enumerate(self.zones)
            if cleaned.get(zone_field(number)) is not None
        ]
        if not given:
            return []
        offer = self.context.offers.get(flavor_id) if self.context.offers is not None and flavor_id else None
        for number, zone, value in given:
            if value and offer is not None and zone in offer.sold_out_zones:
                self.add_error(zone_field(number), text.AZ_SOLD_OUT.format(flavor=flavor_id, zone=zone))
        total = sum(value for _, _, value in given)
        if count is not None and total != count:
            self.add_error(zone_field(given[0][0]), text.AZS_SUM.format(total=total, count=count))
        return [[zone, value] for _, zone, value in given if value]

    def clean(self):
        cleaned = super().clean()
        count, max_count = cleaned.get("count"), cleaned.get("max_count")
        if count is not None and max_count is not None:
            if self.pool_type == DEDICATE and max_count != count:
                self.add_error("max_count", text.MAX_COUNT_NOT_EQUAL)
            elif max_count < count:
                self.add_error("max_count", text.MAX_COUNT_BELOW_COUNT)
        cleaned["azs"] = self._spread(cleaned)
        return cleaned


class BaseFlavorRowFormSet(forms.BaseFormSet):
    title = "Resources"

    def __init__(self, *args, context: WizardContext, **kwargs):
        self.context = context
        kwargs.setdefault("prefix", ROWS_PREFIX)
        kwargs["form_kwargs"] = {"context": context}
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
        zones = {zone_field(number) for number in range(len(self.context.zones[:MAX_ZONES]))}
        shown = {"flavor", "count", *zones} | ({"max_count"} if self.shows_max_count else set())
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

ROW_FIELDS = (*FlavorRowForm.base_fields, *(zone_field(number) for number in range(MAX_ZONES)))
NEW_ROW = {"flavor": "", "count": "1", "max_count": ""}


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
