"""Frozen values of the change operations' answers: orders (ShowOrder, the order list), pool tags and the
resource flavors ModelArts sells (ListResourceFlavors). Tolerant like ``types.py``: unknown fields ignored,
missing ones neutral; a list answer without its list raises ``InvalidResponseError``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pools.modelarts.errors import InvalidResponseError
from pools.modelarts.parsing import as_dict, as_int, as_list, as_str_map, items_of, named_object, parse_time

# Order phases (the order list) and item statuses (ShowOrder), as the Terraform provider and the SDK read them.
ORDER_SUCCEEDED = "successed"
ORDER_PARTIAL = "partialSuccessed"
ORDER_FAILED = "failed"
ORDER_DONE_PHASES = frozenset({ORDER_SUCCEEDED, ORDER_PARTIAL, ORDER_FAILED})
ITEM_PROCESSING = "processing"
ITEM_SUCCEEDED = "succeed"
ITEM_FAILED = "failed"
ZONE_SOLD_OUT = "soldout"


@dataclass(frozen=True)
class OrderItem:
    resource_name: str
    action: str
    status: str
    message: str

    @classmethod
    def parse(cls, data: Any) -> OrderItem:
        data = as_dict(data)
        return cls(
            resource_name=str(data.get("resourceName") or ""),
            action=str(data.get("action") or ""),
            status=str(data.get("status") or ""),
            message=str(data.get("message") or ""),
        )


@dataclass(frozen=True)
class Order:
    """ShowOrder: what one order does to each node."""

    items: tuple[OrderItem, ...]
    raw: Mapping[str, Any] = field(repr=False, compare=False)
    request_id: str = field(default="", compare=False)

    @classmethod
    def parse(cls, body: Any, request_id: str = "") -> Order:
        return cls(tuple(OrderItem.parse(item) for item in items_of(body, "order")), body, request_id)

    def statuses(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for item in self.items:
            counts[item.status] = counts.get(item.status, 0) + 1
        return counts


@dataclass(frozen=True)
class OrderSummary:
    """One entry of the order list."""

    name: str
    pool_name: str
    phase: str
    fail_reason: str
    billing_order_id: str
    created_at: datetime | None

    @property
    def is_done(self) -> bool:
        return self.phase in ORDER_DONE_PHASES

    @classmethod
    def parse(cls, data: Any) -> OrderSummary:
        data = as_dict(data)
        return cls(
            name=str(data.get("orderName") or ""),
            pool_name=str(data.get("involvedName") or ""),
            phase=str(data.get("phase") or ""),
            fail_reason=str(data.get("failReason") or ""),
            billing_order_id=str(data.get("orderId") or ""),
            created_at=parse_time(data.get("createTime")),
        )


@dataclass(frozen=True)
class OrderList:
    items: tuple[OrderSummary, ...]
    raw: Mapping[str, Any] = field(repr=False, compare=False)
    request_id: str = field(default="", compare=False)

    @classmethod
    def parse(cls, body: Any, request_id: str = "") -> OrderList:
        return cls(tuple(OrderSummary.parse(item) for item in items_of(body, "order list")), body, request_id)

    def named(self, name: str) -> OrderSummary | None:
        return next((order for order in self.items if order.name == name), None)


@dataclass(frozen=True)
class PoolTags:
    """A pool's tags (ShowPoolTags, BatchCreatePoolTags) or the project's (ListPoolTags), key → values.

    Read in both documented shapes: ``{key, values[]}`` (SDK, Chinese pages) and ``{key, value}`` (EU pages).
    """

    values: Mapping[str, tuple[str, ...]]
    raw: Any = field(repr=False, compare=False)
    request_id: str = field(default="", compare=False)

    @classmethod
    def parse(cls, body: Any, request_id: str = "") -> PoolTags:
        if not isinstance(body, dict) or not isinstance(body.get("tags", []), list):
            raise InvalidResponseError("tags: expected an object with a 'tags' list")
        values: dict[str, tuple[str, ...]] = {}
        for tag in body.get("tags") or []:
            tag = as_dict(tag)
            key = tag.get("key")
            if not isinstance(key, str) or not key:
                continue
            if "values" in tag:
                values[key] = tuple(str(value) for value in as_list(tag.get("values")))
            else:
                values[key] = ("" if tag.get("value") is None else str(tag.get("value")),)
        return cls(values, body, request_id)

    def as_dict(self) -> dict[str, str]:
        """One value per key, as a single pool has them."""
        return {key: values[0] if values else "" for key, values in sorted(self.values.items())}


@dataclass(frozen=True)
class ResourceFlavor:
    """A flavor ModelArts sells, with each availability zone's state (``normal`` or ``soldout``)."""

    name: str
    type: str
    cpu_arch: str
    cpu: int
    memory: str
    accelerator: str  # "gpu", "npu" or "" (CPU only)
    accelerator_model: str
    accelerators: int
    zones: Mapping[str, str]
    job_types: tuple[str, ...]

    @property
    def sold_out_zones(self) -> tuple[str, ...]:
        return tuple(sorted(zone for zone, state in self.zones.items() if state == ZONE_SOLD_OUT))

    @property
    def available_zones(self) -> tuple[str, ...]:
        return tuple(sorted(zone for zone, state in self.zones.items() if state != ZONE_SOLD_OUT))

    @classmethod
    def parse(cls, data: Any) -> ResourceFlavor:
        name, metadata, spec, status = named_object(data, "resource flavor")
        kind = "gpu" if spec.get("gpu") else "npu" if spec.get("npu") else ""
        card = as_dict(spec.get(kind)) if kind else {}
        scope = as_str_map(metadata.get("labels")).get("os.modelarts/scope", "")
        return cls(
            name=name,
            type=str(spec.get("type") or ""),
            cpu_arch=str(spec.get("cpuArch") or ""),
            cpu=as_int(spec.get("cpu")),
            memory=str(spec.get("memory") or ""),
            accelerator=kind,
            accelerator_model=str(card.get("type") or ""),
            accelerators=as_int(card.get("size") or card.get("card")),
            zones=as_str_map(status.get("phase")),
            job_types=tuple(part for part in scope.split(",") if part),
        )


@dataclass(frozen=True)
class ResourceFlavorList:
    items: tuple[ResourceFlavor, ...]
    continue_token: str | None
    raw: Mapping[str, Any] = field(repr=False, compare=False)
    request_id: str = field(default="", compare=False)

    @classmethod
    def parse(cls, body: Any, request_id: str = "") -> ResourceFlavorList:
        items = tuple(ResourceFlavor.parse(item) for item in items_of(body, "resource flavor list"))
        token = as_dict(body.get("metadata")).get("continue")
        return cls(items, str(token) if token else None, body, request_id)
