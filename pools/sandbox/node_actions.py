"""ShowPoolNode and the node actions: BatchRebootPoolNodes, BatchDrainPoolNodes, BatchLockPoolNodes,
BatchUnlockPoolNodes, BatchResetPoolNodes. Each returns the JSON body of a 200 answer or raises ``ApiError``.

Bodies as the SDK's model classes write them: ``nodeNames`` for every action, ``actions`` for lock and
unlock, ``rollingConfig {strategy, maxUnavailable}`` and ``nodeConfig {os, name, imageId, imageType,
runtime}`` for a reset. Answers: reboot echoes ``nodeNames``; drain is an empty object; lock and unlock list
``nodes [{name, status: success}]``; reset carries ``job_id`` (snake case, as the SDK reads it).

Choices where the docs are silent (**sandbox**):

* every action needs a Running or Abnormal pool (409 while it is being deleted) and known node names (400
  naming the unknown ones), and at most 500 names;
* a reboot takes ``Timings.reboot_seconds``: the node is ``Rebooting``, then Available (an Abnormal node too);
  a ``reboot-node`` job (ListJobs) follows it; nodes must be Available or Abnormal;
* a drain takes at most 10 nodes (documented; 400 otherwise), each Available and not locked (documented:
  "running and not locked"); their workloads leave at once and the node takes no more: it carries the
  taint ``node.kubernetes.io/unschedulable`` (NoSchedule) in ``spec.taints`` from then on;
* lock and unlock take ``actions`` ``["delete"]`` (the only action the sandbox knows); the node carries the
  annotation ``os.modelarts.node/lock.action`` while locked, and BatchDeletePoolNodes refuses it;
* a reset works in batches of ``maxUnavailable`` nodes (a number, or a percentage of the nodes named,
  rounded up, at least one), each batch ``Timings.reset_seconds``, the node ``Resetting`` meanwhile; a
  ``rollingConfig`` is refused on pools with VM flavors (third-party notes: reset strategies are refused on
  VM pools); ``nodeConfig.runtime`` must be docker or containerd.
"""

from __future__ import annotations

import math
from typing import Any

from pools.sandbox import errors, jobs, workloads
from pools.sandbox.model import (
    ABNORMAL,
    DELETING,
    NODE_ABNORMAL,
    NODE_AVAILABLE,
    NODE_REBOOTING,
    NODE_RESETTING,
    RUNNING,
    NodeRecord,
    PoolRecord,
)
from pools.sandbox.nodes import render_node
from pools.sandbox.store import Store
from pools.sandbox.validation import parse_json_object

MAX_NODES = 500
MAX_DRAIN = 10
LOCKABLE_ACTIONS = ("delete",)
STRATEGIES = ("RollingByNumber", "RollingByPercent")
RUNTIMES = ("docker", "containerd")
MSG_DRAIN_LIMIT = "nodeNames: at most 10 nodes can be drained at once"


def node_not_found(name: str) -> errors.ApiError:
    return errors.ApiError(404, errors.NODE_NOT_FOUND, f"node {name} not found in the pool")


def show_node(store: Store, project_id: str, pool_name: str, node_name: str) -> dict:
    with store.lock:
        pool = store.find(project_id, pool_name)
        for node, phase in pool.live_nodes(store.now()):
            if node.name == node_name:
                return render_node(node, phase, pool)
    raise node_not_found(node_name)


def _names(body: dict[str, Any]) -> list[str]:
    names = body.get("nodeNames")
    if not isinstance(names, list) or not names or not all(isinstance(n, str) and n for n in names):
        raise errors.bad_request("nodeNames: must be a non-empty list of node names")
    if len(names) > MAX_NODES:
        raise errors.bad_request(f"nodeNames: at most {MAX_NODES} nodes at once")
    return list(dict.fromkeys(names))


def _targets(store: Store, project_id: str, pool_name: str, names: list[str], allowed: tuple[str, ...]):
    """The pool, now, and the named nodes (each in one of the ``allowed`` phases); ``ApiError`` otherwise."""
    pool = store.find(project_id, pool_name)
    now = store.now()
    phase = pool.phase(now)
    if phase == DELETING:
        raise errors.pool_being_deleted()
    if phase not in (RUNNING, ABNORMAL):
        raise errors.bad_request(f"the pool is {phase}; nodes can be changed only in a Running pool")
    live = {node.name: (node, node_phase) for node, node_phase in pool.live_nodes(now)}
    unknown = [name for name in names if name not in live]
    if unknown:
        raise errors.bad_request(f"nodeNames: no such nodes in the pool: {', '.join(unknown)}")
    wrong = [f"{name} ({live[name][1]})" for name in names if live[name][1] not in allowed]
    if wrong:
        raise errors.bad_request(f"nodeNames: nodes not in a state that allows this: {', '.join(wrong)}")
    return pool, now, [live[name][0] for name in names]


def _take_out(nodes: list[NodeRecord], *, start: float, until: float, phase: str) -> None:
    for node in nodes:
        node.out_from, node.out_until, node.out_phase = start, until, phase


