"""The steps in order, the form of each, and validating a wizard's saved steps one after the other.

Every form turns its cleaned data into plain JSON values with ``to_state()``; the wizard keeps those per step
and ``pools.change_kinds.pool_body.build_create_pool_body`` turns them into the CreatePool body.
Later steps depend on earlier ones (the pool type, the chosen flavors): they get a ``WizardContext``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django import forms
from django.forms.formsets import ManagementForm

from pools.change_kinds.pool_body import BILLING_PAY_PER_USE, DEDICATE, UPDATE_IDLE
from pools.forms.pool_wizard.base import WizardContext
from pools.forms.pool_wizard.basics import BasicsForm
from pools.forms.pool_wizard.billing import BillingForm
from pools.forms.pool_wizard.network import NetworkForm
from pools.forms.pool_wizard.pool_type import TypeScopeForm
from pools.forms.pool_wizard.resources import ROW_FIELDS, ROWS_PREFIX, FlavorRowFormSet
from pools.forms.pool_wizard.review import ReviewForm

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
        names = {f"{ROWS_PREFIX}-{name}": 1 for name in ManagementForm.base_fields}
        for index in range(FlavorRowFormSet.absolute_max):
            names.update({f"{ROWS_PREFIX}-{index}-{name}": 1 for name in ROW_FIELDS})
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
    """``base`` plus what the valid steps in ``states`` decided: region, the flavors on sale there, pool type,
    flavors."""
    basics = states.get("basics")
    chosen = base.connection(basics["connection_id"]) if basics else None
    offers = base.read_offers(chosen) if base.read_offers is not None and chosen is not None else base.offers
    return replace(
        base,
        offers=offers,
        region=chosen.region if chosen else "",
        pool_type=(states.get("type") or {}).get("type", ""),
        flavor_ids=tuple(row["flavor"] for row in (states.get("resources") or {}).get("rows", ())),
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
