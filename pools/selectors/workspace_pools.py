"""The pools of one workspace or of every workspace of a project, as the pool list and the overview cards show
them.

ListPools reads one workspace ("0" when none is named, API reference §5.9). Which workspaces a project has
comes from its usage (ShowPoolRuntimeMetrics, ``workspaces_seen``). The workspaces known without the usage
(the one picked, or "0", the connection's default and those the usage named last time) are read at the same
time as the usage; a workspace that only the usage names is read once the usage has answered. A project whose
pools all live in the known workspaces is listed in one round trip, and no workspace is read twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from django.core.cache import cache

from pools.modelarts.metrics import PoolStatistics, RuntimeMetrics
from pools.modelarts.types import PoolList
from pools.selectors.cache import ReadResult
from pools.selectors.concurrent import concurrently
from pools.selectors.modelarts import (
    WorkspacePools,
    pool_statistics,
    pools_of_workspaces,
    runtime_metrics,
    workspace_pool_reads,
    workspaces_seen,
    workspaces_without_usage,
)

if TYPE_CHECKING:
    from pools.models import Connection


@dataclass(frozen=True)
class WorkspaceCounters:
    """ModelArts' own counters of one workspace (ShowPoolStatistics): created, creating, failed in the last
    three days, pending; not the same words as the pools' phases."""

    workspace: str
    read: ReadResult[PoolStatistics]


@dataclass(frozen=True)
class PoolListing:
    usage: ReadResult[RuntimeMetrics]
    known: ReadResult[tuple[str, ...]]  # the project's workspaces, as far as the usage tells
    workspaces: tuple[str, ...]  # the workspaces listed
    pools: ReadResult[WorkspacePools]
    counters: tuple[WorkspaceCounters, ...]  # one per workspace listed, when asked for


def pool_listing(
    *,
    connection: Connection,
    workspace: str | None = None,
    label_selector: str | None = None,
    with_counters: bool = False,
    refresh: bool = False,
) -> PoolListing:
    """The pools of ``workspace``, or of every workspace the project has (None); ``with_counters`` adds
    ModelArts' statistics of each workspace listed, read alongside its pools. Never raises for an upstream
    failure: each part is a ``ReadResult``."""
    first = (workspace,) if workspace else _known_before_usage(connection)
    usage, first_pools, first_counters = _one_round(
        connection,
        first,
        label_selector,
        with_counters,
        refresh,
        alongside=lambda: runtime_metrics(connection=connection, refresh=refresh),
    )
    known = workspaces_seen(connection, usage)
    if not workspace and known.error is None:
        _remember_workspaces(connection, known.value)
    rest = () if workspace else tuple(name for name in known.value if name not in first)
    _, rest_pools, rest_counters = _one_round(connection, rest, label_selector, with_counters, refresh)
    # A remembered workspace the usage no longer names is not listed (its read was only a guess).
    keep = [workspace is not None or known.error is not None or name in known.value for name in first]
    workspaces = (*_kept(first, keep), *rest)
    return PoolListing(
        usage=usage,
        known=known,
        workspaces=workspaces,
        pools=pools_of_workspaces(workspaces, [*_kept(first_pools, keep), *rest_pools]),
        counters=tuple(
            WorkspaceCounters(name, read)
            for name, read in zip(workspaces, [*_kept(first_counters, keep), *rest_counters], strict=False)
        ),
    )


def _kept(values: Sequence[Any], keep: Sequence[bool]) -> list[Any]:
    return [value for value, wanted in zip(values, keep, strict=False) if wanted]


# The one piece of speed machinery of the pool list and the overview cards (docs/performance.md): the
# workspaces a project's usage named last time are remembered, apart from the cached answers and for longer,
# so that a cold read asks for their pools at once, alongside the usage, instead of after it (a second round
# trip for every project with pools outside the default workspaces). The usage still decides what is listed.
REMEMBERED_WORKSPACES_SECONDS = 24 * 3600


def _remembered_workspaces_key(connection: Connection) -> str:
    return f"pools:workspaces:{connection.pk}:{connection.project_id}"


def _remember_workspaces(connection: Connection, workspaces: Sequence[str]) -> None:
    cache.set(_remembered_workspaces_key(connection), tuple(workspaces), REMEMBERED_WORKSPACES_SECONDS)


def _known_before_usage(connection: Connection) -> tuple[str, ...]:
    """ "0", the connection's default, and the workspaces its usage named last time."""
    remembered = cache.get(_remembered_workspaces_key(connection)) or ()
    return tuple(dict.fromkeys([*workspaces_without_usage(connection), *remembered]))


def _one_round(
    connection: Connection,
    workspaces: Sequence[str],
    label_selector: str | None,
    with_counters: bool,
    refresh: bool,
    *,
    alongside: Callable[[], Any] = lambda: None,
) -> tuple[Any, list[ReadResult[PoolList]], list[ReadResult[PoolStatistics]]]:
    """``alongside``, the ListPools read of each of ``workspaces`` and (``with_counters``) its
    ShowPoolStatistics read, all at once; returns what ``alongside`` returned, the pools and the counters."""
    if not workspaces:
        return alongside(), [], []
    pools = workspace_pool_reads(
        connection=connection, workspaces=workspaces, label_selector=label_selector, refresh=refresh
    )
    counters = [
        partial(pool_statistics, connection=connection, workspace_id=name, refresh=refresh)
        for name in (workspaces if with_counters else ())
    ]
    other, *answers = concurrently(alongside, *pools, *counters)
    return other, answers[: len(pools)], answers[len(pools) :]
