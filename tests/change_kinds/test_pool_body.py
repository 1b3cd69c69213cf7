import json

import pytest

from pools.change_kinds.pool_body import build_create_pool_body, create_pool_body_problem
from pools.core.errors import ApplicationError
from pools.modelarts.vocabulary import DISPLAY_NAME, DISPLAY_NAME_RULE
from pools.models import ChangeRequest
from pools.sandbox.validation import validate_create
from pools.services.change_requests import change_request_create, messages
from tests.fixtures.approvals import create_body


def state(**steps):
    base = {
        "basics": {
            "connection_id": 1,
            "display_name": "pool-demo",
            "description": "GPU pool for the vision team",
            "workspace_id": "0",
            "node_prefix": "",
            "labels": [],
        },
        "type": {"type": "Dedicate", "scope": ["Train", "Infer"]},
        "resources": {
            "rows": [{"flavor": "modelarts.vm.gpu.t4u8", "count": 2, "max_count": None, "azs": []}]
        },
        "network": {
            "network_name": "network-a1b2-f3b2c1d0e9a84b7c96d5e4f3a2b1c0d9",
            "job_flavors": [],
            "gpu_version": "470.57.02",
            "npu_version": "",
            "update_strategy": "idle",
        },
        "billing": {"mode": "0"},
    }
    for step, values in steps.items():
        base[step] = {**base[step], **values}
    return base


def test_pay_per_use_physical_pool_is_the_documented_example_plus_max_count():
    body = build_create_pool_body(state())
    # §5.8's example request, with maxCount = count as a physical pool requires.
    assert body == {
        "apiVersion": "v2",
        "kind": "Pool",
        "metadata": {
            "labels": {"os.modelarts/name": "pool-demo", "os.modelarts/workspace.id": "0"},
            "annotations": {
                "os.modelarts/description": "GPU pool for the vision team",
                "os.modelarts/billing.mode": "0",
            },
        },
        "spec": {
            "type": "Dedicate",
            "scope": ["Train", "Infer"],
            "resources": [{"flavor": "modelarts.vm.gpu.t4u8", "count": 2, "maxCount": 2}],
            "network": {"name": "network-a1b2-f3b2c1d0e9a84b7c96d5e4f3a2b1c0d9"},
            "driver": {"gpuVersion": "470.57.02", "updateStrategy": "idle"},
        },
    }
    # Key order follows the SDK's serialisation.
    assert json.dumps(body).startswith(
        '{"apiVersion": "v2", "kind": "Pool", "metadata": {"labels": {"os.modelarts/name": "pool-demo", '
        '"os.modelarts/workspace.id": "0"}, "annotations": {"os.modelarts/description": '
    )


def test_monthly_subscription():
    body = build_create_pool_body(
        state(
            basics={"description": ""},
            billing={
                "mode": "1",
                "period_type": "2",
                "period_num": 3,
                "auto_renew": True,
                "auto_pay": False,
                "promotion_info": "",
                "console_url": "",
            },
        )
    )
    assert body["metadata"]["annotations"] == {
        "os.modelarts/billing.mode": "1",
        "os.modelarts/period.num": "3",
        "os.modelarts/period.type": "2",
        "os.modelarts/auto.renew": "1",
        "os.modelarts/auto.pay": "false",
    }
    assert list(body["metadata"]["annotations"]) == [
        "os.modelarts/billing.mode",
        "os.modelarts/period.num",
        "os.modelarts/period.type",
        "os.modelarts/auto.renew",
        "os.modelarts/auto.pay",
    ]


def test_yearly_subscription_with_every_billing_field():
    body = build_create_pool_body(
        state(
            billing={
                "mode": "1",
                "period_type": "3",
                "period_num": 1,
                "auto_renew": False,
                "auto_pay": True,
                "promotion_info": "discount-2025",
                "console_url": "https://console.example.test/modelarts",
            }
        )
    )
    assert body["metadata"]["annotations"] == {
        "os.modelarts/description": "GPU pool for the vision team",
        "os.modelarts/billing.mode": "1",
        "os.modelarts/period.num": "1",
        "os.modelarts/period.type": "3",
        "os.modelarts/auto.renew": "0",
        "os.modelarts/auto.pay": "true",
        "os.modelarts/promotion.info": "discount-2025",
        "os.modelarts/service.console.url": "https://console.example.test/modelarts",
    }


def test_pay_per_use_ignores_leftover_subscription_values():
    body = build_create_pool_body(state(billing={"mode": "0", "period_type": "3", "period_num": 2}))
    assert body["metadata"]["annotations"]["os.modelarts/billing.mode"] == "0"
    assert not any("period" in key or "order" in key for key in body["metadata"]["annotations"])


