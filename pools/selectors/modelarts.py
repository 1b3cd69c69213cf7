"""Reads of the ModelArts API for the browse pages: pools, nodes, usage, statistics, monitoring.

Each selector is keyword-only, takes the ``Connection`` to read through and ``refresh`` (ignore the cached
answer), and returns a ``ReadResult``: it never raises for an upstream failure. Reads are cached and
coalesced by ``cached_read``; the cache key includes the connection's last change, so edited keys or a new
endpoint never show answers from before the edit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from pools.modelarts.timerange import TimeRange
from pools.modelarts.types import (
    MonitorResult,
    Node,
    NodePage,
    Pool,
    PoolList,
    PoolStatistics,
    RuntimeMetrics,
)
from pools.selectors.cache import ReadResult, cached_read, read_generation
from pools.selectors.monitoring import chart_payload
from pools.services.clients import client_for_connection
from pools.services.errors import ApplicationError

if TYPE_CHECKING:
    from pools.modelarts.client import ModelArtsClient
    from pools.models import Connection

T = TypeVar("T")

NODE_PAGE_SIZE = 50
# A status filter reads pages until one has matching nodes; this bounds one request's work.
NODE_SCAN_MAX_PAGES = 10

LISTING_POOLS = "Listing the pools of connection “{name}”"
READING_POOL = "Reading pool {pool} of connection “{name}”"
LISTING_NODES = "Listing the nodes of pool {pool} of connection “{name}”"
READING_USAGE = "Reading the resource usage of connection “{name}”"
READING_STATISTICS = "Reading the pool statistics of connection “{name}”"
READING_MONITOR = "Reading the monitoring data of pool {pool} of connection “{name}”"


def _read(
    connection: Connection,
    operation: str,
    params: dict[str, Any],
    call: Callable[[ModelArtsClient], T],
    what: str,
    refresh: bool,
) -> ReadResult[T]:
    def fetch() -> T:
        try:
            with client_for_connection(connection, keep_alive=True) as client:
                return call(client)
        except ValueError as error:
            # The client refuses what it cannot send (a malformed endpoint, an empty pool name): say so.
            raise ApplicationError(f"{what} failed: {error}") from None

    version = connection.updated_at.isoformat() if connection.updated_at else ""
    generation = read_generation(connection.pk)
    return cached_read(
        connection_id=connection.pk,
        operation=operation,
        params={**params, "connection_version": version, "generation": generation},
        fetch=fetch,
        what=what,
        refresh=refresh,
    )


def pool_list(
    *,
    connection: Connection,
    workspace_id: str | None = None,
    label_selector: str | None = None,
    status: str | None = None,
    refresh: bool = False,
) -> ReadResult[PoolList]:
    """ListPools with the API's own filters; ``workspace_id`` None means the connection's default."""
    workspace = workspace_id or connection.workspace_id or "0"
    return _read(
        connection,
        "pool_list",
        {"workspace": workspace, "labels": label_selector or "", "status": status or ""},
        lambda client: client.list_pools(
            workspace_id=workspace, label_selector=label_selector or None, status=status or None
        ),
        LISTING_POOLS.format(name=connection.name),
        refresh,
    )


def pool_get(*, connection: Connection, name: str, refresh: bool = False) -> ReadResult[Pool]:
    return _read(
        connection,
        "pool_get",
        {"pool": name},
        lambda client: client.show_pool(name),
        READING_POOL.format(pool=name, name=connection.name),
        refresh,
    )


def node_page(
    *,
    connection: Connection,
    pool_name: str,
    continue_token: str | None = None,
    limit: int = NODE_PAGE_SIZE,
    refresh: bool = False,
) -> ReadResult[NodePage]:
    """One page of ListPoolNodes, from ``continue_token`` (None: the first page)."""
    return _read(
        connection,
        "node_page",
        {"pool": pool_name, "continue": continue_token or "", "limit": limit},
        lambda client: client.list_nodes(pool_name, limit=limit, continue_token=continue_token or None),
        LISTING_NODES.format(pool=pool_name, name=connection.name),
        refresh,
    )


@dataclass(frozen=True)
class NodeSlice:
    """Nodes read in one request: the matching nodes of one or more pages, and where to go on."""

    items: tuple[Node, ...]
    continue_token: str | None  # None: the list has ended
    pages_read: int
    nodes_scanned: int
    remaining: int | None  # as the last page reported


def node_scan(
    *,
    connection: Connection,
    pool_name: str,
    phase: str | None = None,
    continue_token: str | None = None,
    limit: int = NODE_PAGE_SIZE,
    max_pages: int = NODE_SCAN_MAX_PAGES,
    refresh: bool = False,
) -> ReadResult[NodeSlice]:
    """The next nodes of a pool, optionally only those in ``phase``.

    Without a filter this is one page. With one, pages are read (each cached like ``node_page``) until a
    page yields matching nodes, the list ends, or ``max_pages`` were read: never the whole pool at once.
    When a page fails, the nodes found so far come back with the error, and ``continue_token`` points at
    the failed page so "Load more" retries it.
    """
    items: list[Node] = []
    token, pages, scanned = continue_token or None, 0, 0
    remaining: int | None = None
    oldest, stale, error = None, False, None
    while pages < max_pages:
        page = node_page(
            connection=connection, pool_name=pool_name, continue_token=token, limit=limit, refresh=refresh
        )
        if page.error is not None:
            error, stale = page.error, stale or page.stale
        if page.value is None:
            break
        pages += 1
        scanned += len(page.value.items)
        oldest = page.fetched_at if oldest is None else min(oldest, page.fetched_at)
        items.extend(node for node in page.value.items if not phase or node.phase == phase)
        token, remaining = page.value.continue_token, page.value.remaining
        if items or token is None or error is not None:
            break
    if pages == 0:
        return ReadResult(None, None, stale=False, error=error)
    return ReadResult(NodeSlice(tuple(items), token, pages, scanned, remaining), oldest, stale, error)


def runtime_metrics(*, connection: Connection, refresh: bool = False) -> ReadResult[RuntimeMetrics]:
    return _read(
        connection,
        "runtime_metrics",
        {},
        lambda client: client.show_runtime_metrics(),
        READING_USAGE.format(name=connection.name),
        refresh,
    )


def pool_statistics(
    *, connection: Connection, workspace_id: str | None = None, refresh: bool = False
) -> ReadResult[PoolStatistics]:
    workspace = workspace_id or connection.workspace_id or "0"
    return _read(
        connection,
        "pool_statistics",
        {"workspace": workspace},
        lambda client: client.show_statistics(workspace_id=workspace),
        READING_STATISTICS.format(name=connection.name),
        refresh,
    )


def pool_monitor(
    *,
    connection: Connection,
    pool_name: str,
    time_range: TimeRange,
    statistics: str,
    period: int,
    refresh: bool = False,
) -> ReadResult[MonitorResult]:
    """ShowPoolMonitor. A relative range (``-1.-1.<minutes>``) gives the same key every time, so it caches."""
    return _read(
        connection,
        "pool_monitor",
        {"pool": pool_name, "range": str(time_range), "statistics": statistics, "period": period},
        lambda client: client.show_monitor(pool_name, time_range, statistics=statistics, period=period),
        READING_MONITOR.format(pool=pool_name, name=connection.name),
        refresh,
    )


def pool_monitor_chart(
    *,
    connection: Connection,
    pool_name: str,
    time_range: TimeRange,
    statistics: str,
    period: int,
    refresh: bool = False,
) -> ReadResult[dict[str, Any]]:
    """ShowPoolMonitor as the Monitoring tab draws it: ``chart_payload`` of the answer.

    Cached in that shape, not as a ``MonitorResult``: a day of points of every metric is thousands of
    small objects, and unpickling them on every view of the tab cost more than the rest of the page.
    """
    return _read(
        connection,
        "pool_monitor_chart",
        {"pool": pool_name, "range": str(time_range), "statistics": statistics, "period": period},
        lambda client: chart_payload(
            client.show_monitor(pool_name, time_range, statistics=statistics, period=period), statistics
        ),
        READING_MONITOR.format(pool=pool_name, name=connection.name),
        refresh,
    )
