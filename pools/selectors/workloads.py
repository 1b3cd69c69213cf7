"""Reads about what runs on a pool and its nodes: one node (ShowPoolNode), the pool's workloads
(ListWorkloads), their counts by state (ShowWorkloadStatistics), the node jobs (ListJobs), and the **blast
radius** of a node action: the workloads that run on the chosen nodes now.

Like the other ModelArts reads, each returns a ``ReadResult`` and never raises for an upstream failure.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from pools.modelarts.types import Node
from pools.modelarts.workloads import JobList, Workload, WorkloadList, WorkloadStatistics
from pools.selectors.cache import ReadResult
from pools.selectors.modelarts import read_through_cache
from pools.selectors.pool_requests import pool_nodes_all

if TYPE_CHECKING:
    from pools.models import ChangeRequest, Connection

READING_NODE = _("Reading node {node} of pool {pool} of connection “{name}”")
LISTING_WORKLOADS = _("Listing the workloads of pool {pool} of connection “{name}”")
COUNTING_WORKLOADS = _("Counting the workloads of pool {pool} of connection “{name}”")
LISTING_JOBS = _("Listing the node jobs of pool {pool} of connection “{name}”")
WORKLOAD_PAGE = 500  # ListWorkloads' largest page: the tab shows the first 500


def node_get(
    *, connection: Connection, pool_name: str, node_name: str, refresh: bool = False
) -> ReadResult[Node]:
    return read_through_cache(
        connection,
        "node_get",
        {"pool": pool_name, "node": node_name},
        lambda client: client.show_node(pool_name, node_name),
        format_lazy(READING_NODE, node=node_name, pool=pool_name, name=connection.name),
        refresh,
    )


def pool_workloads(
    *,
    connection: Connection,
    pool_name: str,
    status: str | None = None,
    workload_type: str | None = None,
    refresh: bool = False,
) -> ReadResult[WorkloadList]:
    """The first ``WORKLOAD_PAGE`` workloads of the pool, optionally of one status or type."""
    return read_through_cache(
        connection,
        "pool_workloads",
        {"pool": pool_name, "status": status or "", "type": workload_type or ""},
        lambda client: client.list_workloads(
            pool_name, status=status or None, type=workload_type or None, limit=WORKLOAD_PAGE
        ),
        format_lazy(LISTING_WORKLOADS, pool=pool_name, name=connection.name),
        refresh,
    )


def workload_statistics(
    *, connection: Connection, pool_name: str, refresh: bool = False
) -> ReadResult[WorkloadStatistics]:
    return read_through_cache(
        connection,
        "workload_statistics",
        {"pool": pool_name},
        lambda client: client.show_workload_statistics(pool_name),
        format_lazy(COUNTING_WORKLOADS, pool=pool_name, name=connection.name),
        refresh,
    )


def node_jobs(*, connection: Connection, pool_name: str, refresh: bool = False) -> ReadResult[JobList]:
    """The pool's node jobs (reboots, resets, replacements) of the last 30 days, newest first."""
    return read_through_cache(
        connection,
        "node_jobs",
        {"pool": pool_name},
        lambda client: client.list_jobs(pool=pool_name),
        format_lazy(LISTING_JOBS, pool=pool_name, name=connection.name),
        refresh,
    )


@dataclass(frozen=True)
class BlastRadius:
    """The workloads that run on a set of nodes: what a reboot, drain, reset or deletion disturbs."""

    workloads: tuple[Workload, ...]
    node_count: int
    nodes_without_address: tuple[str, ...] = ()  # nodes with no IP yet: none of their workloads can be seen

    @property
    def count(self) -> int:
        return len(self.workloads)

    @property
    def users(self) -> list[str]:
        return sorted({workload.user_name for workload in self.workloads if workload.user_name})


def _on_nodes(workloads: WorkloadList, addresses: set[str]) -> tuple[Workload, ...]:
    return tuple(
        workload
        for workload in workloads.items
        if workload.is_active and addresses.intersection(workload.host_ips)
    )


def blast_radius(
    *, connection: Connection, pool_name: str, nodes: Sequence[Node], refresh: bool = False
) -> ReadResult[BlastRadius]:
    """The workloads on ``nodes`` now (ListWorkloads filtered by the nodes' IPs, which the API answers
    without paging); ``refresh`` asks ModelArts rather than the cache (the live check at approval)."""
    addresses = {node.private_ip for node in nodes if node.private_ip}
    without = tuple(node.name for node in nodes if not node.private_ip)
    if not addresses:
        return ReadResult(BlastRadius((), len(nodes), without), None, stale=False, error=None)
    read = read_through_cache(
        connection,
        "node_workloads",
        {"pool": pool_name, "hosts": ",".join(sorted(addresses))},
        lambda client: client.list_workloads(pool_name, host_ips=sorted(addresses)),
        format_lazy(LISTING_WORKLOADS, pool=pool_name, name=connection.name),
        refresh,
    )
    if read.value is None:
        return ReadResult(None, read.fetched_at, read.stale, read.error)
    value = BlastRadius(_on_nodes(read.value, addresses), len(nodes), without)
    return ReadResult(value, read.fetched_at, read.stale, read.error)


def nodes_named(nodes: Iterable[Node], names: Iterable[str]) -> list[Node]:
    """The nodes among ``nodes`` with one of ``names``, in the order of ``names``."""
    by_name = {node.name: node for node in nodes}
    return [by_name[name] for name in names if name in by_name]


@dataclass(frozen=True)
class RequestBlastRadius:
    """The blast radius of a filed node request, read now, and how many workloads ran there when filed."""

    read: ReadResult[BlastRadius]
    filed_count: int | None  # None for a request filed before the count was kept


def change_request_blast_radius(*, change_request: ChangeRequest) -> RequestBlastRadius:
    """The workloads on a request's nodes now: the live check an approver sees (never from the cache)."""
    snapshot = change_request.snapshot if isinstance(change_request.snapshot, dict) else {}
    filed = snapshot.get("workloads")
    pool_name = change_request.target
    listed = pool_nodes_all(connection=change_request.connection, pool_name=pool_name)
    if listed.nodes is None:
        return RequestBlastRadius(ReadResult(None, None, stale=False, error=listed.error), filed)
    nodes = nodes_named(listed.nodes, change_request.node_names)
    read = blast_radius(connection=change_request.connection, pool_name=pool_name, nodes=nodes, refresh=True)
    return RequestBlastRadius(read, filed if isinstance(filed, int) else None)
