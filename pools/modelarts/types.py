"""Frozen values parsed from ModelArts answers at the boundary.

Parsing is tolerant of unknown fields and of the documented shape variants (``status.resources.*`` as an
array or a single object, numbers sent as strings or numbers, a missing ``status.phase`` on a fresh pool),
and strict about what the dashboard cannot do without (a pool's ``metadata.name``, ``items`` being a list):
those raise ``InvalidResponseError``. Every value keeps the raw JSON it came from.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pools.modelarts.errors import InvalidResponseError

# Annotation and label keys the dashboard reads (§4.1).
LABEL_NAME = "os.modelarts/name"
LABEL_WORKSPACE = "os.modelarts/workspace.id"
ANNOTATION_DESCRIPTION = "os.modelarts/description"
ANNOTATION_BILLING_MODE = "os.modelarts/billing.mode"
ANNOTATION_PERIOD_TYPE = "os.modelarts/period.type"
ANNOTATION_PERIOD_NUM = "os.modelarts/period.num"
ANNOTATION_AUTO_RENEW = "os.modelarts/auto.renew"
ANNOTATION_ORDER_ID = "os.modelarts/order.id"
# The keys a CreatePool body sets besides those (§5.8).
LABEL_NODE_PREFIX = "os.modelarts/node.prefix"
ANNOTATION_AUTO_PAY = "os.modelarts/auto.pay"
ANNOTATION_PROMOTION_INFO = "os.modelarts/promotion.info"
ANNOTATION_CONSOLE_URL = "os.modelarts/service.console.url"
DEFAULT_WORKSPACE = "0"  # the workspace id of a project's default workspace
# Keys under this prefix belong to ModelArts (the ones above, os.modelarts.node/…): never a user's label.
MODELARTS_KEY_PREFIX = "os.modelarts"
# A pool's display name (the os.modelarts/name label) as Huawei's create form allows it (docs/modelarts-api.md);
# the one rule of the wizard and the change-request service.
DISPLAY_NAME = re.compile(r"^[a-z][a-z0-9-]{2,62}[a-z0-9]$")
DISPLAY_NAME_RULE = (
    "4–64 characters: lowercase letters, digits and '-', starting with a letter and not ending with '-'"
)

POOL_PHASES = (
    "Creating",
    "Running",
    "Abnormal",
    "Deleting",
    "Error",
    "CreationFailed",
    "ScalingFailed",
    "Waiting",
)
TRANSITIONAL_PHASES = frozenset({"Creating", "Deleting", "Waiting"})
FAILED_PHASES = frozenset({"Error", "Abnormal", "CreationFailed", "ScalingFailed"})
NODE_PHASES = ("Available", "Creating", "Deleting", "Abnormal", "Checking")
RESOURCE_STATES = ("creating", "available", "abnormal", "deleting")
# The phases the change-request rules and pages test for by name.
POOL_RUNNING = "Running"
POOL_DELETING = "Deleting"
NODE_DELETING = "Deleting"

_QUANTITY = re.compile(r"^\s*([+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)\s*([a-zA-Z]*)\s*$")
_SUFFIX = {
    "": 1.0,
    "m": 1e-3,
    "k": 1e3,
    "M": 1e6,
    "G": 1e9,
    "T": 1e12,
    "P": 1e15,
    "Ki": 2.0**10,
    "Mi": 2.0**20,
    "Gi": 2.0**30,
    "Ti": 2.0**40,
    "Pi": 2.0**50,
}


def parse_quantity(value: Any) -> float | None:
    """A Kubernetes quantity ("3920m", "128Gi", "5", 5) as a float; memory comes out in bytes.

    Returns None for anything unreadable rather than failing a whole page over one odd value.
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    match = _QUANTITY.match(str(value))
    if not match or match.group(2) not in _SUFFIX:
        return None
    return float(match.group(1)) * _SUFFIX[match.group(2)]