def reboot_nodes(store: Store, project_id: str, pool_name: str, body: bytes) -> dict:
    names = _names(parse_json_object(body))
    with store.lock:
        pool, now, nodes = _targets(store, project_id, pool_name, names, (NODE_AVAILABLE, NODE_ABNORMAL))
        until = now + store.timings.reboot_seconds
        _take_out(nodes, start=now, until=until, phase=NODE_REBOOTING)
        jobs.start_job(pool, jobs.REBOOT_NODE, names, started=now, ends=until, inputs={"nodeNames": names})
        store.changed()
    return {"nodeNames": names}


def drain_nodes(store: Store, project_id: str, pool_name: str, body: bytes) -> dict:
    names = _names(parse_json_object(body))
    if len(names) > MAX_DRAIN:
        raise errors.bad_request(MSG_DRAIN_LIMIT)
    with store.lock:
        pool, now, nodes = _targets(store, project_id, pool_name, names, (NODE_AVAILABLE,))
        locked = [node.name for node in nodes if node.locked]
        if locked:
            raise errors.bad_request(f"nodeNames: locked nodes cannot be drained: {', '.join(locked)}")
        workloads.displace(pool, nodes, now)
        for node in nodes:
            node.drained_at = node.drained_at if node.drained_at is not None else now
        store.changed()
    return {}


def _actions(body: dict[str, Any]) -> list[str]:
    actions = body.get("actions")
    if (
        not isinstance(actions, list)
        or not actions
        or any(action not in LOCKABLE_ACTIONS for action in actions)
    ):
        raise errors.bad_request(f"actions: must be a non-empty list of {', '.join(LOCKABLE_ACTIONS)}")
    return list(dict.fromkeys(actions))


def _lock_answer(nodes: list[NodeRecord]) -> dict:
    return {"nodes": [{"name": node.name, "status": "success"} for node in nodes]}


LOCKABLE_PHASES = (NODE_AVAILABLE, NODE_ABNORMAL, NODE_REBOOTING, NODE_RESETTING, "Creating")


def lock_nodes(store: Store, project_id: str, pool_name: str, body: bytes) -> dict:
    data = parse_json_object(body)
    names, actions = _names(data), _actions(data)
    with store.lock:
        _, _, nodes = _targets(store, project_id, pool_name, names, LOCKABLE_PHASES)
        for node in nodes:
            node.locked = sorted(set(node.locked) | set(actions))
        store.changed()
    return _lock_answer(nodes)


def unlock_nodes(store: Store, project_id: str, pool_name: str, body: bytes) -> dict:
    data = parse_json_object(body)
    names, actions = _names(data), _actions(data)
    with store.lock:
        _, _, nodes = _targets(store, project_id, pool_name, names, LOCKABLE_PHASES)
        for node in nodes:
            node.locked = [action for action in node.locked if action not in actions]
        store.changed()
    return _lock_answer(nodes)


def _rolling_batch(config: Any, count: int, pool: PoolRecord, nodes: list[NodeRecord]) -> int:
    """How many nodes reset at once; ``ApiError`` for a bad or refused ``rollingConfig``."""
    if config is None:
        return count
    if not isinstance(config, dict) or config.get("strategy") not in STRATEGIES:
        raise errors.bad_request(f"rollingConfig.strategy: must be one of {', '.join(STRATEGIES)}")
    if any(".vm." in node.flavor for node in nodes):
        raise errors.bad_request("rollingConfig: rolling reset strategies are not supported for VM nodes")
    number = config.get("maxUnavailable")
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        raise errors.bad_request("rollingConfig.maxUnavailable: must be a whole number of at least 1")
    if config["strategy"] == "RollingByPercent":
        if number > 100:
            raise errors.bad_request("rollingConfig.maxUnavailable: a percentage from 1 to 100")
        return max(1, math.ceil(count * number / 100))
    return min(number, count)


def _node_config(config: Any) -> dict[str, str]:
    if config is None:
        return {}
    if not isinstance(config, dict) or not all(isinstance(value, str) for value in config.values()):
        raise errors.bad_request("nodeConfig: must be an object of strings")
    if "runtime" in config and config["runtime"] not in RUNTIMES:
        raise errors.bad_request(f"nodeConfig.runtime: must be one of {', '.join(RUNTIMES)}")
    return config


def reset_nodes(store: Store, project_id: str, pool_name: str, body: bytes) -> dict:
    data = parse_json_object(body)
    names = _names(data)
    config = _node_config(data.get("nodeConfig"))
    with store.lock:
        pool, now, nodes = _targets(store, project_id, pool_name, names, (NODE_AVAILABLE, NODE_ABNORMAL))
        batch = _rolling_batch(data.get("rollingConfig"), len(nodes), pool, nodes)
        step = store.timings.reset_seconds
        for index, node in enumerate(nodes):
            start = now + (index // batch) * step
            _take_out([node], start=start, until=start + step, phase=NODE_RESETTING)
            node.os_name = config.get("os") or config.get("name") or node.os_name
            node.runtime = config.get("runtime") or node.runtime
        ends = now + math.ceil(len(nodes) / batch) * step
        inputs = {key: data[key] for key in ("nodeNames", "rollingConfig", "nodeConfig") if key in data}
        job_id = jobs.start_job(pool, jobs.RESET_NODES, names, started=now, ends=ends, inputs=inputs)
        store.changed()
    return {"job_id": job_id}
