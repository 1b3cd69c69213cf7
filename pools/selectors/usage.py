"""Runtime usage shaped for the overview cards: allocated against capacity, per pool and resource."""

from __future__ import annotations

from dataclasses import dataclass

from pools.modelarts.types import LABEL_NAME, RuntimeMetrics
from pools.quantities import amount_number, format_amount, resource_label

# Shown for every pool first, in this order; accelerators (GPU/NPU keys) follow.
FIRST_RESOURCES = ("cpu", "memory")


@dataclass(frozen=True)
class UsageBar:
    key: str
    allocated_raw: str
    capacity_raw: str

    @property
    def label(self) -> str:
        return resource_label(self.key)

    @property
    def allocated(self) -> float:
        return amount_number(self.allocated_raw)

    @property
    def capacity(self) -> float:
        return amount_number(self.capacity_raw)

    @property
    def allocated_text(self) -> str:
        return format_amount(self.key, self.allocated_raw)

    @property
    def capacity_text(self) -> str:
        return format_amount(self.key, self.capacity_raw)

    @property
    def percent(self) -> int | None:
        return round(100 * self.allocated / self.capacity) if self.capacity > 0 else None


@dataclass(frozen=True)
class UsageRow:
    pool_name: str
    display_name: str
    bars: tuple[UsageBar, ...]


def usage_rows(metrics: RuntimeMetrics) -> list[UsageRow]:
    """One row per pool, by display name; bars for cpu, memory, then each accelerator key."""
    rows = []
    for usage in metrics.items:
        present = {*usage.capacity, *usage.allocated}
        keys = [key for key in FIRST_RESOURCES if key in present]
        keys += sorted(key for key in present if key not in FIRST_RESOURCES)
        bars = tuple(
            UsageBar(key, usage.allocated.get(key, "0"), usage.capacity.get(key, "0")) for key in keys
        )
        rows.append(UsageRow(usage.name, usage.labels.get(LABEL_NAME) or usage.name, bars))
    return sorted(rows, key=lambda row: row.display_name.lower())