def parse_time(value: Any) -> datetime | None:
    """RFC 3339 UTC (``2025-01-01T08:00:05Z``) as an aware datetime; None when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _str_map(value: Any) -> dict[str, str]:
    return {str(k): "" if v is None else str(v) for k, v in _dict(value).items()}


def _items(body: Any, what: str) -> list[Any]:
    if not isinstance(body, dict) or not isinstance(body.get("items", []), list):
        raise InvalidResponseError(f"{what}: expected an object with an 'items' list")
    return body.get("items") or []


@dataclass(frozen=True)
class FlavorCount:
    flavor: str
    count: int
    max_count: int | None = None
    azs: tuple[tuple[str, int], ...] = ()

    @classmethod
    def parse(cls, data: Any) -> FlavorCount:
        data = _dict(data)
        max_count = data.get("maxCount")
        azs = data.get("azs")
        return cls(
            flavor=str(data.get("flavor", "")),
            count=_int(data.get("count")),
            max_count=None if max_count is None else _int(max_count),
            azs=tuple((str(az.get("az", "")), _int(az.get("count"))) for az in azs if isinstance(az, dict))
            if isinstance(azs, list)
            else (),
        )

    @classmethod
    def parse_many(cls, value: Any) -> tuple[FlavorCount, ...]:
        """Accepts the documented array and the SDK's single-object form."""
        if not value:
            return ()
        if isinstance(value, dict):
            return (cls.parse(value),)
        return tuple(cls.parse(item) for item in value) if isinstance(value, list) else ()


def accelerator_of(flavor: str) -> str:
    """``gpu``, ``npu`` or ``cpu`` from a flavor id such as ``modelarts.bm.npu.arm.8snt9b3.d``."""
    parts = flavor.lower().split(".")
    if "gpu" in parts:
        return "gpu"
    if "npu" in parts:
        return "npu"
    return "cpu"


@dataclass(frozen=True)
class Pool:
    name: str
    display_name: str
    workspace_id: str
    description: str
    created_at: datetime | None
    deleted_at: datetime | None
    labels: Mapping[str, str]
    annotations: Mapping[str, str]
    type: str
    scope: tuple[str, ...]
    resources: tuple[FlavorCount, ...]
    network_name: str
    job_flavors: tuple[str, ...]
    driver: Mapping[str, Any]
    phase: str
    status_message: str
    status_resources: Mapping[str, tuple[FlavorCount, ...]]
    raw: Mapping[str, Any] = field(repr=False, compare=False)
    request_id: str = field(default="", compare=False)

    @classmethod
    def parse(cls, data: Any, request_id: str = "") -> Pool:
        if not isinstance(data, dict):
            raise InvalidResponseError("pool: expected a JSON object")
        metadata, spec, status = (
            _dict(data.get("metadata")),
            _dict(data.get("spec")),
            _dict(data.get("status")),
        )
        name = metadata.get("name")
        if not isinstance(name, str) or not name:
            raise InvalidResponseError("pool: metadata.name is missing")
        labels, annotations = _str_map(metadata.get("labels")), _str_map(metadata.get("annotations"))
        resources = _dict(status.get("resources"))
        scope, job_flavors = spec.get("scope"), spec.get("jobFlavors")
        return cls(
            name=name,
            display_name=labels.get(LABEL_NAME, name),
            workspace_id=labels.get(LABEL_WORKSPACE, "0"),
            description=annotations.get(ANNOTATION_DESCRIPTION, ""),
            created_at=parse_time(metadata.get("creationTimestamp")),
            deleted_at=parse_time(metadata.get("deletionTimestamp")),
            labels=labels,
            annotations=annotations,
            type=str(spec.get("type", "")),
            scope=tuple(str(s) for s in scope) if isinstance(scope, list) else (),
            resources=FlavorCount.parse_many(spec.get("resources")),
            network_name=str(_dict(spec.get("network")).get("name", "")),
            job_flavors=tuple(str(f) for f in job_flavors) if isinstance(job_flavors, list) else (),
            driver=_dict(spec.get("driver")),
            # A fresh pool may come back with no phase at all (§5.8): it is being created.
            phase=str(status.get("phase") or "Creating"),
            status_message=str(status.get("message") or ""),
            status_resources={
                state: FlavorCount.parse_many(resources.get(state)) for state in RESOURCE_STATES
            },
            raw=data,
            request_id=request_id,
        )

    @property
    def billing_mode(self) -> str:
        """``"0"`` pay-per-use (also when absent), ``"1"`` yearly/monthly."""
        return self.annotations.get(ANNOTATION_BILLING_MODE, "0") or "0"

    @property
    def is_yearly_monthly(self) -> bool:
        return self.billing_mode == "1"

    @property
    def period_type(self) -> str:
        return self.annotations.get(ANNOTATION_PERIOD_TYPE, "")

    @property
    def period_num(self) -> str:
        return self.annotations.get(ANNOTATION_PERIOD_NUM, "")

    @property
    def auto_renew(self) -> bool:
        return self.annotations.get(ANNOTATION_AUTO_RENEW, "0") == "1"

    @property
    def node_count(self) -> int:
        return sum(r.count for r in self.resources)

    def nodes_in(self, state: str) -> int:
        return sum(r.count for r in self.status_resources.get(state, ()))

    @property
    def is_transitional(self) -> bool:
        return self.phase in TRANSITIONAL_PHASES

    @property
    def is_failed(self) -> bool:
        return self.phase in FAILED_PHASES

    @property
    def accelerator(self) -> str:
        kinds = {accelerator_of(r.flavor) for r in self.resources}
        return "gpu" if "gpu" in kinds else "npu" if "npu" in kinds else "cpu"


