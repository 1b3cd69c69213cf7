"""The demo estate: pools in every state, a 520-node pool, mixed billing, labels and workspaces."""

from collections import Counter

from tests.fixtures.sandbox import PROJECT_ID
from tests.sandbox.helpers import call


def by_name(sandbox):
    return {pool["metadata"]["labels"]["os.modelarts/name"]: pool for pool in sandbox.pools(PROJECT_ID)}


def test_the_demo_estate(seeded_sandbox):
    pools = by_name(seeded_sandbox)

    phases = Counter(pool["status"]["phase"] for pool in pools.values())
    assert phases == {"Running": 4, "Creating": 1, "Error": 1, "Waiting": 1}
    big = pools["llm-pretrain"]
    assert big["spec"]["resources"][0]["count"] == 520
    assert big["status"]["resources"]["abnormal"][0]["count"] == 4
    assert {pool["metadata"]["annotations"]["os.modelarts/billing.mode"] for pool in pools.values()} == {
        "0",
        "1",
    }
    assert {pool["metadata"]["labels"]["os.modelarts/workspace.id"] for pool in pools.values()} != {"0"}
    assert all(pool["metadata"]["annotations"]["os.modelarts/description"] for pool in pools.values())
    assert {"modelarts.bm.npu.arm.8snt9b3.d", "modelarts.bm.gpu.8v100", "modelarts.vm.cpu.8ud"} <= {
        resource["flavor"] for pool in pools.values() for resource in pool["spec"]["resources"]
    }


def test_the_demo_statistics(seeded_sandbox):
    from pools.sandbox.seed import VISION_WORKSPACE

    default = call(seeded_sandbox, "GET", "/statistics/pools").json()["statistics"]["status"]
    vision = call(seeded_sandbox, "GET", f"/statistics/pools?workspaceId={VISION_WORKSPACE}").json()

    assert default == {"creating": 1, "created": 3, "failed": 1, "pending": 1}
    assert vision["statistics"]["status"] == {"creating": 0, "created": 1, "failed": 0, "pending": 0}


def test_the_creating_demo_pool_finishes(seeded_sandbox):
    seeded_sandbox.advance(15 * 60)

    assert by_name(seeded_sandbox)["ant8-expansion"]["status"]["phase"] == "Running"


def test_seeding_twice_adds_nothing(seeded_sandbox):
    before = seeded_sandbox.pools(PROJECT_ID)

    assert seeded_sandbox.seed_demo(PROJECT_ID) == []
    assert seeded_sandbox.pools(PROJECT_ID) == before


def test_the_demo_estate_has_history(seeded_sandbox):
    pool = by_name(seeded_sandbox)["vision-train"]["metadata"]["name"]

    points = call(seeded_sandbox, "GET", f"/pools/{pool}/monitor?period=3600&time_range=-1.-1.10080").json()

    assert all(
        point["statistics"][0]["value"] >= 0 for metric in points["metrics"] for point in metric["dataPoints"]
    )
