"""Pure pieces: label selectors, continue tokens, Go-style time, the flavor catalog."""

import pytest

from pools.sandbox import labels, paging
from pools.sandbox.clock import go_time, rfc3339
from pools.sandbox.flavors import CATALOG, GPU, NPU

LABELS = {"team": "vision", "env": "prod", "os.modelarts/name": "pool-demo"}


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("", True),
        ("team=vision", True),
        ("team==vision", True),
        (" team = vision ", True),
        ("team=llm", False),
        ("team!=llm", True),
        ("owner!=me", True),
        ("env", True),
        ("owner", False),
        ("!owner", True),
        ("!env", False),
        ("team=vision,env=prod,os.modelarts/name=pool-demo", True),
        ("team=vision,env=dev", False),
    ],
)
def test_label_selectors(selector, expected):
    assert labels.matches(labels.parse_selector(selector), LABELS) is expected


@pytest.mark.parametrize("selector", ["=vision", "team=vis ion", "team in (a,b)", "a,,b", "team=-x"])
def test_malformed_selectors(selector):
    with pytest.raises(ValueError):
        labels.parse_selector(selector)


def test_tokens_round_trip_and_are_url_safe():
    token = paging.encode("pool-a", "os-node-created-abcde")

    assert "=" not in token and "+" not in token and "/" not in token
    assert paging.decode(token, "pool-a") == "os-node-created-abcde"
    with pytest.raises(ValueError):
        paging.decode(token, "pool-b")


def test_go_time_and_rfc3339():
    assert go_time(1_735_718_400.5) == "2025-01-01 08:00:00.500000000 +0000 UTC"
    assert rfc3339(1_735_718_405.9) == "2025-01-01T08:00:05Z"


def test_the_catalog_has_realistic_flavors():
    kinds = {flavor.kind for flavor in CATALOG.values()}
    assert kinds == {"CPU", GPU, NPU}
    for flavor_id in (
        "modelarts.vm.gpu.t4u8",
        "modelarts.bm.gpu.8v100",
        "modelarts.bm.gpu.ant8",
        "modelarts.bm.npu.arm.8snt9b3.d",
        "modelarts.vm.cpu.8ud",
    ):
        flavor = CATALOG[flavor_id]
        assert flavor.cpu > 0 and flavor.memory_gib > 0
        assert (flavor.accelerators > 0) == (flavor.kind != "CPU")
