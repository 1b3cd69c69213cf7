"""The signed ModelArts client: one method per resource-pool operation (§3, §10–§12), typed results and errors.

Each operation checks its arguments, names its path and query, hands the call to ``transport.Transport``
(the request on the wire, its signature, retries and deadline) and types the answer (``types.py`` for pools and
nodes, ``metrics.py`` for usage and monitoring, ``events.py`` for events and scheduled maintenance).

A client is safe to share between threads: it holds one ``requests.Session`` (a connection pool) and no
other mutable state.
"""

from __future__ import annotations

import json
import random
import re
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any, NoReturn, TypeVar

import requests

from pools.modelarts.auth import SdkHmacAuth, utc_now
from pools.modelarts.change_operations import PoolChangeOperations
from pools.modelarts.errors import InvalidResponseError, excerpt, header_request_id
from pools.modelarts.events import (
    EVENT_PAGE_LIMIT,
    EVENT_TYPES,
    SCHEDULED_EVENT_LIMIT,
    SCHEDULED_EVENT_STATES,
    EventPage,
    ScheduledEvent,
    ScheduledEventList,
    accept_body,
)
from pools.modelarts.metrics import MonitorResult, PoolStatistics, RuntimeMetrics
from pools.modelarts.node_operations import NodeOperations
from pools.modelarts.timerange import STATISTICS, TimeRange, check_period
from pools.modelarts.transport import Transport, new_session, normalise_endpoint, path_value
from pools.modelarts.transport import json_body as _json_body
from pools.modelarts.types import Ack, Node, NodePage, Pool, PoolList

NODE_PAGE_LIMIT = 500
POOL_LIST_STATUSES = ("created", "failed", "creating")

_VISIBLE_ASCII = re.compile(r"[\x21-\x7e]+")

Result = TypeVar("Result")


