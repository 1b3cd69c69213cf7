"""Pool and node records and their state machines, evaluated lazily against a clock.

A pool carries a *schedule*: ``[[time, phase], ...]`` in time order, e.g. ``Creating`` now and ``Running``
thirty seconds later (or ``Error``, then ``Gone`` when a failed pool's three days of retention are over).
Deleting sets ``deleted_at`` (``Deleting`` from then on) and ``gone_at`` (removed from then on). Nodes work
the same way with ``created_at``, ``ready_at``, ``deleting_at`` and ``gone_at``, and an accepted maintenance
window (``maintenance_from`` to ``maintenance_until``: ``Abnormal`` meanwhile, repaired after). Scheduled
maintenance events (``ScheduledEventRecord``) hang off their pool and read their state from their own
timestamps and their node's. So the state at any moment
follows from stored timestamps, nothing runs in the background, and a persisted estate resumes correctly.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

# Pool phases (the SDK's enum plus the OTC docs' Waiting for an unpaid yearly/monthly order).
WAITING = "Waiting"
CREATING = "Creating"
RUNNING = "Running"
ABNORMAL = "Abnormal"
ERROR = "Error"
DELETING = "Deleting"
GONE = "Gone"  # internal: no longer listed

# Node phases.
NODE_CREATING = "Creating"
NODE_AVAILABLE = "Available"
NODE_ABNORMAL = "Abnormal"
NODE_DELETING = "Deleting"
# Sandbox: the phases of a node while BatchRebootPoolNodes / BatchResetPoolNodes work on it (the SDK's enum has
# no such value; the console shows the node as rebooting or resetting, and not schedulable).
NODE_REBOOTING = "Rebooting"
NODE_RESETTING = "Resetting"

# How ListPools' `status` and ShowPoolStatistics group pool phases.
PENDING = "pending"
CATEGORY_BY_PHASE = {
    WAITING: PENDING,
    CREATING: "creating",
    RUNNING: "created",
    ABNORMAL: "created",
    ERROR: "failed",
}

NAME_LABEL = "os.modelarts/name"
WORKSPACE_LABEL = "os.modelarts/workspace.id"


@dataclass
class NodeRecord:
    name: str
    flavor: str
    az: str
    private_ip: str
    created_at: float
    ready_at: float
    load: float  # share of the node's capacity that workloads hold, 0..1
    abnormal: bool = False
    deleting_at: float | None = None
    gone_at: float | None = None
    # Node actions (node_actions.py): out of service from ``out_from`` to ``out_until`` as ``out_phase``
    # (a reboot or a reset, which also repairs an Abnormal node); ``drained_at`` once its workloads were
    # sent away; ``locked`` the actions refused on it (``["delete"]``).
    out_from: float | None = None
    out_until: float | None = None
    out_phase: str | None = None
    drained_at: float | None = None
    locked: list[str] = field(default_factory=list)
    os_name: str | None = None
    runtime: str | None = None
    maintenance_from: float | None = None  # an accepted scheduled event's work on the node
    maintenance_until: float | None = None
    disks_wiped_at: float | None = None  # a HARD redeploy resets the node: local and cloud disks lost

    def phase(self, now: float) -> str | None:
        """The node's phase, or ``None`` while it does not exist (not yet created, or removed)."""
        if now < self.created_at or (self.gone_at is not None and now >= self.gone_at):
            return None
        if self.deleting_at is not None and now >= self.deleting_at:
            return NODE_DELETING
        if now < self.ready_at:
            return NODE_CREATING
        if self.out_from is not None and self.out_until is not None and self.out_from <= now < self.out_until:
            return self.out_phase or NODE_REBOOTING
        if self.maintenance_from is not None and self.maintenance_until is not None:
            if self.maintenance_from <= now < self.maintenance_until:
                return NODE_ABNORMAL  # an accepted scheduled event's work
        # A reboot, a reset or a maintenance that has ended brings an Abnormal node back.
        if any(end is not None and now >= end for end in (self.out_until, self.maintenance_until)):
            return NODE_AVAILABLE
        return NODE_ABNORMAL if self.abnormal else NODE_AVAILABLE

    def back_since(self, now: float) -> float:
        """When the node last became usable: ready, or the end of its last reboot or reset."""
        if self.out_until is not None and now >= self.out_until:
            return max(self.ready_at, self.out_until)
        return self.ready_at

    def mark_deleting(self, now: float, gone_at: float) -> None:
        if self.deleting_at is None or self.deleting_at > now:
            self.deleting_at = now
        if self.gone_at is None or self.gone_at > gone_at:
            self.gone_at = gone_at


# Scheduled event states (ListScheduledEvents' ``state``).
EVENT_INQUIRING = "inquiring"
EVENT_SCHEDULED = "scheduled"
EVENT_EXECUTING = "executing"
EVENT_COMPLETED = "completed"
EVENT_CANCELED = "canceled"


