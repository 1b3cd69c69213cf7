from types import SimpleNamespace

import pytest
from django.core.validators import RegexValidator
from django.utils.datastructures import MultiValueDict

from pools import validators
from pools.forms import pool_wizard as wizard
from pools.forms.pool_wizard import WizardContext, step_form, validate_steps
from pools.services.pool_body import DISPLAY_NAME

PROD = SimpleNamespace(pk=1, name="prod", region="cn-north-4", workspace_id="ws-prod")
LAB = SimpleNamespace(pk=2, name="lab", region="cn-east-3", workspace_id="0")
BASE = WizardContext(connections=(PROD, LAB), default_connection_id=1)


def data(**fields) -> MultiValueDict:
    return MultiValueDict({k: v if isinstance(v, list) else [str(v)] for k, v in fields.items()})


def rows(*items) -> MultiValueDict:
    fields = {"rows-TOTAL_FORMS": str(len(items)), "rows-INITIAL_FORMS": "0"}
    for i, item in enumerate(items):
        fields.update({f"rows-{i}-{k}": str(v) for k, v in item.items()})
    return data(**fields)


def errors(step, values, context=BASE):
    form = step_form(step, values, context)
    assert not form.is_valid()
    return form.errors


def state(step, values, context=BASE):
    form = step_form(step, values, context)
    assert form.is_valid(), form.errors
    return form.to_state()


GOOD_BASICS = {"connection": "1", "display_name": "pool-vision"}


# --- basics --------------------------------------------------------------------------------------------------


def test_basics_defaults_the_workspace_to_the_connections_and_parses_labels():
    assert state(
        "basics", data(**GOOD_BASICS, labels="team=vision\n\n example.com/cost-center = cc-42 ")
    ) == {
        "connection_id": 1,
        "display_name": "pool-vision",
        "description": "",
        "workspace_id": "ws-prod",
        "node_prefix": "",
        "labels": [["team", "vision"], ["example.com/cost-center", "cc-42"]],
    }
    assert (
        state("basics", data(**GOOD_BASICS, workspace_id="0", node_prefix="vis-1"))["node_prefix"] == "vis-1"
    )


@pytest.mark.parametrize(
    "name", ["abc", "Pool-vision", "1pool", "pool-", "pool_vision", "pool vision", "p" * 65, "pööl"]
)
def test_display_name_rules(name):
    assert errors("basics", data(connection="1", display_name=name))["display_name"] == [
        wizard.DISPLAY_NAME_INVALID
    ]


@pytest.mark.parametrize("name", ["pool", "a-b1", "p" * 64, "pool--x9"])
def test_display_names_that_pass(name):
    assert state("basics", data(connection="1", display_name=name))["display_name"] == name


def test_the_display_name_rule_is_the_one_the_change_request_service_uses():
    field = wizard.BasicsForm.base_fields["display_name"]
    assert [v.regex for v in field.validators if isinstance(v, RegexValidator)] == [DISPLAY_NAME]


def test_connection_must_be_one_the_user_may_use():
    assert errors("basics", data(connection="99", display_name="pool-x"))["connection"] == [
        wizard.CONNECTION_INVALID
    ]
    assert "connection" in errors("basics", data(display_name="pool-x"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("team", wizard.LABEL_LINE_INVALID.format(line=1)),
        ("=x", wizard.LABEL_LINE_INVALID.format(line=1)),
        ("os.modelarts/name=x", wizard.LABEL_RESERVED.format(line=1, key="os.modelarts/name")),
        ("a=1\na=2", wizard.LABEL_DUPLICATE.format(line=2, key="a")),
        ("bad key=1", wizard.LABEL_KEY_INVALID.format(line=1, key="bad key")),
        ("team=two words", wizard.LABEL_VALUE_INVALID.format(line=1, key="team")),
    ],
)
def test_label_lines_are_checked_one_by_one(text, message):
    assert errors("basics", data(**GOOD_BASICS, labels=text))["labels"] == [message]


