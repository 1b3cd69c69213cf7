"""Frozen values of the node-action and workload answers: ListWorkloads, ShowWorkloadStatistics, ListJobs,
and what BatchReboot/BatchLock/BatchUnlock/BatchResetPoolNodes answer.

Parsed as tolerantly as ``types.py`` parses pools: unknown fields are ignored, numbers may come as text, and
only what the dashboard cannot do without (``items`` being a list) raises ``InvalidResponseError``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pools.modelarts.errors import InvalidResponseError
from pools.modelarts.parsing import as_dict, as_int, as_list, as_str_map, items_of

# ListWorkloads' status filter and ShowWorkloadStatistics' counters, in the SDK's order.
WORKLOAD_STATUSES = (
    "Queue",
    "Pending",
    "Abnormal",
    "Terminating",
    "Creating",
    "Running",
    "Completed",
    "Terminated",
    "Failed",
)
# The statuses of a workload that holds or waits for a node's resources (what a node action disturbs).
ACTIVE_WORKLOAD_STATUSES = frozenset({"Running", "Creating", "Pending", "Queue", "Terminating", "Abnormal"})
WORKLOAD_TYPES = ("train", "infer", "notebook", "x-infer")
JOB_TYPES = ("replace-node", "reboot-node", "reset-nodes")
JOB_RUNNING, JOB_SUCCESS, JOB_FAILED = "Running", "Success", "Failed"
# Accelerator keys of a workload's resourceRequirement (GPU cards, snt9 and snt3 NPU cards).
ACCELERATOR_KEYS = ("nvidia.com/gpu", "huawei.com/ascend-1980", "huawei.com/ascend-310")


def _millis(value: Any) -> datetime | None:
    number = as_int(value, 0)
    return datetime.fromtimestamp(number / 1000, UTC) if number > 0 else None


@dataclass(frozen=True)
class Workload:
    name: str
    type: str
    status: str
    user_name: str
    flavor: str
    resource_requirement: Mapping[str, str]
    running_seconds: int
    pending_seconds: int
    pending_position: int | None
    created_at: datetime | None
    host_ips: tuple[str, ...]
    priority: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def parse(cls, data: Any) -> Workload:
        data = as_dict(data)
        hosts = [str(ip).strip() for ip in str(data.get("hostIps") or "").split(",") if str(ip).strip()]
        hosts += [str(as_dict(node).get("hostIp")) for node in as_list(data.get("nodes"))]
        position = data.get("pendingPosition")
        return cls(
            name=str(data.get("name") or data.get("jobName") or ""),
            type=str(data.get("type") or ""),
            status=str(data.get("status") or ""),
            user_name=str(data.get("userName") or ""),
            flavor=str(data.get("flavor") or ""),
            resource_requirement=as_str_map(data.get("resourceRequirement")),
            running_seconds=as_int(data.get("runningDuration")),
            pending_seconds=as_int(data.get("pendingDuration")),
            pending_position=None if position is None else as_int(position),
            created_at=_millis(data.get("createTime")),
            host_ips=tuple(dict.fromkeys(ip for ip in hosts if ip and ip != "None")),
            priority=str(data.get("priority") or ""),
            raw=data,
        )

    @property
    def accelerators(self) -> tuple[str, str] | None:
        """(key, amount) of the GPU or NPU cards it asks for, or None."""
        for key in ACCELERATOR_KEYS:
            if self.resource_requirement.get(key) not in (None, "", "0"):
                return key, self.resource_requirement[key]
        return None

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_WORKLOAD_STATUSES


@dataclass(frozen=True)
class WorkloadList:
    items: tuple[Workload, ...]
    raw: Mapping[str, Any] = field(repr=False, compare=False)
    request_id: str = field(default="", compare=False)

    @classmethod
    def parse(cls, body: Any, request_id: str = "") -> WorkloadList:
        return cls(tuple(Workload.parse(item) for item in items_of(body, "workload list")), body, request_id)


@dataclass(frozen=True)
class WorkloadCounts:
    type: str
    total: int
    by_status: Mapping[str, int]


@dataclass(frozen=True)
class WorkloadStatistics:
    items: tuple[WorkloadCounts, ...]
    raw: Mapping[str, Any] = field(repr=False, compare=False)
    request_id: str = field(default="", compare=False)

    @classmethod
    def parse(cls, body: Any, request_id: str = "") -> WorkloadStatistics:
        statistics = as_dict(as_dict(body).get("statistics"))
        if not isinstance(statistics.get("items", []), list):
            raise InvalidResponseError("workload statistics: expected statistics.items to be a list")
        items = tuple(
            WorkloadCounts(
                type=str(as_dict(item).get("type") or ""),
                total=as_int(as_dict(item).get("total")),
                by_status={
                    str(key): as_int(value) for key, value in as_dict(as_dict(item).get("status")).items()
                },
            )
            for item in statistics.get("items") or []
        )
        return cls(items, body, request_id)

    def by_status(self) -> list[tuple[str, int]]:
        """Counts over every type, per status, in the API's order, the statuses with none left out."""
        totals = {
            status: sum(item.by_status.get(status, 0) for item in self.items) for status in WORKLOAD_STATUSES
        }
        return [(status, count) for status, count in totals.items() if count]


