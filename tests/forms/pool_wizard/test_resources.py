import pytest

from pools.forms.pool_wizard import messages
from pools.forms.pool_wizard.base import WizardContext
from pools.forms.pool_wizard.steps import step_form
from pools.selectors.pool_changes import FlavorOffer, FlavorOffers
from tests.forms.pool_wizard.helpers import PROD, data, rows, state

T4 = "modelarts.vm.gpu.t4u8"
ANT8 = "modelarts.bm.gpu.ant8"
ZONES = ("cn-north-4a", "cn-north-4b", "cn-north-4c")
OFFERS = FlavorOffers(
    (
        FlavorOffer(T4, "GPU T4", "1 × T4", "gpu", 1, ZONES, ()),
        FlavorOffer(ANT8, "GPU Ant8", "8 × A800", "gpu", 8, ZONES, ("cn-north-4c",)),
    )
)
DEDICATE = WizardContext(connections=(PROD,), region="cn-north-4", pool_type="Dedicate", offers=OFFERS)
LOGICAL = WizardContext(connections=(PROD,), region="cn-north-4", pool_type="Logical", offers=OFFERS)


def test_rows_with_counts_and_nodes_per_zone():
    assert state("resources", rows({"flavor": T4, "count": 3, "zone_0": 2, "zone_1": 1}), DEDICATE) == {
        "rows": [
            {"flavor": T4, "count": 3, "max_count": None, "azs": [["cn-north-4a", 2], ["cn-north-4b", 1]]}
        ]
    }


def test_the_flavors_offered_are_those_on_sale_with_sold_out_zones_named():
    form = step_form("resources", None, DEDICATE)
    choices = dict(form.forms[0].fields["flavor"].choices)
    assert set(choices) == {"", T4, ANT8}
    assert choices[ANT8].endswith("sold out in cn-north-4c")
    assert [field.label for field in form.forms[0].zone_fields()] == list(ZONES)


def test_without_the_flavors_on_sale_the_catalog_is_offered_and_zones_are_left_to_modelarts():
    context = WizardContext(connections=(PROD,), region="cn-north-4", pool_type="Dedicate")
    form = step_form("resources", None, context)
    assert len(form.forms[0].fields["flavor"].choices) == 9
    assert form.forms[0].zone_fields() == []


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
    ("row", "field", "message"),
    [
        ({"flavor": T4, "count": 2, "zone_0": 1}, "zone_0", messages.AZS_SUM.format(total=1, count=2)),
        ({"flavor": T4, "count": 2, "zone_1": 3}, "zone_1", messages.AZS_SUM.format(total=3, count=2)),
        ({"flavor": T4, "count": 2, "zone_0": -1, "zone_1": 3}, "zone_0", None),
        (
            {"flavor": ANT8, "count": 2, "zone_2": 2},
            "zone_2",
            messages.AZ_SOLD_OUT.format(flavor=ANT8, zone="cn-north-4c"),
        ),
    ],
)
def test_zone_rules(row, field, message):
    form = step_form("resources", rows(row), DEDICATE)
    assert not form.is_valid()
    assert field in form.forms[0].errors
    if message:
        assert message in form.forms[0].errors[field]


def test_a_zone_left_at_zero_places_no_node_there():
    assert state("resources", rows({"flavor": ANT8, "count": 2, "zone_0": 2, "zone_2": 0}), DEDICATE)["rows"][
        0
    ]["azs"] == [["cn-north-4a", 2]]


def test_a_blank_added_row_is_skipped_and_a_half_filled_one_is_an_error():
    blank = {"flavor": "", "count": "", "max_count": ""}
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