def test_logical_pool_has_no_network_keeps_elastic_max_and_az_spread():
    body = build_create_pool_body(
        state(
            basics={"workspace_id": "8a1b2c3d", "node_prefix": "vis", "labels": [["team", "vision"]]},
            type={"type": "Logical", "scope": ["Notebook", "Train"]},
            resources={
                "rows": [
                    {
                        "flavor": "modelarts.vm.cpu.8ud",
                        "count": 3,
                        "max_count": 5,
                        "azs": [["cn-north-4a", 2], ["cn-north-4b", 1]],
                    },
                    {"flavor": "modelarts.vm.gpu.t4u8", "count": 1, "max_count": None, "azs": []},
                ]
            },
            network={"network_name": "", "gpu_version": "", "job_flavors": ["train.small", "infer.gpu"]},
        )
    )
    assert body["metadata"]["labels"] == {
        "os.modelarts/name": "pool-demo",
        "os.modelarts/workspace.id": "8a1b2c3d",
        "os.modelarts/node.prefix": "vis",
        "team": "vision",
    }
    assert body["spec"] == {
        "type": "Logical",
        "scope": ["Train", "Notebook"],
        "resources": [
            {
                "flavor": "modelarts.vm.cpu.8ud",
                "count": 3,
                "maxCount": 5,
                "azs": [{"az": "cn-north-4a", "count": 2}, {"az": "cn-north-4b", "count": 1}],
            },
            {"flavor": "modelarts.vm.gpu.t4u8", "count": 1},
        ],
        "jobFlavors": ["train.small", "infer.gpu"],
    }


def test_npu_pool_with_forced_driver_update():
    body = build_create_pool_body(
        state(
            resources={
                "rows": [{"flavor": "modelarts.bm.npu.arm.8snt9b3.d", "count": 4, "max_count": 4, "azs": []}]
            },
            network={"gpu_version": "", "npu_version": "24.1.rc2", "update_strategy": "force"},
        )
    )
    assert body["spec"]["resources"] == [
        {"flavor": "modelarts.bm.npu.arm.8snt9b3.d", "count": 4, "maxCount": 4}
    ]
    assert body["spec"]["driver"] == {"npuVersion": "24.1.rc2", "updateStrategy": "force"}


def test_no_driver_versions_means_no_driver_object():
    body = build_create_pool_body(state(network={"gpu_version": "", "update_strategy": "force"}))
    assert "driver" not in body["spec"]


@pytest.mark.parametrize("workspace", ["", None])
def test_missing_workspace_defaults_to_zero(workspace):
    body = build_create_pool_body(state(basics={"workspace_id": workspace}))
    assert body["metadata"]["labels"]["os.modelarts/workspace.id"] == "0"


def test_the_body_is_plain_json():
    body = build_create_pool_body(state())
    assert json.loads(json.dumps(body)) == body


SUBSCRIPTIONS = {
    "pay-per-use": {"mode": "0"},
    "monthly": {"mode": "1", "period_type": "2", "period_num": 9, "auto_renew": True},
    "yearly": {"mode": "1", "period_type": "3", "period_num": 3, "auto_pay": True},
}


@pytest.mark.parametrize("billing", SUBSCRIPTIONS.values(), ids=SUBSCRIPTIONS.keys())
def test_the_sandbox_accepts_the_body_of_every_billing_mode(billing):
    body = build_create_pool_body(
        state(
            basics={"labels": [["team", "vision"]], "node_prefix": "vis"},
            resources={
                "rows": [
                    {
                        "flavor": "modelarts.vm.gpu.t4u8",
                        "count": 2,
                        "max_count": None,
                        "azs": [["cn-north-4a", 2]],
                    }
                ]
            },
            billing=billing,
        )
    )
    accepted = validate_create(json.dumps(body).encode(), ("cn-north-4a", "cn-north-4b", "cn-north-4c"))
    assert accepted.display_name == "pool-demo"
    assert accepted.annotations == body["metadata"]["annotations"]


# --- one display-name rule, and one check of a body, for the wizard and the change-request service ----------


@pytest.mark.parametrize("name", ["pool", "a-b1", "p" * 64, "pool--x9", "pool-vision-2"])
def test_display_names_huaweis_create_form_allows(name):
    assert DISPLAY_NAME.match(name)


@pytest.mark.parametrize(
    "name", ["abc", "Pool-vision", "1pool", "pool-", "pool_vision", "pool.vision", "p" * 65, "bad name!"]
)
def test_display_names_huaweis_create_form_refuses(name):
    assert not DISPLAY_NAME.match(name)


def test_the_change_request_service_refuses_a_name_the_wizard_refuses(operator, cloud_connection):
    """The service and the wizard share DISPLAY_NAME: no request names a pool the wizard would not."""
    with pytest.raises(ApplicationError) as caught:
        change_request_create(
            user=operator,
            connection=cloud_connection,
            kind="create_pool",
            target="Pool.Vision",
            body=create_body("Pool.Vision"),
            reason="because",
            idempotency_key="k",
        )
    assert caught.value.field == "target"
    assert (
        caught.value.message == messages.BAD_DISPLAY_NAME and DISPLAY_NAME_RULE in messages.BAD_DISPLAY_NAME
    )
    assert not ChangeRequest.objects.exists()


@pytest.mark.parametrize("billing", SUBSCRIPTIONS.values(), ids=SUBSCRIPTIONS.keys())
def test_every_body_the_wizard_builds_passes_the_check_of_a_create_body(billing):
    body = build_create_pool_body(state(billing=billing))
    assert create_pool_body_problem("pool-demo", body) is None
    assert create_pool_body_problem("pool-other", body) is not None  # the body names its pool