def _json_text(value: Any) -> Any:
    """``inputs`` and ``involvedObjects`` are typed as strings; they hold JSON in practice."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


@dataclass(frozen=True)
class PoolJob:
    job_id: str
    type: str
    phase: str
    started_at: datetime | None
    ended_at: datetime | None
    message: str
    node_names: tuple[str, ...]
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def parse(cls, data: Any) -> PoolJob:
        data = as_dict(data)
        inputs = as_dict(_json_text(data.get("inputs")))
        involved = as_dict(_json_text(data.get("involvedObjects")))
        names = as_list(inputs.get("nodeNames")) or as_list(involved.get("nodes"))
        return cls(
            job_id=str(data.get("jobId") or ""),
            type=str(data.get("type") or ""),
            phase=str(data.get("phase") or ""),
            started_at=_millis(data.get("startTimestamp")),
            ended_at=_millis(data.get("endTimestamp")),
            message=str(data.get("message") or ""),
            node_names=tuple(str(name) for name in names),
            raw=data,
        )


@dataclass(frozen=True)
class JobList:
    count: int
    items: tuple[PoolJob, ...]
    raw: Mapping[str, Any] = field(repr=False, compare=False)
    request_id: str = field(default="", compare=False)

    @classmethod
    def parse(cls, body: Any, request_id: str = "") -> JobList:
        items = tuple(PoolJob.parse(item) for item in items_of(body, "job list"))
        return cls(as_int(as_dict(body).get("count"), len(items)), items, body, request_id)

    def find(self, job_id: str) -> PoolJob | None:
        return next((job for job in self.items if job.job_id == job_id), None)


@dataclass(frozen=True)
class NodeActionResult:
    """What a node action answered: the nodes it names (reboot), each node's outcome (lock, unlock:
    ``success`` or ``failed``), or the job that carries it out (reset)."""

    node_names: tuple[str, ...] = ()
    outcomes: Mapping[str, str] = field(default_factory=dict)
    job_id: str = ""
    raw: Any = field(default=None, repr=False, compare=False)
    request_id: str = field(default="", compare=False)

    @classmethod
    def parse(cls, body: Any, request_id: str = "") -> NodeActionResult:
        if not isinstance(body, dict):
            raise InvalidResponseError("node action: expected a JSON object")
        outcomes = {
            str(as_dict(item).get("name")): str(as_dict(item).get("status") or "")
            for item in as_list(body.get("nodes"))
            if as_dict(item).get("name")
        }
        return cls(
            node_names=tuple(str(name) for name in as_list(body.get("nodeNames"))),
            outcomes=outcomes,
            job_id=str(body.get("job_id") or body.get("jobId") or ""),
            raw=body,
            request_id=request_id,
        )

    @property
    def failed(self) -> tuple[str, ...]:
        return tuple(name for name, status in self.outcomes.items() if status == "failed")
