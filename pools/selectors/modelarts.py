"""Reads of the ModelArts API for the browse pages: pools, nodes, usage, statistics, monitoring.

Each selector is keyword-only, takes the ``Connection`` to read through and ``refresh`` (ignore the cached
answer), and returns a ``ReadResult``: it never raises for an upstream failure. Reads are cached and
coalesced by ``cached_read``; the cache key includes the connection's last change, so edited keys or a new
endpoint never show answers from before the edit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from pools.core.clients import client_for_connection
from pools.core.errors import FAILED, ApplicationError
from pools.modelarts.errors import NotFoundError
from pools.modelarts.metrics import MonitorResult, PoolStatistics, RuntimeMetrics
from pools.modelarts.timerange import TimeRange
from pools.modelarts.types import Node, NodePage, Pool, PoolList
from pools.modelarts.vocabulary import DEFAULT_WORKSPACE, LABEL_WORKSPACE, POOL_PHASES
from pools.selectors.cache import ReadResult, cached_read, read_generation
from pools.selectors.monitoring import chart_payload

if TYPE_CHECKING:
    from pools.modelarts.client import ModelArtsClient
    from pools.models import Connection

T = TypeVar("T")

NODE_PAGE_SIZE = 50
# A status filter searches the nodes in pages of the API's largest size, up to NODE_SCAN_MAX_PAGES pages per
# request (5,000 nodes), and stops early once it has a page's worth of matches to show.
NODE_FILTER_PAGE_SIZE = 500
POOL_NOT_FOUND = "ModelArts.50015001"  # the error code of a 404 for an unknown pool (API reference §9.4)
NODE_SCAN_MAX_PAGES = 10

LISTING_POOLS = _("Listing the pools of connection “{name}”")
READING_POOL = _("Reading pool {pool} of connection “{name}”")
LISTING_NODES = _("Listing the nodes of pool {pool} of connection “{name}”")
READING_USAGE = _("Reading the resource usage of connection “{name}”")
READING_STATISTICS = _("Reading the pool statistics of connection “{name}”")
READING_MONITOR = _("Reading the monitoring data of pool {pool} of connection “{name}”")


def read_through_cache(
    connection: Connection,
    operation: str,
    params: dict[str, Any],
    call: Callable[[ModelArtsClient], T],
    what: str | Promise,
    refresh: bool,
) -> ReadResult[T]:
    """``call`` made with a client of ``connection`` through the selector cache (``cached_read``): the one way
    a selector reads ModelArts. ``what`` is lazy (``format_lazy``), so a failure reads in each reader's
    language."""

    def fetch() -> T:
        try:
            with client_for_connection(connection, keep_alive=True) as client:
                return call(client)
        except ValueError as error:
            # The client refuses what it cannot send (a malformed endpoint, an empty pool name): say so.
            raise ApplicationError(format_lazy(FAILED, what=what, why=str(error))) from None

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
    workspace = workspace_id or connection.workspace_id or DEFAULT_WORKSPACE
    return read_through_cache(
        connection,
        "pool_list",
        {"workspace": workspace, "labels": label_selector or "", "status": status or ""},
        lambda client: client.list_pools(
            workspace_id=workspace, label_selector=label_selector or None, status=status or None
        ),
        format_lazy(LISTING_POOLS, name=connection.name),
        refresh,
    )


def workspaces_without_usage(connection: Connection) -> tuple[str, ...]:
    """The workspaces listed for a connection whatever its usage says: "0" and the connection's default."""
    return tuple(dict.fromkeys([DEFAULT_WORKSPACE, connection.workspace_id or DEFAULT_WORKSPACE]))


def workspaces_seen(connection: Connection, usage: ReadResult[RuntimeMetrics]) -> ReadResult[tuple[str, ...]]:
    """The workspaces of a connection's project: ``"0"``, the connection's default, and the workspace of
    every pool that ``usage`` (a ``runtime_metrics`` read) names, in that order.

    ListPools reads one workspace (``"0"`` when none is named, API reference §5.9), so every pool of a
    project takes one ListPools per workspace. ShowPoolRuntimeMetrics covers every pool of the project, and
    its items carry each pool's workspace label where ModelArts sends it; when the read fails, the result
    holds the two workspaces known without it, and the error.
    """
    known = workspaces_without_usage(connection)
    seen = {item.labels.get(LABEL_WORKSPACE, "") for item in usage.value.items} if usage.value else set()
    ordered = list(dict.fromkeys([*known, *sorted(seen - {""})]))
    return ReadResult(tuple(ordered), usage.fetched_at, usage.stale, usage.error)


def known_workspaces(*, connection: Connection, refresh: bool = False) -> ReadResult[tuple[str, ...]]:
    return workspaces_seen(connection, runtime_metrics(connection=connection, refresh=refresh))


def workspace_pool_reads(
    *,
    connection: Connection,
    workspaces: Sequence[str],
    label_selector: str | None = None,
    refresh: bool = False,
) -> list[Callable[[], ReadResult[PoolList]]]:
    """One ``pool_list`` read per workspace, for the caller to run at once (``concurrently``) and hand to
    ``pools_of_workspaces``."""
    return [
        partial(
            pool_list,
            connection=connection,
            workspace_id=workspace,
            label_selector=label_selector,
            refresh=refresh,
        )
        for workspace in workspaces
    ]


@dataclass(frozen=True)
class WorkspacePools:
    """The pools of one or more workspaces, read with one ListPools each."""

    workspaces: tuple[str, ...]
    items: tuple[Pool, ...]
    missing: tuple[str, ...]  # workspaces whose pools could not be read (and had no earlier copy)


