"""The scale, edit and tags forms: what they turn into a PatchPool or tags body, and their field errors."""

import pytest

from pools import pool_change_rules as rules
from pools.forms import pool_changes as forms_module
from pools.forms.pool_changes import EditPoolForm, PoolTagsForm, ScalePoolForm
from pools.modelarts.types import Pool
from pools.selectors.pool_changes import FlavorOffer, FlavorOffers

T4 = "modelarts.vm.gpu.t4u8"
ANT8 = "modelarts.bm.gpu.ant8"
ZONES = ("cn-north-4a", "cn-north-4b", "cn-north-4c")
KEY = "0123456789abcdef0123456789abcdef"


def pool(*, count=2, yearly=False, driver=None):
    annotations = {"os.modelarts/description": "Vision", "os.modelarts/billing.mode": "1" if yearly else "0"}
    return Pool.parse(
        {
            "metadata": {
                "name": "vision-abc",
                "labels": {"os.modelarts/name": "vision"},
                "annotations": annotations,
            },
            "spec": {
                "type": "Dedicate",
                "scope": ["Train"],
                "resources": [{"flavor": T4, "count": count}],
                "driver": driver or {"gpuVersion": "535.54.03", "updateStrategy": "idle"},
            },
            "status": {"phase": "Running"},
        }
    )


OFFERS = FlavorOffers(
    (
        FlavorOffer(T4, "GPU T4", "1 × T4", "gpu", 1, ZONES, ()),
        FlavorOffer(ANT8, "GPU Ant8", "8 × A800", "gpu", 8, ZONES, ("cn-north-4c",)),
    )
)


def scale(data, **kwargs):
    form = ScalePoolForm(
        {"reason": "More capacity", "submission_key": KEY, **data}, pool=pool(**kwargs), offers=OFFERS
    )
    return form


def test_a_new_count_becomes_the_patch_body():
    form = scale({"count_0": "4"})
    assert form.is_valid(), form.errors
    assert form.body() == {"spec": {"resources": [{"flavor": T4, "count": 4}]}}
    assert form.grows


def test_a_zone_split_and_a_new_flavor_row():
    form = scale(
        {
            "count_0": "3",
            "zone_0_0": "2",
            "zone_0_1": "1",
            "new_flavor": ANT8,
            "new_count": "2",
            "zone_new_0": "2",
        }
    )
    assert form.is_valid(), form.errors
    assert form.body()["spec"]["resources"] == [
        {
            "flavor": T4,
            "count": 3,
            "azs": [{"az": "cn-north-4a", "count": 2}, {"az": "cn-north-4b", "count": 1}],
        },
        {"flavor": ANT8, "count": 2, "azs": [{"az": "cn-north-4a", "count": 2}]},
    ]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"count_0": "2"}, "__all__", forms_module.NOTHING_CHANGES),
        ({"count_0": "0"}, "count_0", None),
        (
            {"count_0": "3", "zone_0_0": "1"},
            "zone_0_0",
            forms_module.ZONES_DO_NOT_ADD_UP.format(total=1, count=3),
        ),
        ({"new_flavor": ANT8}, "new_count", forms_module.NEW_COUNT_REQUIRED),
        ({"new_count": "2"}, "new_flavor", forms_module.NEW_FLAVOR_REQUIRED),
        (
            {"new_flavor": ANT8, "new_count": "1", "zone_new_2": "1"},
            "zone_new_2",
            forms_module.SOLD_OUT_ZONE.format(flavor=ANT8, zone="cn-north-4c"),
        ),
        ({"new_flavor": "modelarts.none", "new_count": "1"}, "new_flavor", None),
    ],
)
def test_scale_field_errors(data, field, message):
    form = scale({"count_0": "2", **data})
    assert not form.is_valid()
    assert field in form.errors
    if message:
        assert message in form.errors[field]


