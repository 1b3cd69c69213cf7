import pytest

from pools.forms.pool_wizard import messages
from pools.forms.pool_wizard.base import WizardContext
from pools.forms.pool_wizard.steps import step_form
from tests.forms.pool_wizard.helpers import PROD, data, rows, state

DEDICATE = WizardContext(connections=(PROD,), region="cn-north-4", pool_type="Dedicate")
LOGICAL = WizardContext(connections=(PROD,), region="cn-north-4", pool_type="Logical")
T4 = "modelarts.vm.gpu.t4u8"


def test_rows_with_counts_and_az_spread():
    assert state(
        "resources", rows({"flavor": T4, "count": 3, "azs": "cn-north-4a=2, cn-north-4b=1"}), DEDICATE
    ) == {
        "rows": [
            {"flavor": T4, "count": 3, "max_count": None, "azs": [["cn-north-4a", 2], ["cn-north-4b", 1]]}
        ]
    }


def test_physical_pool_max_count_must_equal_count():
    form = step_form("resources", rows({"flavor": T4, "count": 2, "max_count": 4}), DEDICATE)
    assert not form.is_valid()
    assert form.forms[0].errors["max_count"] == [messages.MAX_COUNT_NOT_EQUAL]
    assert (
        state("resources", rows({"flavor": T4, "count": 2, "max_count": 4}), LOGICAL)["rows"][0]["max_count"]
        == 4
    )


def test_logical_max_count_cannot_be_below_count():
    form = step_form("resources", rows({"flavor": T4, "count": 3, "max_count": 2}), LOGICAL)
    assert not form.is_valid()
    assert form.forms[0].errors["max_count"] == [messages.MAX_COUNT_BELOW_COUNT]


@pytest.mark.parametrize(
    ("azs", "message"),
    [
        ("cn-north-4a=1", messages.AZS_SUM.format(total=1, count=2)),
        ("cn-north-4a", messages.AZS_INVALID),
        ("cn-north-4a=0, cn-north-4b=2", messages.AZS_INVALID),
        ("cn-north-4a=1, cn-north-4a=1", messages.AZS_DUPLICATE),
        ("cn-east-3a=2", messages.AZS_REGION.format(az="cn-east-3a", region="cn-north-4")),
    ],
)
def test_az_spread_rules(azs, message):
    form = step_form("resources", rows({"flavor": T4, "count": 2, "azs": azs}), DEDICATE)
    assert not form.is_valid()
    assert form.forms[0].errors["azs"] == [message]


def test_a_blank_added_row_is_skipped_and_a_half_filled_one_is_an_error():
    blank = {"flavor": "", "count": "", "max_count": "", "azs": ""}
    assert state("resources", rows({"flavor": T4, "count": 1}, blank), DEDICATE)["rows"] == [
        {"flavor": T4, "count": 1, "max_count": None, "azs": []}
    ]
    form = step_form("resources", rows({"flavor": T4, "count": 1}, {**blank, "count": "3"}), DEDICATE)
    assert not form.is_valid()
    assert form.forms[1].errors["flavor"] == ["This field is required."]
    assert "flavor" in errors_of_first_row(rows(blank))


def errors_of_first_row(values):
    form = step_form("resources", values, DEDICATE)
    assert not form.is_valid()
    return form.forms[0].errors


def test_a_new_wizard_starts_with_one_row_of_one_node():
    form = step_form("resources", None, DEDICATE)
    assert len(form.forms) == 1
    assert form.forms[0]["count"].value() == 1
    assert form.forms[0]["flavor"].value() is None


def test_each_flavor_once():
    form = step_form("resources", rows({"flavor": T4, "count": 1}, {"flavor": T4, "count": 2}), DEDICATE)
    assert not form.is_valid()
    assert form.forms[1].errors["flavor"] == [messages.ROW_FLAVOR_DUPLICATE]


@pytest.mark.parametrize(
    "row",
    [
        {"flavor": "modelarts.vm.gpu.unknown", "count": 1},
        {"flavor": T4, "count": 0},
        {"flavor": T4, "count": 1001},
        {"flavor": T4, "count": "two"},
        {"flavor": T4},
    ],
)
def test_bad_rows_are_field_errors(row):
    form = step_form("resources", rows(row), DEDICATE)
    assert not form.is_valid()
    assert form.forms[0].errors


@pytest.mark.parametrize(
    "values",
    [
        rows(),
        data(**{"rows-0-flavor": T4, "rows-0-count": "1"}),  # no management form
        data(**{"rows-TOTAL_FORMS": "many", "rows-INITIAL_FORMS": "0"}),
        data(**{"rows-TOTAL_FORMS": "100000", "rows-INITIAL_FORMS": "0"}),
    ],
)
def test_missing_or_tampered_rows_never_crash(values):
    form = step_form("resources", values, DEDICATE)
    assert not form.is_valid()
    assert form.non_form_errors()
