"""The client's node operations beyond listing and deleting: ShowPoolNode, the node actions (reboot, drain,
lock, unlock, reset), ListWorkloads, ShowWorkloadStatistics and ListJobs. ``ModelArtsClient`` inherits them.

The actions are POSTs and are never replayed (``transport.py``): a lost answer raises
``OutcomeUnknownError``, and the caller settles the outcome by looking at the nodes or the jobs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pools.modelarts.errors import InvalidResponseError, header_request_id
from pools.modelarts.transport import json_body, path_value
from pools.modelarts.types import Ack, Node
from pools.modelarts.workloads import (
    JOB_TYPES,
    WORKLOAD_STATUSES,
    WORKLOAD_TYPES,
    JobList,
    NodeActionResult,
    WorkloadList,
    WorkloadStatistics,
)

if TYPE_CHECKING:
    from pools.modelarts.transport import Transport

MAX_DRAIN_NODES = 10  # BatchDrainPoolNodes takes at most 10 nodes (the API refuses more)
WORKLOAD_LIMIT = 500
JOB_LIMIT = 500
LOCK_ACTIONS = ("delete",)
ROLLING_STRATEGIES = ("RollingByNumber", "RollingByPercent")
RUNTIMES = ("docker", "containerd")


@dataclass(frozen=True)
class RollingConfig:
    """How many nodes a reset takes down at once: a number of nodes, or a percentage of them."""

    strategy: str
    max_unavailable: int

    def __post_init__(self) -> None:
        if self.strategy not in ROLLING_STRATEGIES:
            raise ValueError(
                f"strategy must be one of {', '.join(ROLLING_STRATEGIES)}, not {self.strategy!r}"
            )
        if isinstance(self.max_unavailable, bool) or not isinstance(self.max_unavailable, int):
            raise ValueError("max_unavailable must be a whole number")
        top = 100 if self.strategy == "RollingByPercent" else None
        if self.max_unavailable < 1 or (top is not None and self.max_unavailable > top):
            raise ValueError(f"max_unavailable must be from 1{f' to {top}' if top else ''}")

    def to_json(self) -> dict[str, Any]:
        return {"strategy": self.strategy, "maxUnavailable": self.max_unavailable}


def _node_names(node_names: Iterable[str] | str) -> list[str]:
    names = [node_names] if isinstance(node_names, str) else list(node_names)
    if not names or not all(isinstance(name, str) and name for name in names):
        raise ValueError("name at least one node; every node name must be a non-empty string")
    return list(dict.fromkeys(names))


def _whole(value: int | None, name: str, top: int | None = None) -> str | None:
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or value < 0
        or (top is not None and value > top)
    ):
        bound = f" up to {top}" if top is not None else ""
        raise ValueError(f"{name} must be a whole number from 0{bound}, not {value!r}")
    return str(value)


def _one_of(value: str | None, allowed: tuple[str, ...], name: str) -> str | None:
    if value is not None and value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")
    return value


class NodeOperations:
    """Mixed into ``ModelArtsClient``: uses its transport and its answer parsing."""

    _transport: Transport
    _parse: Callable[..., Any]

    def _node_path(self, pool: str, tail: str) -> str:
        return f"/pools/{path_value(pool, 'pool name')}/nodes/{tail}"

    def _action_answer(self, operation: str, response) -> NodeActionResult:
        return self._parse(operation, response, NodeActionResult.parse)

    def show_node(self, pool: str, node: str) -> Node:
        """ShowPoolNode: one node by its ``metadata.name``."""
        path = self._node_path(pool, path_value(node, "node name"))
        response = self._transport.call("ShowPoolNode", "GET", path)
        return self._parse("ShowPoolNode", response, lambda body, request_id: Node.parse(body))

    def reboot_nodes(self, pool: str, node_names: Iterable[str] | str) -> NodeActionResult:
        """BatchRebootPoolNodes; answers with the node names. Follow it with ``list_jobs`` (reboot-node)."""
        body = json_body({"nodeNames": _node_names(node_names)})
        path = self._node_path(pool, "batch-reboot")
        response = self._transport.call("BatchRebootPoolNodes", "POST", path, body=body)
        return self._action_answer("BatchRebootPoolNodes", response)

    def drain_nodes(self, pool: str, node_names: Iterable[str] | str) -> Ack:
        """BatchDrainPoolNodes (at most 10 nodes: the API refuses more with a 400, the client sends them as
        given). Answers with an empty object."""
        body = {"nodeNames": _node_names(node_names)}
        path = self._node_path(pool, "batch-drain")
        response = self._transport.call("BatchDrainPoolNodes", "POST", path, body=json_body(body))
        if not response.content.strip():
            return Ack(raw=None, request_id=header_request_id(response.headers))
        return self._parse("BatchDrainPoolNodes", response, _ack)

    def lock_nodes(
        self, pool: str, node_names: Iterable[str] | str, actions: Iterable[str] = LOCK_ACTIONS
    ) -> NodeActionResult:
        """BatchLockPoolNodes: the named actions (``delete``) are refused on the nodes until unlocked."""
        body = json_body({"nodeNames": _node_names(node_names), "actions": _actions(actions)})
        path = self._node_path(pool, "batch-lock")
        response = self._transport.call("BatchLockPoolNodes", "POST", path, body=body)
        return self._action_answer("BatchLockPoolNodes", response)

    def unlock_nodes(
        self, pool: str, node_names: Iterable[str] | str, actions: Iterable[str] = LOCK_ACTIONS
    ) -> NodeActionResult:
        """BatchUnlockPoolNodes."""
        body = json_body({"nodeNames": _node_names(node_names), "actions": _actions(actions)})
        path = self._node_path(pool, "batch-unlock")
        response = self._transport.call("BatchUnlockPoolNodes", "POST", path, body=body)
        return self._action_answer("BatchUnlockPoolNodes", response)

    def reset_nodes(
        self,
        pool: str,
        node_names: Iterable[str] | str,
        rolling: RollingConfig | None = None,
        node_config: dict[str, str] | None = None,
    ) -> NodeActionResult:
        """BatchResetPoolNodes; answers with the ``job_id`` to follow in ``list_jobs`` (reset-nodes)."""
        body: dict[str, Any] = {"nodeNames": _node_names(node_names)}
        if rolling is not None:
            body["rollingConfig"] = rolling.to_json()
        if node_config:
            _one_of(node_config.get("runtime"), RUNTIMES, "node_config runtime")
            body["nodeConfig"] = dict(node_config)
        path = self._node_path(pool, "batch-reset")
        response = self._transport.call("BatchResetPoolNodes", "POST", path, body=json_body(body))
        return self._action_answer("BatchResetPoolNodes", response)

    def list_workloads(
        self,
        pool: str,
        *,
        type: str | None = None,  # noqa: A002 - the API's name
        status: str | None = None,
        host_ips: Iterable[str] = (),
        sort_by_creation: bool = False,
        ascending: bool | None = None,
        offset: int | None = None,
        limit: int | None = None,
    ) -> WorkloadList:
        """ListWorkloads. With ``host_ips`` (sent comma-separated) the API ignores ``offset`` and ``limit``."""
        hosts = [ip for ip in host_ips if ip]
        query = [
            ("hostip", ",".join(hosts) or None),
            ("type", _one_of(type, WORKLOAD_TYPES, "type")),
            ("status", _one_of(status, WORKLOAD_STATUSES, "status")),
            ("sort", "create_time" if sort_by_creation else None),
            ("ascend", None if ascending is None else str(bool(ascending)).lower()),
            ("offset", _whole(offset, "offset")),
            ("limit", _whole(limit, "limit", WORKLOAD_LIMIT)),
        ]
        path = f"/pools/{path_value(pool, 'pool name')}/workloads"
        response = self._transport.call("ListWorkloads", "GET", path, query)
        return self._parse("ListWorkloads", response, WorkloadList.parse)

    def show_workload_statistics(self, pool: str) -> WorkloadStatistics:
        """ShowWorkloadStatistics: the pool's workload counts by type and status."""
        path = f"/statistics/pools/{path_value(pool, 'pool name')}/workloads"
        response = self._transport.call("ShowWorkloadStatistics", "GET", path)
        return self._parse("ShowWorkloadStatistics", response, WorkloadStatistics.parse)

    def list_jobs(
        self,
        *,
        type: str | None = None,  # noqa: A002 - the API's name
        pool: str | None = None,
        since_ms: int | None = None,
        until_ms: int | None = None,
        offset: int | None = None,
        limit: int | None = None,
    ) -> JobList:
        """ListJobs: the asynchronous jobs of node actions (``reboot-node``, ``reset-nodes``,
        ``replace-node``), optionally of one pool."""
        query = [
            ("type", _one_of(type, JOB_TYPES, "type")),
            ("limit", _whole(limit, "limit", JOB_LIMIT)),
            ("offset", _whole(offset, "offset")),
            ("since", _whole(since_ms, "since")),
            ("until", _whole(until_ms, "until")),
            ("resource", "pools" if pool else None),
            ("name", pool or None),
        ]
        response = self._transport.call("ListJobs", "GET", "/jobs", query)
        return self._parse("ListJobs", response, JobList.parse)


def _actions(actions: Iterable[str]) -> list[str]:
    chosen = [actions] if isinstance(actions, str) else list(actions)
    if not chosen or any(action not in LOCK_ACTIONS for action in chosen):
        raise ValueError(f"actions must be a non-empty list of {', '.join(LOCK_ACTIONS)}")
    return chosen


def _ack(body: Any, request_id: str) -> Ack:
    if not isinstance(body, dict):
        raise InvalidResponseError("the answer is not the expected empty body or JSON object")
    return Ack(raw=body, request_id=request_id)
