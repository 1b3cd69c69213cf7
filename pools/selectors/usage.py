"""Runtime usage shaped for the pages: allocated against capacity, per pool and resource; a project's totals and
its fullest pools for the overview cards; each pool's accelerators for the pool list."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from pools.modelarts.metrics import RuntimeMetrics
from pools.modelarts.vocabulary import LABEL_NAME
from pools.quantities import amount_number, format_amount, resource_label

# Shown for every pool first, in this order; accelerators (GPU/NPU keys) follow.
FIRST_RESOURCES = ("cpu", "memory")
# An overview card shows a project's totals and this many of its fullest pools; the pool list shows them all.
FULLEST_SHOWN = 5


@dataclass(frozen=True)
class UsageBar:
    """One resource of one pool, with every figure worked out once when it is made: a card shows each
    pool's bars, and each bar's percentage is asked for three times."""

    key: str
    allocated_raw: str
    capacity_raw: str
    label: str = field(init=False)
    allocated: float = field(init=False)
    capacity: float = field(init=False)
    allocated_text: str = field(init=False)
    capacity_text: str = field(init=False)
    percent: int | None = field(init=False)

    def __post_init__(self) -> None:
        allocated, capacity = amount_number(self.allocated_raw), amount_number(self.capacity_raw)
        self.__dict__.update(
            label=resource_label(self.key),
            allocated=allocated,
            capacity=capacity,
            allocated_text=format_amount(self.key, self.allocated_raw),
            capacity_text=format_amount(self.key, self.capacity_raw),
            percent=round(100 * allocated / capacity) if capacity > 0 else None,
        )


@dataclass(frozen=True)
class UsageRow:
    pool_name: str
    display_name: str
    bars: tuple[UsageBar, ...]


def usage_rows(metrics: RuntimeMetrics) -> list[UsageRow]:
    """One row per pool, by display name; bars for cpu, memory, then each accelerator key."""
    rows = [
        UsageRow(
            usage.name,
            usage.labels.get(LABEL_NAME) or usage.name,
            _bars(tuple(usage.allocated.items()), tuple(usage.capacity.items())),
        )
        for usage in metrics.items
    ]
    return sorted(rows, key=lambda row: row.display_name.lower())


# Pools of one flavor report the same few amounts ("3920m", "128Gi", "8"; PoolUsage maps hold strings):
# their bars are the same values, made once.
@lru_cache(maxsize=4096)
def _bars(allocated_items: tuple, capacity_items: tuple) -> tuple[UsageBar, ...]:
    allocated, capacity = dict(allocated_items), dict(capacity_items)
    present = {*capacity, *allocated}
    keys = [key for key in FIRST_RESOURCES if key in present]
    keys += sorted(key for key in present if key not in FIRST_RESOURCES)
    return tuple(UsageBar(key, allocated.get(key, "0"), capacity.get(key, "0")) for key in keys)


@dataclass(frozen=True)
class UsageSummary:
    """A project's usage as its overview card shows it: every resource summed over its pools, and the pools
    that have the largest share of any resource allocated (the ones about to run out)."""

    totals: tuple[UsageBar, ...]
    fullest: tuple[UsageRow, ...]
    pool_count: int


def usage_summary(metrics: RuntimeMetrics, shown: int = FULLEST_SHOWN) -> UsageSummary:
    rows = usage_rows(metrics)
    allocated: dict[str, float] = {}
    capacity: dict[str, float] = {}
    for row in rows:
        for bar in row.bars:
            allocated[bar.key] = allocated.get(bar.key, 0.0) + bar.allocated
            capacity[bar.key] = capacity.get(bar.key, 0.0) + bar.capacity
    totals = _bars(
        tuple((key, _quantity(number)) for key, number in allocated.items()),
        tuple((key, _quantity(number)) for key, number in capacity.items()),
    )
    fullest = sorted(rows, key=lambda row: (-_fullest_share(row), row.display_name.lower()))[:shown]
    return UsageSummary(totals=totals, fullest=tuple(fullest), pool_count=len(rows))


def accelerator_usage(metrics: RuntimeMetrics) -> dict[str, UsageBar]:
    """Each pool's GPU or NPU bar by pool name (its CPU bar when it has no accelerator): what the pool list
    shows next to the node count, for finding idle and full pools."""
    shown = {}
    for row in usage_rows(metrics):
        accelerators = [bar for bar in row.bars if bar.key not in FIRST_RESOURCES]
        cpu = [bar for bar in row.bars if bar.key == "cpu"]
        if accelerators or cpu:
            shown[row.pool_name] = (accelerators or cpu)[0]
    return shown


def _fullest_share(row: UsageRow) -> int:
    return max((bar.percent for bar in row.bars if bar.percent is not None), default=-1)


def _quantity(number: float) -> str:
    """A summed amount as the quantity text the bars read (memory stays in bytes)."""
    return str(int(number)) if number == int(number) else f"{number:.3f}"
