"""Step 5, billing: pay-per-use, or a yearly/monthly subscription with its period and payment options."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import URLValidator

from pools.change_kinds.pool_body import (
    BILLING_MODE_NAMES,
    BILLING_PAY_PER_USE,
    BILLING_YEARLY_MONTHLY,
    PERIOD_MONTH,
    PERIOD_NUMBERS,
    PERIOD_YEAR,
)
from pools.forms.pool_wizard import messages as text
from pools.forms.pool_wizard.base import StepForm

PERIOD_OUT_OF_RANGE = {PERIOD_MONTH: text.PERIOD_MONTHS_RANGE, PERIOD_YEAR: text.PERIOD_YEARS_RANGE}


def review_order_notes(billing: dict[str, Any]) -> list[str]:
    """Where a subscription's order comes from and who pays it, for the review (nothing for pay-per-use)."""
    if billing.get("mode") != BILLING_YEARLY_MONTHLY:
        return []
    paid = text.ORDER_PAID_AUTOMATICALLY if billing.get("auto_pay") else text.ORDER_PAID_IN_CONSOLE
    return [text.ORDER_MADE_ON_CREATE, paid]


class BillingForm(StepForm):
    title = "Billing"

    mode = forms.ChoiceField(
        label="Billing mode",
        choices=list(BILLING_MODE_NAMES.items()),
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
    # What the step says about a subscription's order, whether auto-pay is on or off.
    order_notes = (text.ORDER_MADE_ON_CREATE, text.ORDER_PAID_AUTOMATICALLY, text.ORDER_PAID_IN_CONSOLE)

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
            self.add_error("period_type", text.PERIOD_TYPE_REQUIRED)
        if period_num is None and "period_num" not in self.errors:
            self.add_error("period_num", text.PERIOD_NUM_REQUIRED)
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