def test_bad_node_prefix_and_workspace():
    found = errors("basics", data(**GOOD_BASICS, node_prefix="-x", workspace_id="a b"))
    assert found["node_prefix"] == [wizard.NODE_PREFIX_INVALID]
    assert found["workspace_id"] == [wizard.WORKSPACE_INVALID]


# --- type and scope ------------------------------------------------------------------------------------------


def test_scope_needs_one_job_type_and_comes_out_in_canonical_order():
    assert errors("type", data(type="Dedicate"))["scope"] == [wizard.SCOPE_REQUIRED]
    assert state("type", data(type="Logical", scope=["Notebook", "Train"])) == {
        "type": "Logical",
        "scope": ["Train", "Notebook"],
    }
    assert "type" in errors("type", data(type="Shared", scope=["Train"]))
    assert "scope" in errors("type", data(type="Dedicate", scope=["Train", "Mining"]))


# --- resources -----------------------------------------------------------------------------------------------

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
    assert form.forms[0].errors["max_count"] == [wizard.MAX_COUNT_NOT_EQUAL]
    assert (
        state("resources", rows({"flavor": T4, "count": 2, "max_count": 4}), LOGICAL)["rows"][0]["max_count"]
        == 4
    )


def test_logical_max_count_cannot_be_below_count():
    form = step_form("resources", rows({"flavor": T4, "count": 3, "max_count": 2}), LOGICAL)
    assert not form.is_valid()
    assert form.forms[0].errors["max_count"] == [wizard.MAX_COUNT_BELOW_COUNT]


