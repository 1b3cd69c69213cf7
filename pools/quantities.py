"""Resource amounts as people read them: names for the API's resource keys, memory in GiB."""

from __future__ import annotations

from pools.modelarts.parsing import parse_quantity

GIB = 2.0**30
TIB = 2.0**40
# Runtime-metric and node resource keys (§4.2, §5.3), as people call them.
RESOURCE_LABELS = {
    "cpu": "CPU",
    "memory": "Memory",
    "tnt004": "GPU",
    "snt9": "NPU",
    "nvidia.com/gpu": "GPU",
    "huawei.com/ascend-snt3": "NPU (snt3)",
    "huawei.com/ascend-snt9": "NPU (snt9)",
    # A workload's resourceRequirement names the NPU cards by chip
    "huawei.com/ascend-1980": "NPU (snt9)",
    "huawei.com/ascend-310": "NPU (snt3)",
}


def resource_label(key: str) -> str:
    return RESOURCE_LABELS.get(key, key)


def amount_number(value) -> float:
    """A quantity as a number (memory in bytes); 0 when absent or unreadable."""
    return parse_quantity(value) or 0.0


def format_amount(key: str, value) -> str:
    """``memory`` in GiB (TiB from 1 TiB on), everything else as a plain number; the raw text when it is not
    a quantity."""
    number = parse_quantity(value)
    if number is None:
        return "" if value is None else str(value)
    if key == "memory":
        return f"{number / TIB:,.1f} TiB" if number >= TIB else f"{number / GIB:,.1f} GiB"
    return f"{number:,.0f}" if number == int(number) else f"{number:,.2f}"
