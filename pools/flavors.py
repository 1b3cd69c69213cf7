"""The catalog of resource flavors the create-pool wizard offers.

The ids match the sandbox's catalog (pools/sandbox/), so a pool requested here can be created there.
Driver versions are suggestions shown next to the driver fields; the API takes any version string.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

GPU = "gpu"
NPU = "npu"
CPU = "cpu"


@dataclass(frozen=True)
class Flavor:
    id: str
    label: str  # in the reader's language where it has words of ours (see bare_metal)
    accelerator: str  # GPU, NPU or CPU
    cpu: int  # vCPUs
    memory_gib: int
    cards: int  # accelerator cards per node; 0 for CPU flavors
    card_model: str = ""

    @property
    def summary(self) -> str:
        parts = [f"{self.cpu} vCPUs", f"{self.memory_gib} GiB"]
        if self.cards:
            parts.insert(0, f"{self.cards} × {self.card_model}")
        return " | ".join(parts)

    @property
    def choice_label(self) -> str:
        return f"{self.label} ({self.summary})"


BARE_METAL = _("{name} (bare metal)")
BARE_METAL_ARM = _("{name} (bare metal, Arm)")


def bare_metal(name: str, *, arm: bool = False) -> str:
    """The label of a bare-metal flavor, formatted when shown so that it reads in the reader's language."""
    return format_lazy(BARE_METAL_ARM if arm else BARE_METAL, name=name)


FLAVORS: tuple[Flavor, ...] = (
    Flavor("modelarts.vm.cpu.8ud", "CPU 8U", CPU, cpu=8, memory_gib=32, cards=0),
    Flavor("modelarts.vm.cpu.16ud", "CPU 16U", CPU, cpu=16, memory_gib=64, cards=0),
    Flavor(
        "modelarts.vm.gpu.t4u8", "GPU T4", GPU, cpu=8, memory_gib=32, cards=1, card_model="NVIDIA T4 16 GiB"
    ),
    Flavor(
        "modelarts.vm.gpu.v100",
        "GPU V100",
        GPU,
        cpu=8,
        memory_gib=64,
        cards=1,
        card_model="NVIDIA V100 32 GiB",
    ),
    Flavor(
        "modelarts.bm.gpu.8v100",
        bare_metal("GPU 8 × V100"),
        GPU,
        cpu=72,
        memory_gib=512,
        cards=8,
        card_model="NVIDIA V100 32 GiB",
    ),
    Flavor(
        "modelarts.bm.gpu.ant8",
        bare_metal("GPU Ant8"),
        GPU,
        cpu=128,
        memory_gib=1024,
        cards=8,
        card_model="NVIDIA A800 80 GiB",
    ),
    Flavor(
        "modelarts.bm.npu.arm.8snt9b.d",
        bare_metal("NPU 8 × Snt9b", arm=True),
        NPU,
        cpu=192,
        memory_gib=1536,
        cards=8,
        card_model="Ascend Snt9b 64 GiB",
    ),
    Flavor(
        "modelarts.bm.npu.arm.8snt9b3.d",
        bare_metal("NPU 8 × Snt9b3", arm=True),
        NPU,
        cpu=192,
        memory_gib=1536,
        cards=8,
        card_model="Ascend Snt9b3 64 GiB",
    ),
)

BY_ID: dict[str, Flavor] = {flavor.id: flavor for flavor in FLAVORS}

GPU_DRIVER_VERSIONS = ("470.57.02", "515.65.01", "525.105.17", "535.161.08")
NPU_DRIVER_VERSIONS = ("23.0.6", "24.1.rc2", "24.1.rc3")


def flavor_choices() -> list[tuple[str, str]]:
    return [(flavor.id, flavor.choice_label) for flavor in FLAVORS]


def get(flavor_id: str) -> Flavor | None:
    return BY_ID.get(flavor_id)


def accelerators_of(flavor_ids) -> set[str]:
    """The accelerator kinds (GPU, NPU, CPU) among the given flavor ids that the catalog knows."""
    return {BY_ID[f].accelerator for f in flavor_ids if f in BY_ID}