def test_a_yearly_pool_that_grows_is_filed_with_auto_pay():
    form = scale({"count_0": "3"}, yearly=True)
    assert form.is_valid(), form.errors
    assert form.body()["metadata"] == {
        "annotations": {"os.modelarts/order.id": "", "os.modelarts/auto.pay": "1"}
    }
    shrinking = scale({"count_0": "1"}, yearly=True)
    assert shrinking.is_valid()
    assert "metadata" not in shrinking.body()


def edit(data, **kwargs):
    base = {
        "description": "Vision",
        "scope": ["Train"],
        "driver_version": "535.54.03",
        "update_strategy": "idle",
    }
    return EditPoolForm({"reason": "Tidy", "submission_key": KEY, **base, **data}, pool=pool(**kwargs))


def test_edit_sends_only_what_changed():
    form = edit({"scope": ["Train", "Infer"], "driver_version": "535.161.08", "update_strategy": "force"})
    assert form.is_valid(), form.errors
    assert form.body() == {
        "spec": {
            "scope": ["Train", "Infer"],
            "driver": {"gpuVersion": "535.161.08", "updateStrategy": "force"},
        }
    }
    described = edit({"description": "Vision team"})
    assert described.is_valid()
    assert described.body() == {"metadata": {"annotations": {"os.modelarts/description": "Vision team"}}}


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "__all__", forms_module.NOTHING_EDITED),
        ({"description": "<script>"}, "description", rules.DESCRIPTION_RULE),
        ({"driver_version": "latest"}, "driver_version", rules.DRIVER_VERSION_RULE),
        ({"scope": []}, "scope", None),
        ({"scope": ["Batch"]}, "scope", None),
        ({"update_strategy": "now"}, "update_strategy", None),
    ],
)
def test_edit_field_errors(data, field, message):
    form = edit(data)
    assert not form.is_valid()
    assert field in form.errors
    if message:
        assert message in form.errors[field]


def tags(data, current=None):
    return PoolTagsForm(
        {"reason": "Costs", "submission_key": KEY, **data}, current=current or {"team": "vision"}
    )


def test_tags_to_add_and_remove():
    form = tags({"key_0": "cost centre", "value_0": "cc-42", "remove": ["team"]})
    assert form.is_valid(), form.errors
    assert form.body() == {"add": {"cost centre": "cc-42"}, "remove": ["team"]}


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "__all__", forms_module.NO_TAG_CHANGE),
        ({"key_0": "_sys_x", "value_0": "1"}, "key_0", rules.TAG_KEY_RULE),
        ({"key_0": " padded", "value_0": "1"}, "key_0", rules.TAG_KEY_RULE),
        ({"key_0": "k" * 129, "value_0": "1"}, "key_0", rules.TAG_KEY_RULE),
        ({"key_0": "k", "value_0": "v" * 256}, "value_0", rules.TAG_VALUE_RULE),
        ({"key_0": "k", "value_0": "a", "key_1": "k", "value_1": "b"}, "key_1", forms_module.KEY_REPEATED),
        ({"key_0": "team", "value_0": "x", "remove": ["team"]}, "__all__", None),
        ({"remove": ["not-a-tag"]}, "remove", None),
    ],
)
def test_tag_field_errors(data, field, message):
    form = tags(data)
    assert not form.is_valid()
    assert field in form.errors
    if message:
        assert message in form.errors[field]


def test_the_tag_limit_is_checked_before_filing():
    current = {f"k{number}": "v" for number in range(19)}
    form = tags({"key_0": "a", "value_0": "1", "key_1": "b", "value_1": "2"}, current=current)
    assert not form.is_valid()
    assert rules.TOO_MANY_TAGS.format(limit=20, count=21) in form.errors["__all__"]
    fits = tags(
        {"key_0": "a", "value_0": "1", "key_1": "b", "value_1": "2", "remove": ["k0"]}, current=current
    )
    assert fits.is_valid(), fits.errors
