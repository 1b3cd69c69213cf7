"""Reads of what happened and what is planned: a pool's events (ListEvents), the scheduled maintenance of a
connection's workspaces (ListScheduledEvents), and the estate-wide inbox built from both.

ListEvents answers one pool at a time, and ListScheduledEvents one workspace at a time, so the inbox reads
each connection's pools (every workspace it knows of) and then every pool's events at once. A connection
whose reads fail keeps its banner; the other connections' events still show.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from pools.core.errors import ApplicationError
from pools.modelarts.events import (
    EventPage,
    PoolEvent,
    ScheduledEvent,
    ScheduledEventList,
)
from pools.modelarts.vocabulary import DEFAULT_WORKSPACE
from pools.selectors.cache import ReadResult
from pools.selectors.concurrent import concurrently
from pools.selectors.modelarts import (
    known_workspaces,
    pools_of_workspaces,
    read_through_cache,
    workspace_pool_reads,
)

if TYPE_CHECKING:
    from pools.modelarts.types import Pool
    from pools.models import Connection

EVENT_PAGE_SIZE = 50
INBOX_EVENTS_PER_POOL = 50
READING_EVENTS = _("Reading the events of pool {pool} of connection “{name}”")
READING_MAINTENANCE = _("Reading the scheduled maintenance of connection “{name}”")
_OLDEST = datetime.min.replace(tzinfo=UTC)


def newest_first(events: Sequence[PoolEvent]) -> list[PoolEvent]:
    return sorted(events, key=lambda event: event.last_at or _OLDEST, reverse=True)


def pool_event_page(
    *,
    connection: Connection,
    pool_name: str,
    event_type: str | None = None,
    continue_token: str | None = None,
    limit: int | None = None,
    refresh: bool = False,
) -> ReadResult[EventPage]:
    """One page of a pool's events (``event_type`` Normal or Warning, or every type), ``EVENT_PAGE_SIZE``
    long unless ``limit`` says otherwise."""
    limit = limit or EVENT_PAGE_SIZE
    return read_through_cache(
        connection,
        "pool_events",
        {"pool": pool_name, "type": event_type or "", "continue": continue_token or "", "limit": limit},
        lambda client: client.list_events(
            pool_name, type=event_type or None, limit=limit, continue_token=continue_token or None
        ),
        format_lazy(READING_EVENTS, pool=pool_name, name=connection.name),
        refresh,
    )


def workspace_maintenance(
    *, connection: Connection, workspace_id: str, refresh: bool = False
) -> ReadResult[ScheduledEventList]:
    """The scheduled maintenance on the pools of one workspace, newest first."""
    return read_through_cache(
        connection,
        "scheduled_events",
        {"workspace": workspace_id},
        lambda client: client.list_scheduled_events(workspace_id=workspace_id),
        format_lazy(READING_MAINTENANCE, name=connection.name),
        refresh,
    )


@dataclass(frozen=True)
class MaintenanceEntry:
    """A scheduled event with where it was read: its connection and workspace (accepting names both)."""

    connection: Connection
    workspace_id: str
    event: ScheduledEvent


def pool_maintenance(
    *, connection: Connection, pool: Pool | None, pool_name: str, refresh: bool = False
) -> ReadResult[tuple[MaintenanceEntry, ...]]:
    """The scheduled maintenance on one pool's nodes (read with its workspace's, which the cache shares)."""
    workspace = pool.workspace_id if pool is not None else (connection.workspace_id or DEFAULT_WORKSPACE)
    read = workspace_maintenance(connection=connection, workspace_id=workspace, refresh=refresh)
    items = (
        tuple(
            MaintenanceEntry(connection, workspace, event)
            for event in read.value.items
            if event.pool_name == pool_name
        )
        if read.value
        else None
    )
    return ReadResult(items, read.fetched_at, read.stale, read.error)


def scheduled_event_get(
    *, connection: Connection, event_id: str, workspace_id: str, refresh: bool = False
) -> ReadResult[ScheduledEvent | None]:
    """One scheduled event by id (None when ModelArts lists no such event in that workspace)."""
    read = workspace_maintenance(connection=connection, workspace_id=workspace_id, refresh=refresh)
    found = next((event for event in read.value.items if event.id == event_id), None) if read.value else None
    return ReadResult(found, read.fetched_at, read.stale, read.error)


@dataclass(frozen=True)
class InboxEvent:
    connection: Connection
    pool: Pool
    event: PoolEvent


@dataclass(frozen=True)
class ConnectionInbox:
    """What one connection adds to the inbox, and the first failure among its reads."""

    connection: Connection
    events: tuple[InboxEvent, ...]
    maintenance: tuple[MaintenanceEntry, ...]
    error: ApplicationError | None


@dataclass(frozen=True)
class Inbox:
    connections: tuple[ConnectionInbox, ...]

    @property
    def events(self) -> list[InboxEvent]:
        """Every connection's events: warnings first, then newest first."""
        found = [entry for inbox in self.connections for entry in inbox.events]
        found.sort(key=lambda entry: entry.event.last_at or _OLDEST, reverse=True)
        return sorted(found, key=lambda entry: not entry.event.is_warning)

    @property
    def maintenance(self) -> list[MaintenanceEntry]:
        """Open maintenance (waiting for acceptance first), newest published first."""
        found = [entry for inbox in self.connections for entry in inbox.maintenance if entry.event.is_open]
        found.sort(key=lambda entry: entry.event.published_at or _OLDEST, reverse=True)
        return sorted(found, key=lambda entry: not entry.event.awaits_acceptance)

    @property
    def failures(self) -> list[ConnectionInbox]:
        return [inbox for inbox in self.connections if inbox.error is not None]