@dataclass(frozen=True)
class PoolList:
    items: tuple[Pool, ...]
    raw: Mapping[str, Any] = field(repr=False, compare=False)
    request_id: str = field(default="", compare=False)

    @classmethod
    def parse(cls, body: Any, request_id: str = "") -> PoolList:
        return cls(tuple([Pool.parse(item) for item in _items(body, "pool list")]), body, request_id)


@dataclass(frozen=True)
class Node:
    name: str
    created_at: datetime | None
    flavor: str
    phase: str
    az: str
    private_ip: str
    resources: Mapping[str, str]
    available_resources: Mapping[str, str]
    labels: Mapping[str, str]
    annotations: Mapping[str, str]
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def parse(cls, data: Any) -> Node:
        if not isinstance(data, dict):
            raise InvalidResponseError("node: expected a JSON object")
        metadata, spec, status = (
            _dict(data.get("metadata")),
            _dict(data.get("spec")),
            _dict(data.get("status")),
        )
        name = metadata.get("name")
        if not isinstance(name, str) or not name:
            raise InvalidResponseError("node: metadata.name is missing")
        return cls(
            name=name,
            created_at=parse_time(metadata.get("creationTimestamp")),
            flavor=str(spec.get("flavor", "")),
            phase=str(status.get("phase") or ""),
            az=str(status.get("az") or ""),
            private_ip=str(status.get("privateIp") or ""),
            resources=_str_map(status.get("resources")),
            available_resources=_str_map(status.get("availableResources")),
            labels=_str_map(metadata.get("labels")),
            annotations=_str_map(metadata.get("annotations")),
            raw=data,
        )


@dataclass(frozen=True)
class NodePage:
    items: tuple[Node, ...]
    continue_token: str | None
    remaining: int | None
    raw: Mapping[str, Any] = field(repr=False, compare=False)
    request_id: str = field(default="", compare=False)

    @classmethod
    def parse(cls, body: Any, request_id: str = "") -> NodePage:
        items = tuple(Node.parse(item) for item in _items(body, "node list"))
        metadata = _dict(body.get("metadata"))
        remaining = metadata.get("remainingItemCount")
        return cls(
            items=items,
            continue_token=str(metadata["continue"]) if metadata.get("continue") else None,
            remaining=None if remaining is None else _int(remaining),
            raw=body,
            request_id=request_id,
        )


@dataclass(frozen=True)
class PoolUsage:
    """One entry of ShowPoolRuntimeMetrics: usage of one pool."""

    name: str
    labels: Mapping[str, str]
    allocated: Mapping[str, str]
    capacity: Mapping[str, str]
    available: Mapping[str, str]
    workload_allocated: Mapping[str, int]
    workload_queue: Mapping[str, int]
    timestamp: datetime | None
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def parse(cls, data: Any) -> PoolUsage:
        data = _dict(data)
        metadata, table = _dict(data.get("metadata")), _dict(data.get("table"))
        workload = _dict(table.get("workload"))
        allocated = _dict(table.get("allocated"))
        return cls(
            name=str(metadata.get("name", "")),
            labels=_str_map(metadata.get("labels")),
            allocated=_str_map(allocated.get("value")),
            capacity=_str_map(_dict(table.get("capacity")).get("value")),
            available=_str_map(_dict(table.get("available")).get("value")),
            workload_allocated={k: _int(v) for k, v in _dict(workload.get("allocated")).items()},
            workload_queue={k: _int(v) for k, v in _dict(workload.get("queue")).items()},
            timestamp=parse_time(allocated.get("timestamp")),
            raw=data,
        )