@dataclass
class ScheduledEventRecord:
    """Maintenance ModelArts plans on one node; waits for authorisation (``inquiring``) until accepted.

    ``planned_at`` is the latest start the event offers (its ``notBefore`` while inquiring); accepting sets
    ``accepted_at`` and ``starts_at`` (the chosen ``notBefore``, or the acceptance itself), and the node's
    maintenance window. ``finished_at`` is set with it, from the timings.
    """

    id: str
    node_name: str
    type: str
    catalog: str
    description: str
    published_at: float
    planned_at: float
    redeploy_types: list[str]
    accepted_at: float | None = None
    starts_at: float | None = None
    finished_at: float | None = None
    redeploy_type: str = ""
    auto_flow: str = ""

    def state(self, now: float, node: NodeRecord | None) -> str:
        """The event's state at ``now``; ``node`` is its node as the pool holds it (None once removed)."""
        removed = node is None or (node.deleting_at is not None and now >= node.deleting_at)
        if self.accepted_at is None or now < self.accepted_at:
            return EVENT_CANCELED if removed else EVENT_INQUIRING
        if self.starts_at is not None and now < self.starts_at:
            return EVENT_CANCELED if removed else EVENT_SCHEDULED
        if self.finished_at is not None and now < self.finished_at:
            return EVENT_EXECUTING
        return EVENT_COMPLETED


@dataclass
class PoolRecord:
    name: str
    project_id: str
    sequence: int
    created_at: float
    labels: dict[str, str]
    annotations: dict[str, str]
    spec: dict[str, Any]
    schedule: list[list[Any]]
    nodes: list[NodeRecord] = field(default_factory=list)  # sorted by name
    message: str = ""
    scheduled_events: list[ScheduledEventRecord] = field(default_factory=list)
    removed_nodes: list[NodeRecord] = field(default_factory=list)
    deleted_at: float | None = None
    gone_at: float | None = None
    tags: dict[str, str] = field(default_factory=dict)  # TMS tags (ShowPoolTags), not metadata.labels
    orders: list[dict[str, Any]] = field(default_factory=list)  # the pool's orders, oldest first (orders.py)
    # Node actions' asynchronous jobs (ListJobs), and the workloads sent away from drained or deleted nodes,
    # pending since then (workloads.py): plain JSON, so the state file keeps them as they are.
    jobs: list[dict[str, Any]] = field(default_factory=list)
    displaced: list[dict[str, Any]] = field(default_factory=list)

    @property
    def display_name(self) -> str:
        return self.labels[NAME_LABEL]

    @property
    def workspace_id(self) -> str:
        return self.labels.get(WORKSPACE_LABEL, "0")

    def scheduled_phase(self, now: float) -> str:
        current = self.schedule[0][1]
        for at, phase in self.schedule:
            if at > now:
                break
            current = phase
        return current

    def phase(self, now: float) -> str:
        if self.gone_at is not None and now >= self.gone_at:
            return GONE
        if self.deleted_at is not None and now >= self.deleted_at:
            return DELETING
        return self.scheduled_phase(now)

    def lifecycle_phase(self, now: float) -> str:
        """The phase the creation schedule gives, ignoring a later deletion."""
        return self.scheduled_phase(now if self.deleted_at is None else min(now, self.deleted_at))

    def category(self, now: float) -> str:
        """``creating``/``created``/``failed``/``pending``; a pool being deleted keeps its earlier group."""
        return CATEGORY_BY_PHASE.get(self.lifecycle_phase(now), "created")

    def running_since(self) -> float | None:
        return next((at for at, phase in self.schedule if phase == RUNNING), None)

    def live_nodes(self, now: float) -> list[tuple[NodeRecord, str]]:
        """The nodes that exist at ``now``, by name, each with its phase."""
        return [(node, phase) for node in self.nodes if (phase := node.phase(now)) is not None]

    def forget_removed_nodes(self, now: float) -> None:
        """Move the nodes that are gone to ``removed_nodes``, kept for the pool's event history only."""
        gone = [node for node in self.nodes if node.gone_at is not None and node.gone_at <= now]
        if gone:
            self.removed_nodes.extend(gone)
            self.nodes = [node for node in self.nodes if node.gone_at is None or node.gone_at > now]

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PoolRecord:
        nodes = [NodeRecord(**node) for node in data.get("nodes", [])]
        removed = [NodeRecord(**node) for node in data.get("removed_nodes", [])]
        events = [ScheduledEventRecord(**event) for event in data.get("scheduled_events", [])]
        return cls(**{**data, "nodes": nodes, "removed_nodes": removed, "scheduled_events": events})


@dataclass
class Timings:
    """How long the simulated work takes, in seconds of the sandbox's clock."""

    creation_seconds: float = 30.0
    deletion_seconds: float = 20.0
    node_deletion_seconds: float = 15.0
    reboot_seconds: float = 45.0
    reset_seconds: float = 90.0  # one batch of a rolling reset
    # Yearly/monthly pools without os.modelarts/auto.pay "true" wait this long for their order (0: no wait).
    payment_seconds: float = 0.0
    failed_retention_seconds: float = 3 * 24 * 3600
    maintenance_seconds: float = 10 * 60.0  # an accepted scheduled event's work on its node


def creation_schedule(now: float, timings: Timings, *, awaits_payment: bool, fails: bool) -> list[list[Any]]:
    """The phases a new pool will pass through; returns the schedule and leaves the record to the caller."""
    schedule: list[list[Any]] = []
    moment = now
    if awaits_payment and timings.payment_seconds > 0:
        schedule.append([moment, WAITING])
        moment += timings.payment_seconds
    schedule.append([moment, CREATING])
    moment += timings.creation_seconds
    if fails:
        schedule += [[moment, ERROR], [moment + timings.failed_retention_seconds, GONE]]
    else:
        schedule.append([moment, RUNNING])
    return schedule


def creation_window(schedule: list[list[Any]]) -> tuple[float, float]:
    """When the pool's nodes appear (``Creating``) and when creation ends (``Running`` or ``Error``)."""
    start = next(at for at, phase in schedule if phase == CREATING)
    end = next(at for at, phase in schedule if phase in (RUNNING, ERROR))
    return start, end
