import pytest

from pools.forms.pool_wizard import messages
from pools.forms.pool_wizard.billing import BillingForm
from pools.forms.pool_wizard.steps import step_form
from tests.forms.pool_wizard.helpers import BASE, data, errors, state


def test_pay_per_use_ignores_leftover_subscription_fields():
    assert state("billing", data(mode="0", period_type="3", period_num="99", console_url="!!")) == {
        "mode": "0"
    }


def test_monthly_and_yearly_subscriptions():
    assert state("billing", data(mode="1", period_type="2", period_num="9", auto_renew="on")) == {
        "mode": "1",
        "period_type": "2",
        "period_num": 9,
        "auto_renew": True,
        "auto_pay": False,
        "promotion_info": "",
        "console_url": "",
    }
    yearly = state(
        "billing",
        data(
            mode="1",
            period_type="3",
            period_num="3",
            auto_pay="on",
            promotion_info="spring",
            console_url="https://console.example.test/back",
        ),
    )
    assert (yearly["period_type"], yearly["period_num"], yearly["auto_pay"]) == ("3", 3, True)
    assert yearly["console_url"] == "https://console.example.test/back"


def test_subscription_needs_a_period_and_no_order_id():
    found = errors("billing", data(mode="1"))
    assert found["period_type"] == [messages.PERIOD_TYPE_REQUIRED]
    assert found["period_num"] == [messages.PERIOD_NUM_REQUIRED]
    # ModelArts makes the order when it creates the pool: there is nothing to ask for, or to send.
    assert "order_id" not in BillingForm.base_fields
    assert "order_id" not in state("billing", data(mode="1", period_type="2", period_num="1", order_id="CS1"))


@pytest.mark.parametrize(
    ("period_type", "number", "message"),
    [
        ("2", "10", messages.PERIOD_MONTHS_RANGE),
        ("2", "0", messages.PERIOD_MONTHS_RANGE),
        ("3", "4", messages.PERIOD_YEARS_RANGE),
        ("3", "-1", messages.PERIOD_YEARS_RANGE),
    ],
)
def test_period_number_out_of_range(period_type, number, message):
    found = errors("billing", data(mode="1", period_type=period_type, period_num=number))
    assert found["period_num"] == [message]


def test_malformed_billing_values_are_field_errors():
    found = errors(
        "billing",
        data(mode="1", period_type="7", period_num="x", console_url="javascript:alert(1)"),
    )
    assert set(found) >= {"period_type", "period_num", "console_url"}
    assert "mode" in errors("billing", data(mode="2"))


def test_billing_form_shows_subscription_fields_for_the_chosen_mode():
    assert step_form("billing", data(mode="1"), BASE).is_yearly_monthly
    assert not step_form("billing", data(mode="0"), BASE).is_yearly_monthly
    assert not step_form("billing", None, BASE).is_yearly_monthly