class ModelArtsClient(PoolChangeOperations, NodeOperations):
    """Client of the ModelArts resource-pool operations of one project, at one endpoint: the nine here, the
    operations that change a pool in ``change_operations.py`` (PatchPool, tags, orders, flavors), and the node
    actions, workloads and jobs in ``node_operations.py``.

    ``timeout`` bounds each attempt, ``deadline`` the whole call including retries and waits, ``retries``
    the attempts after the first. ``sleep``, ``clock`` (monotonic seconds) and ``now`` (the signing date)
    are injectable for tests.
    """

    def __init__(
        self,
        endpoint: str,
        project_id: str,
        ak: str,
        sk: str,
        *,
        user_id: str | None = None,
        timeout: float = 10.0,
        deadline: float = 20.0,
        retries: int = 2,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = utc_now,
        rng: random.Random | None = None,
    ) -> None:
        if not isinstance(project_id, str) or not project_id:
            raise ValueError("a project id is needed")
        if not isinstance(ak, str) or not ak or not isinstance(sk, str) or not sk:
            raise ValueError("both an access key and a secret key are needed")
        if user_id is not None and user_id != "" and not _VISIBLE_ASCII.fullmatch(str(user_id)):
            raise ValueError("the ModelArts user id must be visible ASCII characters only")
        if not timeout > 0 or not deadline > 0:
            raise ValueError("the timeout and the deadline must be positive")
        if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
            raise ValueError("retries must be a whole number, 0 or more")
        self.endpoint = normalise_endpoint(endpoint)
        self.project_id = project_id
        self.user_id = user_id or None
        self.timeout = float(timeout)
        self.deadline = float(deadline)
        self.retries = retries
        self._auth = SdkHmacAuth(ak, sk, now=now)
        self._owns_session = session is None
        self._session = session if session is not None else new_session(self.endpoint)
        self._transport = Transport(
            endpoint=self.endpoint,
            project_id=project_id,
            user_id=self.user_id,
            auth=self._auth,
            secrets=(ak, sk),
            session=self._session,
            timeout=self.timeout,
            deadline=self.deadline,
            retries=retries,
            sleep=sleep,
            clock=clock,
            rng=rng or random.Random(),  # jitter only, not a secret
        )

    def __repr__(self) -> str:
        return f"ModelArtsClient(endpoint={self.endpoint!r}, project_id={self.project_id!r})"

    def close(self) -> None:
        if self._owns_session:
            self._session.close()

    def __enter__(self) -> ModelArtsClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- operations -----------------------------------------------------------------------------------

    def list_pools(
        self, workspace_id: str | None = "0", label_selector: str | None = None, status: str | None = None
    ) -> PoolList:
        """ListPools: every pool of the project (no paging), optionally filtered."""
        if status and status not in POOL_LIST_STATUSES:
            raise ValueError(f"status must be one of {', '.join(POOL_LIST_STATUSES)}, not {status!r}")
        query = [
            ("workspaceId", workspace_id),
            ("labelSelector", label_selector or None),
            ("status", status or None),
        ]
        response = self._transport.call("ListPools", "GET", "/pools", query)
        return self._parse("ListPools", response, PoolList.parse)

    def show_pool(self, name: str) -> Pool:
        """ShowPool: one pool by its ``metadata.name``."""
        path = f"/pools/{path_value(name, 'pool name')}"
        response = self._transport.call("ShowPool", "GET", path, user_id=True)
        return self._parse("ShowPool", response, Pool.parse)

    def create_pool(self, body: dict[str, Any]) -> Pool:
        """CreatePool. Never replayed: a lost answer raises ``OutcomeUnknownError`` (look the pool up)."""
        if not isinstance(body, dict):
            raise TypeError("the pool to create is given as a dict (the CreatePool request body)")
        response = self._transport.call("CreatePool", "POST", "/pools", body=_json_body(body), user_id=True)
        return self._parse("CreatePool", response, Pool.parse)

    def delete_pool(self, name: str) -> Pool:
        """DeletePool: answers with the pool as the deletion is accepted (its phase may still say Running).
        Never replayed: a lost answer raises ``OutcomeUnknownError`` (look the pool up)."""
        path = f"/pools/{path_value(name, 'pool name')}"
        response = self._transport.call("DeletePool", "DELETE", path, user_id=True)
        return self._parse("DeletePool", response, Pool.parse)

    def list_nodes(self, pool: str, limit: int | None = None, continue_token: str | None = None) -> NodePage:
        """ListPoolNodes: one page of nodes; pass ``page.continue_token`` back for the next."""
        if limit is not None and (
            isinstance(limit, bool) or not isinstance(limit, int) or not 0 <= limit <= NODE_PAGE_LIMIT
        ):
            raise ValueError(f"limit must be a whole number from 0 to {NODE_PAGE_LIMIT}, not {limit!r}")
        query = [("continue", continue_token or None), ("limit", None if limit is None else str(limit))]
        path = f"/pools/{path_value(pool, 'pool name')}/nodes"
        response = self._transport.call("ListPoolNodes", "GET", path, query)
        return self._parse("ListPoolNodes", response, NodePage.parse)

    def iter_nodes(self, pool: str, limit: int = NODE_PAGE_LIMIT) -> Iterator[Node]:
        """Every node of the pool, following ``continue`` tokens page by page."""
        token: str | None = None
        seen: set[str] = set()
        while True:
            page = self.list_nodes(pool, limit=limit, continue_token=token)
            yield from page.items
            if not page.continue_token:
                return
            if page.continue_token in seen:
                raise InvalidResponseError(
                    operation="ListPoolNodes",
                    status=200,
                    error_msg="the node list handed back a continue token it had already given",
                    request_id=page.request_id,
                )
            seen.add(page.continue_token)
            token = page.continue_token

    def delete_nodes(self, pool: str, node_names: Iterable[str]) -> Ack:
        """BatchDeletePoolNodes. Never replayed: a lost answer raises ``OutcomeUnknownError``, an unreadable
        one ``InvalidResponseError``."""
        names = [node_names] if isinstance(node_names, str) else list(node_names)
        if not names or not all(isinstance(name, str) and name for name in names):
            raise ValueError("name at least one node to delete; every node name must be a non-empty string")
        path = f"/pools/{path_value(pool, 'pool name')}/nodes/batch-delete"
        response = self._transport.call(
            "BatchDeletePoolNodes", "POST", path, body=_json_body({"deleteNodeNames": names})
        )
        return _ack(response)

    def show_runtime_metrics(self) -> RuntimeMetrics:
        """ShowPoolRuntimeMetrics: current usage of every pool of the project."""
        response = self._transport.call("ShowPoolRuntimeMetrics", "GET", "/metrics/runtime/pools")
        return self._parse("ShowPoolRuntimeMetrics", response, RuntimeMetrics.parse)

    def show_statistics(self, workspace_id: str | None = "0") -> PoolStatistics:
        """ShowPoolStatistics: pool counts by state."""
        response = self._transport.call(
            "ShowPoolStatistics", "GET", "/statistics/pools", [("workspaceId", workspace_id)]
        )
        return self._parse("ShowPoolStatistics", response, PoolStatistics.parse)

    def show_monitor(
        self, pool: str, time_range: TimeRange | str, statistics: str = "maximum", period: int = 60
    ) -> MonitorResult:
        """ShowPoolMonitor. Raises ``TimeRangeError`` (a ValueError) before sending when the range/period
        pair breaks the 1440-point rule; the message names the smallest valid period."""
        if not isinstance(time_range, TimeRange):
            time_range = TimeRange.parse(time_range)
        check_period(time_range.minutes, period)
        if statistics not in STATISTICS:
            raise ValueError(f"statistics must be one of {', '.join(STATISTICS)}, not {statistics!r}")
        query = [("time_range", str(time_range)), ("statistics", statistics), ("period", str(period))]
        path = f"/pools/{path_value(pool, 'pool name')}/monitor"
        response = self._transport.call("ShowPoolMonitor", "GET", path, query)
        return self._parse("ShowPoolMonitor", response, MonitorResult.parse)

    def list_events(
        self,
        pool: str,
        *,
        type: str | None = None,
        limit: int | None = None,
        continue_token: str | None = None,
        since: int | None = None,
        until: int | None = None,
    ) -> EventPage:
        """ListEvents (``/v1``): one page of a pool's events; ``type`` Normal or Warning, ``since``/``until``
        epoch seconds; pass ``page.continue_token`` back for the next page."""
        if type is not None and type not in EVENT_TYPES:
            raise ValueError(f"type must be Normal or Warning, not {type!r}")
        if limit is not None and (
            isinstance(limit, bool) or not isinstance(limit, int) or not 0 <= limit <= EVENT_PAGE_LIMIT
        ):
            raise ValueError(f"limit must be a whole number from 0 to {EVENT_PAGE_LIMIT}, not {limit!r}")
        if not isinstance(pool, str) or not pool:
            raise ValueError("name the pool whose events to list")
        query = [
            ("resource", "pools"),
            ("name", pool),
            ("type", type),
            ("limit", None if limit is None else str(limit)),
            ("continue", continue_token or None),
            ("since", None if since is None else str(int(since))),
            ("until", None if until is None else str(int(until))),
        ]
        response = self._transport.call("ListEvents", "GET", "/events", query, api_version="v1")
        return self._parse("ListEvents", response, EventPage.parse)

    def list_scheduled_events(
        self,
        *,
        workspace_id: str | None = None,
        states: Iterable[str] = (),
        pool_name: str | None = None,
        node_name: str | None = None,
        event_id: str | None = None,
        offset: int = 0,
        limit: int = SCHEDULED_EVENT_LIMIT,
    ) -> ScheduledEventList:
        """ListScheduledEvents (``/v1``): planned maintenance on the nodes of one workspace's pools (``"0"``
        when not given), newest first."""
        chosen = list(states)
        if any(state not in SCHEDULED_EVENT_STATES for state in chosen):
            raise ValueError(f"states must be among {', '.join(SCHEDULED_EVENT_STATES)}")
        if not 1 <= limit <= SCHEDULED_EVENT_LIMIT or offset < 0:
            raise ValueError(f"limit must be 1 to {SCHEDULED_EVENT_LIMIT} and offset 0 or more")
        query = [
            ("workspaceId", workspace_id),
            ("state", ",".join(chosen) or None),
            ("id", event_id),
            ("nodeName", node_name),
            ("poolName", pool_name),
            ("offset", str(offset) if offset else None),
            ("limit", str(limit)),
        ]
        response = self._transport.call(
            "ListScheduledEvents", "GET", "/scheduled-events", query, api_version="v1"
        )
        return self._parse("ListScheduledEvents", response, ScheduledEventList.parse)

    def accept_scheduled_event(
        self,
        event_id: str,
        *,
        not_before: datetime | None = None,
        redeploy_type: str | None = None,
        auto_flow: bool | None = None,
        workspace_id: str | None = None,
    ) -> ScheduledEvent:
        """AcceptScheduledEvent (``/v1``): authorise the maintenance, from ``not_before`` (None: at once),
        optionally as a SOFT or HARD redeploy (HARD loses the node's disks); ``workspace_id`` is the pool's
        (``"0"`` when not given). Never replayed: a lost answer raises ``OutcomeUnknownError`` (list the
        event to see its state)."""
        body = accept_body(not_before, redeploy_type, auto_flow)
        path = f"/scheduled-events/{path_value(event_id, 'scheduled event id')}/accept"
        response = self._transport.call(
            "AcceptScheduledEvent",
            "POST",
            path,
            [("workspaceId", workspace_id)],
            body=_json_body(body),
            api_version="v1",
        )
        return self._parse("AcceptScheduledEvent", response, ScheduledEvent.parse)

    def _parse(
        self,
        operation: str,
        response: requests.Response,
        parse: Callable[[Any, str], Result],
    ) -> Result:
        """The answer typed by ``parse`` (decoded JSON, request id); ``InvalidResponseError`` otherwise."""
        request_id = header_request_id(response.headers)

        def invalid(message: str) -> InvalidResponseError:
            return InvalidResponseError(
                operation=operation, status=response.status_code, error_msg=message, request_id=request_id
            )

        try:
            body = _json(response.content)
        except (ValueError, RecursionError):
            text = response.content.decode("utf-8", "replace")
            raise invalid(f"the answer is not JSON: {excerpt(text[:4096]) or 'empty body'}") from None
        try:
            return parse(body, request_id)
        except InvalidResponseError as wrong_shape:
            raise invalid(wrong_shape.error_msg) from None
        except (TypeError, ValueError, AttributeError, KeyError, IndexError) as wrong_shape:
            raise invalid(
                f"the answer does not have the expected shape ({type(wrong_shape).__name__})"
            ) from None


