"""Frozen values parsed from ModelArts' usage and monitoring answers (runtime metrics, pool statistics,
monitor series), with the same tolerance as the pool and node values in ``types.py``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pools.modelarts.errors import InvalidResponseError
from pools.modelarts.parsing import as_dict, as_int, as_list, as_str_map, items_of, parse_time


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
        data = as_dict(data)
        metadata, table = as_dict(data.get("metadata")), as_dict(data.get("table"))
        workload = as_dict(table.get("workload"))
        allocated = as_dict(table.get("allocated"))
        return cls(
            name=str(metadata.get("name", "")),
            labels=as_str_map(metadata.get("labels")),
            allocated=as_str_map(allocated.get("value")),
            capacity=as_str_map(as_dict(table.get("capacity")).get("value")),
            available=as_str_map(as_dict(table.get("available")).get("value")),
            workload_allocated={k: as_int(v) for k, v in as_dict(workload.get("allocated")).items()},
            workload_queue={k: as_int(v) for k, v in as_dict(workload.get("queue")).items()},
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
            tuple([PoolUsage.parse(item) for item in items_of(body, "runtime metrics")]), body, request_id
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
        counts = as_dict(as_dict(body["statistics"]).get("status"))
        return cls(
            creating=as_int(counts.get("creating")),
            created=as_int(counts.get("created")),
            failed=as_int(counts.get("failed")),
            pending=as_int(counts.get("pending")),
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
        data = as_dict(data)
        values: dict[str, float | None] = {}
        for stat in as_list(data.get("statistics")):
            if not isinstance(stat, dict):
                continue
            try:
                number = float(stat.get("value"))
            except (TypeError, ValueError):
                number = None
            values[str(stat.get("statistic", ""))] = None if number is None or number == -1 else number
        return cls(as_int(data.get("timestamp")), str(data.get("unit") or ""), values)

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
        data = as_dict(data)
        metric = data.get("metric")
        if isinstance(metric, list):  # one OTC table types it as an array
            metric = metric[0] if metric else {}
        metric = as_dict(metric)
        return cls(
            metric_name=str(metric.get("metricName", "")),
            namespace=str(metric.get("namespace", "")),
            dimensions=tuple(
                (str(d.get("name", "")), str(d.get("value", "")))
                for d in as_list(metric.get("dimensions"))
                if isinstance(d, dict)
            ),
            points=tuple(
                sorted(
                    (DataPoint.parse(p) for p in as_list(data.get("dataPoints"))),
                    key=lambda p: p.timestamp_ms,
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
