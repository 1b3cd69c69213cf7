"""What the scale, edit and tags kinds accept as a body: exactly the shapes their forms build, nothing else."""

import pytest

from pools.change_kinds import change_kind
from pools.core.errors import ApplicationError

T4 = "modelarts.vm.gpu.t4u8"
POOL = "pool-a-0123456789abcdef0123456789abcdef"
AUTO_PAY = {"annotations": {"os.modelarts/order.id": "", "os.modelarts/auto.pay": "1"}}


def resources(*entries):
    return {"spec": {"resources": list(entries)}}


@pytest.mark.parametrize(
    "body",
    [
        resources({"flavor": T4, "count": 3}),
        resources({"flavor": T4, "count": 3, "azs": [{"az": "cn-north-4a", "count": 3}]}),
        {**resources({"flavor": T4, "count": 3}), "metadata": AUTO_PAY},
    ],
)
def test_scale_bodies_accepted(body):
    assert change_kind("scale_pool").validate(POOL, body) == (POOL, body)


@pytest.mark.parametrize(
    "body",
    [
        None,
        {},
        resources(),
        resources({"flavor": T4, "count": 0}),
        resources({"flavor": T4, "count": 1001}),
        resources({"flavor": T4, "count": True}),
        resources({"flavor": T4, "count": "3"}),
        resources({"flavor": "", "count": 3}),
        resources({"flavor": T4, "count": 3}, {"flavor": T4, "count": 2}),
        resources({"flavor": T4, "count": 3, "maxCount": 3}),
        resources({"flavor": T4, "count": 3, "azs": [{"az": "cn-north-4a", "count": 2}]}),
        resources(
            {
                "flavor": T4,
                "count": 2,
                "azs": [{"az": "cn-north-4a", "count": 1}, {"az": "cn-north-4a", "count": 1}],
            }
        ),
        resources({"flavor": T4, "count": 2, "azs": []}),
        {"spec": {"resources": [{"flavor": T4, "count": 2}], "scope": ["Train"]}},
        {
            **resources({"flavor": T4, "count": 3}),
            "metadata": {"annotations": {"os.modelarts/order.id": "x"}},
        },
        {**resources({"flavor": T4, "count": 3}), "kind": "Pool"},
    ],
)
def test_scale_bodies_refused(body):
    with pytest.raises(ApplicationError) as refused:
        change_kind("scale_pool").validate(POOL, body)
    assert refused.value.field == "body"


@pytest.mark.parametrize(
    "body",
    [
        {"metadata": {"annotations": {"os.modelarts/description": ""}}},
        {"spec": {"scope": ["Train", "Infer"]}},
        {"spec": {"driver": {"npuVersion": "24.1.rc2", "updateStrategy": "idle"}}},
    ],
)
def test_edit_bodies_accepted(body):
    assert change_kind("edit_pool").validate(POOL, body) == (POOL, body)


@pytest.mark.parametrize(
    "body",
    [
        None,
        {},
        {"spec": {}},
        {"spec": {"scope": []}},
        {"spec": {"scope": ["Train", "Train"]}},
        {"spec": {"resources": []}},
        {"spec": {"driver": {"gpuVersion": "535.54.03"}}},
        {"spec": {"driver": {"gpuVersion": "535.54.03", "npuVersion": "23.0.6", "updateStrategy": "idle"}}},
        {"spec": {"driver": {"gpuVersion": "535.54.03", "updateStrategy": "later"}}},
        {"metadata": {"annotations": {"os.modelarts/description": "a <b>"}}},
        {"metadata": {"annotations": {"os.modelarts/billing.mode": "1"}}},
        {"metadata": {"labels": {}}},
    ],
)
def test_edit_bodies_refused(body):
    with pytest.raises(ApplicationError) as refused:
        change_kind("edit_pool").validate(POOL, body)
    assert refused.value.field == "body"


@pytest.mark.parametrize(
    "body",
    [
        None,
        {},
        {"add": {}, "remove": []},
        {"add": {"k": 1}, "remove": []},
        {"add": {" k": "v"}, "remove": []},
        {"add": {"k": "v"}, "remove": ["k"]},
        {"add": {}, "remove": ["a", "a"]},
        {"add": {f"k{n}": "v" for n in range(21)}, "remove": []},
        {"add": {"k": "v" * 256}, "remove": []},
        {"add": {"k": "v"}},
    ],
)
def test_tag_bodies_refused(body):
    with pytest.raises(ApplicationError) as refused:
        change_kind("pool_tags").validate(POOL, body)
    assert refused.value.field == "body"


def test_a_tag_body_is_stored_as_given():
    body = {"add": {"cost centre": "cc:42/a"}, "remove": ["old"]}
    assert change_kind("pool_tags").validate(POOL, body) == (POOL, body)
