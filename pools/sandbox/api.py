"""One API request in, one answer out: route, authenticate, authorise the project, apply faults, run the
operation. Nothing here touches sockets; ``handler.py`` does."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pools.modelarts import signer
from pools.sandbox import (
    auth,
    errors,
    events,
    faults,
    jobs,
    maintenance,
    monitoring,
    node_actions,
    operations,
    orders,
    resource_flavors,
    routing,
    scaling,
    tags,
    usage,
    workloads,
)
from pools.sandbox.auth import ReceivedRequest
from pools.sandbox.errors import ApiError

if TYPE_CHECKING:
    from pools.sandbox.server import Sandbox

logger = logging.getLogger(__name__)

MALFORMED_BODY = b'{"apiVersion": "v2", "kind": "Pool", "metadata": {"name": "pool-'


@dataclass
class Answer:
    status: int
    payload: Any = None  # JSON-able body
    raw: bytes | None = None  # a body sent as is (the malformed-body fault)
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False  # close the connection without answering
    operation: str = ""
    not_before: float | None = None  # time.monotonic() before which the answer must not leave


def error_answer(error: ApiError, request_id: str, operation: str = "") -> Answer:
    return Answer(error.status, error.body(request_id), headers=dict(error.headers), operation=operation)


def query_values(query: str) -> dict[str, str]:
    """The first value of each query parameter."""
    values: dict[str, str] = {}
    for name, value in signer.query_pairs(query):
        values.setdefault(name, value)
    return values


def run_operation(
    sandbox: Sandbox, route: routing.Route, query: dict[str, str], body: bytes, *, content_type: str = ""
) -> Any:
    """The operation's 200 body (a dict, or bytes already encoded); raises ``ApiError`` otherwise."""
    store, project, pool = sandbox.store, route.project_id, route.pool_name
    match route.operation:
        case routing.CREATE_POOL:
            return operations.create_pool(
                store, project, body, should_fail=sandbox.faults.take_create_failure
            )
        case routing.SHOW_POOL:
            return operations.show_pool(store, project, pool)
        case routing.LIST_POOLS:
            return operations.list_pools(store, project, query)
        case routing.DELETE_POOL:
            return operations.delete_pool(store, project, pool)
        case routing.LIST_POOL_NODES:
            return operations.list_nodes(store, project, pool, query)
        case routing.BATCH_DELETE_POOL_NODES:
            return operations.delete_nodes(store, project, pool, body)
        case routing.SHOW_POOL_STATISTICS:
            return operations.pool_statistics(store, project, query)
        case routing.SHOW_POOL_RUNTIME_METRICS:
            return usage.runtime_metrics(store, project)
        case routing.SHOW_POOL_MONITOR:
            return monitoring.pool_monitor(store, project, pool, query)
        case routing.LIST_EVENTS:
            return events.list_events(store, project, query)
        case routing.LIST_SCHEDULED_EVENTS:
            return maintenance.list_scheduled_events(store, project, query)
        case routing.ACCEPT_SCHEDULED_EVENT:
            return maintenance.accept_scheduled_event(store, project, route.event_id or "", query, body)
    return run_change_operation(sandbox, route, query, body, content_type=content_type)


