"""The flavor catalog: what one node of each flavor brings (CPU, memory, accelerators, local disk).

Accelerator keys: GPU nodes report ``nvidia.com/gpu``, Ascend NPU nodes ``huawei.com/ascend-snt9`` in their
node resources. In runtime metrics (``Value``) GPUs are ``tnt004`` (the SDK's only accelerator key) and
Ascend snt9 NPUs are ``snt9`` (the sandbox's choice; the SDK model drops it, ``to_json_object()`` keeps it).
"""

from __future__ import annotations

from dataclasses import dataclass

CPU = "CPU"
GPU = "GPU"
NPU = "NPU"

GPU_RESOURCE = "nvidia.com/gpu"
NPU_RESOURCE = "huawei.com/ascend-snt9"
RUNTIME_KEYS = {GPU: "tnt004", NPU: "snt9"}


@dataclass(frozen=True)
class Flavor:
    id: str
    kind: str  # CPU, GPU or NPU
    arch: str  # x86 or arm
    cpu: int  # vCPUs
    memory_gib: int
    accelerators: int = 0
    accelerator_model: str = ""
    accelerator_memory_gib: int = 0
    disk_gib: int = 100  # local data disk, what diskCapacity reports

    @property
    def accelerator_resource(self) -> str | None:
        return {GPU: GPU_RESOURCE, NPU: NPU_RESOURCE}.get(self.kind)

    @property
    def runtime_key(self) -> str | None:
        return RUNTIME_KEYS.get(self.kind)


CATALOG: dict[str, Flavor] = {
    flavor.id: flavor
    for flavor in (
        Flavor("modelarts.vm.cpu.8ud", CPU, "x86", 8, 32, disk_gib=100),
        Flavor("modelarts.vm.cpu.16ud", CPU, "x86", 16, 64, disk_gib=200),
        Flavor("modelarts.vm.gpu.t4u8", GPU, "x86", 8, 32, 1, "NVIDIA-T4", 16, disk_gib=200),
        Flavor("modelarts.vm.gpu.v100", GPU, "x86", 8, 64, 1, "NVIDIA-V100", 32, disk_gib=400),
        Flavor("modelarts.bm.gpu.8v100", GPU, "x86", 72, 512, 8, "NVIDIA-V100", 32, disk_gib=3200),
        Flavor("modelarts.bm.gpu.ant8", GPU, "x86", 128, 1024, 8, "NVIDIA-A800", 80, disk_gib=7000),
        Flavor("modelarts.bm.npu.arm.8snt9b.d", NPU, "arm", 192, 1536, 8, "Ascend-snt9b", 64, disk_gib=7000),
        Flavor(
            "modelarts.bm.npu.arm.8snt9b3.d", NPU, "arm", 192, 1536, 8, "Ascend-snt9b3", 64, disk_gib=7000
        ),
    )
}


def flavor(flavor_id: str) -> Flavor:
    """The catalog entry; ``KeyError`` for an unknown flavor."""
    return CATALOG[flavor_id]


def format_cpu(millicores: int) -> str:
    """A Kubernetes CPU quantity: ``"32"`` for whole cores, ``"27350m"`` otherwise."""
    return str(millicores // 1000) if millicores % 1000 == 0 else f"{millicores}m"


def format_memory(mebibytes: int) -> str:
    """A Kubernetes memory quantity: ``"128Gi"`` when whole, ``"110592Mi"`` otherwise."""
    return f"{mebibytes // 1024}Gi" if mebibytes % 1024 == 0 else f"{mebibytes}Mi"
