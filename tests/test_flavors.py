"""The wizard's flavor catalog offers exactly what the sandbox (and so the demo) can create."""

from pools import flavors
from pools.sandbox import flavors as sandbox_flavors


def test_same_ids_as_the_sandbox_catalog():
    assert [flavor.id for flavor in flavors.FLAVORS] == list(sandbox_flavors.CATALOG)


def test_same_shape_as_the_sandbox_says():
    for flavor in flavors.FLAVORS:
        theirs = sandbox_flavors.flavor(flavor.id)
        assert flavor.accelerator == theirs.kind.lower(), flavor.id
        assert (flavor.cpu, flavor.memory_gib, flavor.cards) == (
            theirs.cpu,
            theirs.memory_gib,
            theirs.accelerators,
        ), flavor.id


def test_accelerators_of_the_chosen_flavors():
    assert flavors.accelerators_of(["modelarts.vm.gpu.t4u8", "modelarts.vm.cpu.8ud", "unknown"]) == {
        "gpu",
        "cpu",
    }
    assert (
        flavors.get("modelarts.bm.npu.arm.8snt9b3.d").summary
        == "8 × Ascend Snt9b3 64 GiB | 192 vCPUs | 1536 GiB"
    )