def pools_of_workspaces(
    workspaces: Sequence[str], reads: Sequence[ReadResult[PoolList]]
) -> ReadResult[WorkspacePools]:
    """The ``pool_list`` reads of ``workspaces`` as one read: every pool that came back, the oldest time,
    stale when any part is, and the first failure (the others' pools still show)."""
    answered = [read for read in reads if read.value is not None]
    error = next((read.error for read in reads if read.error is not None), None)
    if not answered:
        return ReadResult(None, None, stale=False, error=error)
    value = WorkspacePools(
        workspaces=tuple(workspaces),
        items=tuple(pool for read in answered for pool in read.value.items),
        missing=tuple(
            workspace for workspace, read in zip(workspaces, reads, strict=True) if read.value is None
        ),
    )
    fetched_at = min(read.fetched_at for read in answered if read.fetched_at is not None)
    return ReadResult(value, fetched_at, any(read.stale for read in answered), error)


def pools_by_phase(pools: Sequence[Pool]) -> list[tuple[str, int]]:
    """(phase, how many pools are in it): the documented phases in their order, then any other phase."""
    counts = Counter(pool.phase for pool in pools)
    order = [*POOL_PHASES, *sorted(set(counts) - set(POOL_PHASES))]
    return [(phase, counts[phase]) for phase in order if counts[phase]]


def pool_missing(read: ReadResult[Any]) -> bool:
    """Whether ``read`` failed because ModelArts has no such pool (404 ``ModelArts.50015001``), rather than
    for a reason a banner should explain (a 404 from the gateway means a wrong endpoint, not a lost pool)."""
    upstream = read.error.upstream if read.error is not None else None
    return isinstance(upstream, NotFoundError) and upstream.error_code == POOL_NOT_FOUND


def pool_get(*, connection: Connection, name: str, refresh: bool = False) -> ReadResult[Pool]:
    return read_through_cache(
        connection,
        "pool_get",
        {"pool": name},
        lambda client: client.show_pool(name),
        format_lazy(READING_POOL, pool=name, name=connection.name),
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
    return read_through_cache(
        connection,
        "node_page",
        {"pool": pool_name, "continue": continue_token or "", "limit": limit},
        lambda client: client.list_nodes(pool_name, limit=limit, continue_token=continue_token or None),
        format_lazy(LISTING_NODES, pool=pool_name, name=connection.name),
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
    capped: bool = False  # a filtered search stopped at its page limit, with nodes left to search


def node_scan(
    *,
    connection: Connection,
    pool_name: str,
    phase: str | None = None,
    continue_token: str | None = None,
    limit: int | None = None,
    max_pages: int | None = None,
    refresh: bool = False,
) -> ReadResult[NodeSlice]:
    """The next nodes of a pool, optionally only those in ``phase``.

    Without a filter this is one page of ``NODE_PAGE_SIZE``. With one, the nodes are searched in pages of
    ``NODE_FILTER_PAGE_SIZE`` (each cached like ``node_page``) until the list ends, a page's worth of matches
    is found, or ``NODE_SCAN_MAX_PAGES`` pages were read (``capped``): every node of a pool of up to 5,000
    nodes in one request, never an unbounded amount (``limit`` and ``max_pages`` override both bounds).
    When a page fails, the nodes found so far come back with the error, and ``continue_token`` points at
    the failed page so "Load more" retries it.
    """
    limit = limit or (NODE_FILTER_PAGE_SIZE if phase else NODE_PAGE_SIZE)
    max_pages = max_pages or (NODE_SCAN_MAX_PAGES if phase else 1)
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
        if len(items) >= NODE_PAGE_SIZE or token is None or error is not None:
            break
    if pages == 0:
        return ReadResult(None, None, stale=False, error=error)
    capped = bool(phase) and token is not None and error is None and len(items) < NODE_PAGE_SIZE
    return ReadResult(NodeSlice(tuple(items), token, pages, scanned, remaining, capped), oldest, stale, error)


def runtime_metrics(*, connection: Connection, refresh: bool = False) -> ReadResult[RuntimeMetrics]:
    return read_through_cache(
        connection,
        "runtime_metrics",
        {},
        lambda client: client.show_runtime_metrics(),
        format_lazy(READING_USAGE, name=connection.name),
        refresh,
    )


def pool_statistics(
    *, connection: Connection, workspace_id: str | None = None, refresh: bool = False
) -> ReadResult[PoolStatistics]:
    workspace = workspace_id or connection.workspace_id or DEFAULT_WORKSPACE
    return read_through_cache(
        connection,
        "pool_statistics",
        {"workspace": workspace},
        lambda client: client.show_statistics(workspace_id=workspace),
        format_lazy(READING_STATISTICS, name=connection.name),
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
    return read_through_cache(
        connection,
        "pool_monitor",
        {"pool": pool_name, "range": str(time_range), "statistics": statistics, "period": period},
        lambda client: client.show_monitor(pool_name, time_range, statistics=statistics, period=period),
        format_lazy(READING_MONITOR, pool=pool_name, name=connection.name),
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
    return read_through_cache(
        connection,
        "pool_monitor_chart",
        {"pool": pool_name, "range": str(time_range), "statistics": statistics, "period": period},
        lambda client: chart_payload(
            client.show_monitor(pool_name, time_range, statistics=statistics, period=period), statistics
        ),
        format_lazy(READING_MONITOR, pool=pool_name, name=connection.name),
        refresh,
    )