@pytest.mark.parametrize(
    ("azs", "message"),
    [
        ("cn-north-4a=1", wizard.AZS_SUM.format(total=1, count=2)),
        ("cn-north-4a", wizard.AZS_INVALID),
        ("cn-north-4a=0, cn-north-4b=2", wizard.AZS_INVALID),
        ("cn-north-4a=1, cn-north-4a=1", wizard.AZS_DUPLICATE),
        ("cn-east-3a=2", wizard.AZS_REGION.format(az="cn-east-3a", region="cn-north-4")),
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
    assert form.forms[1].errors["flavor"] == [wizard.ROW_FLAVOR_DUPLICATE]


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


# --- network and drivers -------------------------------------------------------------------------------------

NPU_DEDICATE = WizardContext(pool_type="Dedicate", flavor_ids=("modelarts.bm.npu.arm.8snt9b3.d",))
GPU_DEDICATE = WizardContext(pool_type="Dedicate", flavor_ids=(T4, "modelarts.vm.cpu.8ud"))
GPU_LOGICAL = WizardContext(pool_type="Logical", flavor_ids=(T4,))
CPU_DEDICATE = WizardContext(pool_type="Dedicate", flavor_ids=("modelarts.vm.cpu.8ud",))


def test_physical_pool_needs_a_network_and_takes_the_matching_driver():
    assert errors("network", data(update_strategy="idle"), GPU_DEDICATE)["network_name"] == [
        wizard.NETWORK_REQUIRED
    ]
    assert state(
        "network",
        data(
            network_name="network-a1b2",
            gpu_version="535.161.08",
            update_strategy="force",
            job_flavors="a.b, c-d\nc-d",
        ),
        GPU_DEDICATE,
    ) == {
        "network_name": "network-a1b2",
        "job_flavors": ["a.b", "c-d"],
        "gpu_version": "535.161.08",
        "npu_version": "",
        "update_strategy": "force",
    }


def test_driver_versions_must_match_the_flavors_and_the_pool_type():
    found = errors(
        "network", data(network_name="net-1", npu_version="24.1.rc2", update_strategy="idle"), GPU_DEDICATE
    )
    assert found["npu_version"] == [wizard.DRIVER_NO_NPU]
    found = errors(
        "network", data(network_name="net-1", gpu_version="470.57.02", update_strategy="idle"), NPU_DEDICATE
    )
    assert found["gpu_version"] == [wizard.DRIVER_NO_GPU]
    found = errors("network", data(gpu_version="470.57.02", update_strategy="idle"), GPU_LOGICAL)
    assert found["gpu_version"] == [wizard.DRIVER_LOGICAL]
    found = errors(
        "network", data(network_name="net-1", gpu_version="latest", update_strategy="idle"), GPU_DEDICATE
    )
    assert found["gpu_version"] == [wizard.DRIVER_VERSION_INVALID]
    found = errors("network", data(network_name="net-1", update_strategy="sometimes"), GPU_DEDICATE)
    assert "update_strategy" in found


def test_logical_pool_has_no_network():
    assert errors("network", data(network_name="net-1", update_strategy="idle"), GPU_LOGICAL)[
        "network_name"
    ] == [wizard.NETWORK_LOGICAL]
    assert state("network", data(update_strategy="idle"), GPU_LOGICAL)["network_name"] == ""


def test_the_update_strategy_is_optional_and_defaults_to_idle():
    # A logical pool (or a physical one without drivers) shows no update strategy, so none is posted.
    assert state("network", data(), GPU_LOGICAL)["update_strategy"] == "idle"
    assert state("network", data(network_name="net-1"), CPU_DEDICATE)["update_strategy"] == "idle"


def test_the_step_pages_say_which_fields_they_show():
    assert step_form("network", data(), GPU_LOGICAL).shown_fields == {"job_flavors"}
    assert step_form("network", data(), GPU_DEDICATE).shown_fields == {
        "network_name",
        "job_flavors",
        "gpu_version",
        "update_strategy",
    }
    assert "period_num" not in step_form("billing", data(mode="0"), BASE).shown_fields
    assert "period_num" in step_form("billing", data(mode="1"), BASE).shown_fields


def test_an_error_on_a_field_the_page_does_not_show_is_listed_for_the_banner():
    form = step_form("network", data(update_strategy="sometimes"), GPU_LOGICAL)
    assert not form.is_valid()
    assert form.unshown_errors == ["Driver update strategy: " + form.errors["update_strategy"][0]]
    shown = step_form("network", data(gpu_version="470.57.02"), GPU_LOGICAL)
    assert not shown.is_valid() and shown.unshown_errors == []  # kept on the page with its value


def test_bad_job_flavor_names():
    found = errors(
        "network", data(network_name="net-1", update_strategy="idle", job_flavors="ok, <bad>"), GPU_DEDICATE
    )
    assert found["job_flavors"] == [wizard.JOB_FLAVOR_INVALID.format(name="<bad>")]


# --- billing -------------------------------------------------------------------------------------------------


YEARLY = {"mode": "1", "period_type": "2", "period_num": "3"}


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
    assert found["period_type"] == [wizard.PERIOD_TYPE_REQUIRED]
    assert found["period_num"] == [wizard.PERIOD_NUM_REQUIRED]
    # ModelArts makes the order when it creates the pool: there is nothing to ask for, or to send.
    assert "order_id" not in wizard.BillingForm.base_fields
    assert "order_id" not in state("billing", data(mode="1", period_type="2", period_num="1", order_id="CS1"))


@pytest.mark.parametrize(
    ("period_type", "number", "message"),
    [
        ("2", "10", wizard.PERIOD_MONTHS_RANGE),
        ("2", "0", wizard.PERIOD_MONTHS_RANGE),
        ("3", "4", wizard.PERIOD_YEARS_RANGE),
        ("3", "-1", wizard.PERIOD_YEARS_RANGE),
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


# --- invisible characters ----------------------------------------------------------------------------------

INVISIBLE = {
    "\u202e": "U+202E (RIGHT-TO-LEFT OVERRIDE)",
    "\u202a": "U+202A (LEFT-TO-RIGHT EMBEDDING)",
    "\u2067": "U+2067 (RIGHT-TO-LEFT ISOLATE)",
    "\u2069": "U+2069 (POP DIRECTIONAL ISOLATE)",
    "\u200f": "U+200F (RIGHT-TO-LEFT MARK)",
    "\u200b": "U+200B (ZERO WIDTH SPACE)",
    "\ufeff": "U+FEFF (ZERO WIDTH NO-BREAK SPACE)",
    "\u2028": "U+2028 (LINE SEPARATOR)",
    "\x1b": "U+001B",
    "\u3164": "U+3164 (HANGUL FILLER)",
}
# Free text of every step, where any script is welcome.
FREE_TEXT = [
    ("basics", "description", {**GOOD_BASICS, "description": "Vision {} team"}, BASE),
    ("billing", "promotion_info", {**YEARLY, "promotion_info": "spring{}-10"}, BASE),
    ("billing", "console_url", {**YEARLY, "console_url": "https://console.exam{}ple.test/"}, BASE),
    ("review", "reason", {"reason": "Needed {} soon"}, BASE),
    ("basics", "display_name", {**GOOD_BASICS, "display_name": "pool{}-x"}, BASE),
]


@pytest.mark.parametrize("character", INVISIBLE)
@pytest.mark.parametrize(
    ("step", "field", "values", "context"), FREE_TEXT, ids=[f for _, f, _, _ in FREE_TEXT]
)
def test_invisible_characters_are_refused_in_every_text_field(step, field, values, context, character):
    found = errors(step, data(**{k: v.format(character) for k, v in values.items()}), context)
    message = validators.INVISIBLE_CHARACTERS.format(
        characters=f"character {INVISIBLE[character]}", them="it"
    )
    assert message in found[field]


def test_visible_text_in_any_script_passes_and_every_invisible_character_is_named():
    text = "Équipe vision 语言 — تجربة\n\tsecond line 😀"
    assert state("basics", data(**GOOD_BASICS, description=text))["description"] == text.strip()
    found = errors("review", data(reason="a\u202eb\u2066c\u202ed"))["reason"]
    assert found == [
        validators.INVISIBLE_CHARACTERS.format(
            characters="characters U+202E (RIGHT-TO-LEFT OVERRIDE), U+2066 (LEFT-TO-RIGHT ISOLATE)",
            them="they",
        )
    ]


# --- review and the whole chain ------------------------------------------------------------------------------


def test_review_needs_a_reason():
    assert errors("review", data(reason="  "))["reason"] == [wizard.REASON_REQUIRED]


def test_validate_steps_stops_at_the_first_missing_or_invalid_step():
    saved = {
        "basics": data(**GOOD_BASICS),
        "type": data(type="Dedicate", scope=["Train"]),
        "resources": rows({"flavor": T4, "count": 2}),
        "network": data(update_strategy="idle"),  # a physical pool without network
    }
    states, blocking = validate_steps(saved, BASE, until="review")
    assert blocking == "network"
    assert list(states) == ["basics", "type", "resources"]
    assert validate_steps(saved, BASE, until="network") == (states, None)
    assert validate_steps({}, BASE, until="type")[1] == "basics"


def test_later_steps_see_what_earlier_steps_decided():
    saved = {
        "basics": data(connection="2", display_name="pool-lab"),
        "type": data(type="Dedicate", scope=["Train"]),
        # An AZ of the first connection's region is wrong for the chosen (second) connection.
        "resources": rows({"flavor": T4, "count": 1, "azs": "cn-north-4a=1"}),
    }
    assert validate_steps(saved, BASE, until="network")[1] == "resources"
    saved["resources"] = rows({"flavor": T4, "count": 1, "azs": "cn-east-3a=1"})
    assert validate_steps(saved, BASE, until="network")[1] is None