def _json(content: bytes) -> Any:
    """``content`` decoded; ``ValueError`` (or ``RecursionError``) when it is not JSON, including NaN and
    Infinity, which the standard library would read."""
    return json.loads(content, parse_constant=_not_json)


def _not_json(constant: str) -> NoReturn:
    raise ValueError(f"{constant} is not JSON")


def _ack(response: requests.Response) -> Ack:
    """BatchDeletePoolNodes' answer: documented with no body, sent by some servers as a JSON object.

    Anything else (an HTML page, truncated JSON) is an answer we cannot read: ``InvalidResponseError``, so
    the caller settles the outcome by looking at the nodes instead of taking a garbled 2xx for success.
    """
    content = response.content
    request_id = header_request_id(response.headers)
    if not content.strip():
        return Ack(raw=None, request_id=request_id)
    try:
        raw = _json(content)
    except (ValueError, RecursionError):
        raw = None
    if not isinstance(raw, dict):
        text = excerpt(content.decode("utf-8", "replace")[:4096])
        raise InvalidResponseError(
            operation="BatchDeletePoolNodes",
            status=response.status_code,
            error_msg=f"the answer is not the expected empty body or JSON object: {text}",
            request_id=request_id,
        )
    return Ack(raw=raw, request_id=request_id)
