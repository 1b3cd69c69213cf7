"""Frozen values parsed from ModelArts' pool and node answers at the boundary.

Parsing is tolerant of unknown fields and of the documented shape variants (``status.resources.*`` as an
array or a single object, numbers sent as strings or numbers, a missing ``status.phase`` on a fresh pool),
and strict about what the dashboard cannot do without (a pool's ``metadata.name``, ``items`` being a list):
those raise ``InvalidResponseError``. Every value keeps the raw JSON it came from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pools.modelarts.parsing import (
    as_dict,
    as_int,
    as_list,
    as_str_map,
    items_of,
    named_object,
    parse_time,
)
from pools.modelarts.vocabulary import (
    ANNOTATION_AUTO_RENEW,
    ANNOTATION_BILLING_MODE,
    ANNOTATION_DESCRIPTION,
    ANNOTATION_NODE_LOCK,
    ANNOTATION_PERIOD_NUM,
    ANNOTATION_PERIOD_TYPE,
    FAILED_PHASES,
    LABEL_NAME,
    LABEL_ORDER_NAME,
    LABEL_WORKSPACE,
    RESOURCE_STATES,
    TAINT_UNSCHEDULABLE,
    TRANSITIONAL_PHASES,
)


@dataclass(frozen=True)
class FlavorCount:
    flavor: str
    count: int
    max_count: int | None = None
    azs: tuple[tuple[str, int], ...] = ()

    @classmethod
    def parse(cls, data: Any) -> FlavorCount:
        data = as_dict(data)
        max_count = data.get("maxCount")
        azs = data.get("azs")
        return cls(
            flavor=str(data.get("flavor", "")),
            count=as_int(data.get("count")),
            max_count=None if max_count is None else as_int(max_count),
            azs=tuple((str(az.get("az", "")), as_int(az.get("count"))) for az in azs if isinstance(az, dict))
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
        name, metadata, spec, status = named_object(data, "pool")
        labels, annotations = as_str_map(metadata.get("labels")), as_str_map(metadata.get("annotations"))
        resources = as_dict(status.get("resources"))
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
            network_name=str(as_dict(spec.get("network")).get("name", "")),
            job_flavors=tuple(str(f) for f in job_flavors) if isinstance(job_flavors, list) else (),
            driver=as_dict(spec.get("driver")),
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
    def order_name(self) -> str:
        """The order of the pool's last scale (``os.modelarts/order.name``), or ``""``."""
        return self.labels.get(LABEL_ORDER_NAME, "")

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
        return cls(tuple([Pool.parse(item) for item in items_of(body, "pool list")]), body, request_id)


@dataclass(frozen=True)
class Taint:
    """One of a node's ``spec.taints`` (the SDK's ``Taints``: key, value, effect)."""

    key: str
    value: str = ""
    effect: str = ""

    @classmethod
    def parse_all(cls, data: Any) -> tuple[Taint, ...]:
        taints = (as_dict(item) for item in as_list(data))
        return tuple(
            cls(str(t["key"]), str(t.get("value") or ""), str(t.get("effect") or ""))
            for t in taints
            if t.get("key")
        )


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
    message: str = ""  # why the node is Abnormal, when the answer says (not in the SDK's NodeStatus)
    taints: tuple[Taint, ...] = ()

    @classmethod
    def parse(cls, data: Any) -> Node:
        name, metadata, spec, status = named_object(data, "node")
        return cls(
            name=name,
            created_at=parse_time(metadata.get("creationTimestamp")),
            flavor=str(spec.get("flavor", "")),
            phase=str(status.get("phase") or ""),
            az=str(status.get("az") or ""),
            private_ip=str(status.get("privateIp") or ""),
            resources=as_str_map(status.get("resources")),
            available_resources=as_str_map(status.get("availableResources")),
            labels=as_str_map(metadata.get("labels")),
            annotations=as_str_map(metadata.get("annotations")),
            raw=data,
            message=str(status.get("message") or ""),
            taints=Taint.parse_all(spec.get("taints")),
        )

    @property
    def locked_actions(self) -> tuple[str, ...]:
        """The actions locked on the node (``delete``): the ``os.modelarts.node/lock.action`` annotation."""
        value = self.annotations.get(ANNOTATION_NODE_LOCK, "")
        return tuple(action.strip() for action in value.split(",") if action.strip())

    @property
    def drained(self) -> bool:
        """Drained: the node takes no new workloads (it carries the unschedulable taint)."""
        return any(taint.key == TAINT_UNSCHEDULABLE for taint in self.taints)

    @property
    def os_name(self) -> str:
        return str(as_dict(as_dict(self.raw.get("spec")).get("os")).get("name") or "")

    @property
    def runtime(self) -> str:
        return str(as_dict(as_dict(self.raw.get("spec")).get("extendParams")).get("runtime") or "")


@dataclass(frozen=True)
class NodePage:
    items: tuple[Node, ...]
    continue_token: str | None
    remaining: int | None
    raw: Mapping[str, Any] = field(repr=False, compare=False)
    request_id: str = field(default="", compare=False)

    @classmethod
    def parse(cls, body: Any, request_id: str = "") -> NodePage:
        items = tuple(Node.parse(item) for item in items_of(body, "node list"))
        metadata = as_dict(body.get("metadata"))
        remaining = metadata.get("remainingItemCount")
        return cls(
            items=items,
            continue_token=str(metadata["continue"]) if metadata.get("continue") else None,
            remaining=None if remaining is None else as_int(remaining),
            raw=body,
            request_id=request_id,
        )


@dataclass(frozen=True)
class Ack:
    """The answer of an operation with no documented body (BatchDeletePoolNodes)."""

    raw: Any = field(repr=False, compare=False)
    request_id: str = field(default="", compare=False)