def run_change_operation(
    sandbox: Sandbox, route: routing.Route, query: dict[str, str], body: bytes, *, content_type: str
) -> Any:
    """The operations beyond the nine: PatchPool, the pool tags, the orders, the flavors on offer, the node
    actions, workloads and jobs (see ``run_operation``)."""
    store, project, pool = sandbox.store, route.project_id, route.pool_name
    match route.operation:
        case routing.PATCH_POOL:
            return scaling.patch_pool(
                store, project, pool, body, content_type, should_fail=sandbox.faults.take_scale_failure
            )
        case routing.SHOW_POOL_TAGS:
            return tags.show_pool_tags(store, project, pool)
        case routing.BATCH_CREATE_POOL_TAGS:
            return tags.create_pool_tags(store, project, pool, body)
        case routing.BATCH_DELETE_POOL_TAGS:
            return tags.delete_pool_tags(store, project, pool, body)
        case routing.LIST_POOL_TAGS:
            return tags.list_pool_tags(store, project, query)
        case routing.SHOW_ORDER:
            return orders.show_order(store, project, route.order_name)
        case routing.LIST_ORDERS:
            return orders.list_orders(store, project, query)
        case routing.LIST_RESOURCE_FLAVORS:
            return resource_flavors.list_resource_flavors(store, query)
        case routing.SHOW_POOL_NODE:
            return node_actions.show_node(store, project, pool, route.node_name)
        case routing.BATCH_REBOOT_POOL_NODES:
            return node_actions.reboot_nodes(store, project, pool, body)
        case routing.BATCH_DRAIN_POOL_NODES:
            return node_actions.drain_nodes(store, project, pool, body)
        case routing.BATCH_LOCK_POOL_NODES:
            return node_actions.lock_nodes(store, project, pool, body)
        case routing.BATCH_UNLOCK_POOL_NODES:
            return node_actions.unlock_nodes(store, project, pool, body)
        case routing.BATCH_RESET_POOL_NODES:
            return node_actions.reset_nodes(store, project, pool, body)
        case routing.LIST_WORKLOADS:
            return workloads.list_workloads(store, project, pool, query)
        case routing.SHOW_WORKLOAD_STATISTICS:
            return workloads.workload_statistics(store, project, pool)
        case routing.LIST_JOBS:
            return jobs.list_jobs(store, project, query)
    raise LookupError(route.operation)


def _fault_answer(fault: faults.Fault, request_id: str, operation: str) -> Answer:
    if fault.kind == faults.DROP:
        return Answer(0, drop=True, operation=operation)
    if fault.kind == faults.MALFORMED:
        return Answer(200, raw=MALFORMED_BODY, operation=operation)
    if fault.kind == faults.THROTTLE:
        return error_answer(errors.throttled(fault.retry_after), request_id, operation)
    if fault.status == 503:
        return error_answer(errors.backend_unavailable(), request_id, operation)
    return error_answer(errors.internal_error(), request_id, operation)


def answer(
    sandbox: Sandbox, request: ReceivedRequest, request_id: str, *, arrived: float | None = None
) -> Answer:
    """The answer to one API request; ``arrived`` is its ``time.monotonic()`` (default: now)."""
    arrived = time.monotonic() if arrived is None else arrived
    try:
        route = routing.match(request.method, request.path)
    except routing.MethodNotAllowed:
        return error_answer(errors.no_such_api(method_only=True), request_id)
    if route is None:
        return error_answer(errors.no_such_api(), request_id)
    try:
        ak = auth.authenticate(
            request,
            sandbox.accounts,
            wall_now=time.time(),
            max_skew_seconds=sandbox.max_clock_skew_seconds,
        )
        auth.authorize_project(sandbox.accounts, ak, route.project_id, request.headers)
        decision = sandbox.faults.decide(route.operation, request.method)
        result = _decided_answer(sandbox, route, request, request_id, decision)
        if decision.answer_after_ms:
            result.not_before = arrived + decision.answer_after_ms / 1000
        return result
    except ApiError as error:
        return error_answer(error, request_id, route.operation)
    except Exception:
        logger.exception("sandbox: %s failed (request %s)", route.operation, request_id)
        return error_answer(errors.internal_error(), request_id, route.operation)


def _decided_answer(
    sandbox: Sandbox, route, request: ReceivedRequest, request_id: str, decision: faults.Decision
) -> Answer:
    if decision.latency_ms:
        time.sleep(decision.latency_ms / 1000)  # the simulated slowness itself, not a wait for state
    if decision.outcome is not None:
        return _fault_answer(decision.outcome, request_id, route.operation)
    try:
        content_type = signer.find_header(request.headers, "Content-Type") or ""
        payload = run_operation(
            sandbox, route, query_values(request.query), request.body, content_type=content_type
        )
    except ApiError as error:
        return error_answer(error, request_id, route.operation)
    if isinstance(payload, bytes):  # already encoded (the monitoring series)
        return Answer(200, raw=payload, operation=route.operation)
    return Answer(200, payload, operation=route.operation)