@dataclass(frozen=True)
class RuntimeMetrics:
    items: tuple[PoolUsage, ...]
    raw: Mapping[str, Any] = field(repr=False, compare=False)
    request_id: str = field(default="", compare=False)

    @classmethod
    def parse(cls, body: Any, request_id: str = "") -> RuntimeMetrics:
        return cls(
            tuple([PoolUsage.parse(item) for item in _items(body, "runtime metrics")]), body, request_id
        )


@dataclass(frozen=True)
class PoolStatistics:
    creating: int
    created: int
    failed: int
    pending: int
    operation_time: str
    raw: Mapping[str, Any] = field(repr=False, compare=False)
    request_id: str = field(default="", compare=False)

    @classmethod
    def parse(cls, body: Any, request_id: str = "") -> PoolStatistics:
        if not isinstance(body, dict) or not isinstance(body.get("statistics"), dict):
            raise InvalidResponseError("pool statistics: expected a 'statistics' object")
        counts = _dict(_dict(body["statistics"]).get("status"))
        return cls(
            creating=_int(counts.get("creating")),
            created=_int(counts.get("created")),
            failed=_int(counts.get("failed")),
            pending=_int(counts.get("pending")),
            # Go-style, not ISO 8601 (§5.4): kept as text.
            operation_time=str(body.get("operationTime", "")),
            raw=body,
            request_id=request_id,
        )


@dataclass(frozen=True)
class DataPoint:
    timestamp_ms: int
    unit: str
    values: Mapping[str, float | None]  # statistic name -> value; the API's -1 ("no data") becomes None

    @classmethod
    def parse(cls, data: Any) -> DataPoint:
        data = _dict(data)
        values: dict[str, float | None] = {}
        for stat in _list(data.get("statistics")):
            if not isinstance(stat, dict):
                continue
            try:
                number = float(stat.get("value"))
            except (TypeError, ValueError):
                number = None
            values[str(stat.get("statistic", ""))] = None if number is None or number == -1 else number
        return cls(_int(data.get("timestamp")), str(data.get("unit") or ""), values)

    @property
    def time(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp_ms / 1000, tz=UTC)


@dataclass(frozen=True)
class MetricSeries:
    metric_name: str
    namespace: str
    dimensions: tuple[tuple[str, str], ...]
    points: tuple[DataPoint, ...]

    @classmethod
    def parse(cls, data: Any) -> MetricSeries:
        data = _dict(data)
        metric = data.get("metric")
        if isinstance(metric, list):  # one OTC table types it as an array
            metric = metric[0] if metric else {}
        metric = _dict(metric)
        return cls(
            metric_name=str(metric.get("metricName", "")),
            namespace=str(metric.get("namespace", "")),
            dimensions=tuple(
                (str(d.get("name", "")), str(d.get("value", "")))
                for d in _list(metric.get("dimensions"))
                if isinstance(d, dict)
            ),
            points=tuple(
                sorted(
                    (DataPoint.parse(p) for p in _list(data.get("dataPoints"))), key=lambda p: p.timestamp_ms
                )
            ),
        )

    @property
    def unit(self) -> str:
        return next((p.unit for p in self.points if p.unit), "")


@dataclass(frozen=True)
class MonitorResult:
    series: tuple[MetricSeries, ...]
    raw: Mapping[str, Any] = field(repr=False, compare=False)
    request_id: str = field(default="", compare=False)

    @classmethod
    def parse(cls, body: Any, request_id: str = "") -> MonitorResult:
        if not isinstance(body, dict) or not isinstance(body.get("metrics", []), list):
            raise InvalidResponseError("pool monitor: expected an object with a 'metrics' list")
        return cls(tuple(MetricSeries.parse(m) for m in body.get("metrics") or []), body, request_id)


@dataclass(frozen=True)
class Ack:
    """The answer of an operation with no documented body (BatchDeletePoolNodes)."""

    raw: Any = field(repr=False, compare=False)
    request_id: str = field(default="", compare=False)