def _connection_inbox(
    connection: Connection, event_type: str | None, pool_search: str, refresh: bool
) -> ConnectionInbox:
    workspaces = known_workspaces(connection=connection, refresh=refresh).value or (DEFAULT_WORKSPACE,)
    listed = pools_of_workspaces(
        workspaces,
        concurrently(*workspace_pool_reads(connection=connection, workspaces=workspaces, refresh=refresh)),
    )
    search = pool_search.lower()
    pools = [
        pool
        for pool in (listed.value.items if listed.value else ())
        if not search or search in pool.display_name.lower() or search in pool.name.lower()
    ]
    reads = concurrently(
        *(
            partial(
                pool_event_page,
                connection=connection,
                pool_name=pool.name,
                event_type=event_type,
                limit=INBOX_EVENTS_PER_POOL,
                refresh=refresh,
            )
            for pool in pools
        )
    )
    events = tuple(
        InboxEvent(connection, pool, event)
        for pool, read in zip(pools, reads, strict=True)
        if read.value is not None
        for event in read.value.items
    )
    maintenance_reads = concurrently(
        *(
            partial(workspace_maintenance, connection=connection, workspace_id=workspace, refresh=refresh)
            for workspace in workspaces
        )
    )
    names = {pool.name for pool in pools}
    maintenance = tuple(
        MaintenanceEntry(connection, workspace, event)
        for workspace, read in zip(workspaces, maintenance_reads, strict=True)
        if read.value is not None
        for event in read.value.items
        if not search or event.pool_name in names
    )
    error = next(
        (read.error for read in [listed, *reads, *maintenance_reads] if read.error is not None), None
    )
    return ConnectionInbox(connection, events, maintenance, error)


def events_inbox(
    *,
    connections: Sequence[Connection],
    event_type: str | None = None,
    pool_search: str = "",
    refresh: bool = False,
) -> Inbox:
    """The events and scheduled maintenance of every pool of ``connections``, each connection read at once."""
    found = concurrently(
        *(
            partial(_connection_inbox, connection, event_type, pool_search, refresh)
            for connection in connections
        )
    )
    return Inbox(tuple(found))
