"""Conditions read off ModelArts and announced once each: failed pools, abnormal nodes and warning events
(ListEvents' ``Warning`` events of each pool, last seen within NOTIFICATION_EVENT_MAX_AGE_MINUTES). Run by the
scheduled job (``background.scheduled_job``, or ``process_change_requests`` from cron), never by a page: pages only read, and reading announces nothing.

Only connections with an enabled route subscribed to one of READ_EVENTS are read, through the same cached
reads as the pages. What a read shows is compared with what was announced before (``AnnouncedCondition``):
a new condition is recorded and announced (the insert is the claim: two jobs at once announce it once); a
condition a complete read no longer shows is forgotten, so its next occurrence is announced again. A failed
or partial read forgets nothing. A condition's words are written when it is announced, once per language of
the site (``announce``): ``Condition.words`` writes them in the active one.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pools.modelarts.events import WARNING
from pools.modelarts.vocabulary import DEFAULT_WORKSPACE
from pools.models import AnnouncedCondition, Connection, NotificationRoute
from pools.models.notifications import READ_EVENTS
from pools.selectors.concurrent import concurrently
from pools.selectors.events import pool_event_page
from pools.selectors.modelarts import known_workspaces, node_scan, pools_of_workspaces, workspace_pool_reads
from pools.services.notifications.dispatch import announce
from pools.services.notifications.notices import Notice, moment

logger = logging.getLogger(__name__)

NODE_ABNORMAL_PHASE = "Abnormal"
# The newest warnings read of each pool on every run (one ListEvents per pool, cached like the pages' reads).
WARNINGS_PER_POOL = 20


@dataclass(frozen=True)
class Condition:
    """One condition a read shows: its key (unique per connection and event) and what to announce: ``words``
    writes its subject and lines in the active language, ``data`` is the same in every language."""

    key: str
    words: Callable[[], tuple[str, tuple[str, ...]]]
    data: dict = field(default_factory=dict)


@dataclass
class WatchSummary:
    announced: dict[str, int] = field(default_factory=dict)
    unread: list[str] = field(default_factory=list)  # connections whose reads failed

    def __str__(self) -> str:
        counts = ", ".join(f"{event} {count}" for event, count in sorted(self.announced.items())) or "nothing"
        return f"announced {counts}" + (f"; not read: {', '.join(self.unread)}" if self.unread else "")


def watched_connections() -> list[tuple[Connection, set[str]]]:
    """Connections in use with an enabled route subscribed to a read event, and those events."""
    wanted: dict[int, set[str]] = {}
    routes = NotificationRoute.objects.filter(enabled=True, connection__retired_at__isnull=True)
    for connection_id, events in routes.values_list("connection_id", "events"):
        wanted.setdefault(connection_id, set()).update(set(events or ()) & set(READ_EVENTS))
    connections = Connection.objects.in_use().filter(pk__in=[pk for pk, events in wanted.items() if events])
    return [(connection, wanted[connection.pk]) for connection in connections.order_by("pk")]


def conditions_watch() -> WatchSummary:
    """Read each watched connection once and announce what is new. Never raises for one connection."""
    summary = WatchSummary()
    for connection, events in watched_connections():
        try:
            _watch_connection(connection, events, summary)
        except Exception:
            logger.exception("Watching connection #%s for notifications failed", connection.pk)
            summary.unread.append(connection.name)
    return summary


def _watch_connection(connection: Connection, events: set[str], summary: WatchSummary) -> None:
    workspaces = known_workspaces(connection=connection).value or (DEFAULT_WORKSPACE,)
    listed = pools_of_workspaces(
        workspaces, concurrently(*workspace_pool_reads(connection=connection, workspaces=workspaces))
    )
    if listed.value is None:
        summary.unread.append(connection.name)
        return
    pools, complete = listed.value.items, listed.error is None
    if "pool_failed" in events:
        found = [_failed_pool(pool) for pool in pools if pool.is_failed]
        _sync(connection, "pool_failed", found, complete, summary)
    if "node_abnormal" in events:
        found, nodes_complete = _abnormal_nodes(connection, pools)
        _sync(connection, "node_abnormal", found, complete and nodes_complete, summary)
    if "warning_event" in events:
        found, events_complete = _warning_events(connection, pools)
        _sync(connection, "warning_event", found, complete and events_complete, summary)


def _failed_pool(pool) -> Condition:
    return Condition(
        key=pool.name,
        words=partial(_failed_pool_words, pool),
        data={
            "pool": {
                "name": pool.name,
                "display_name": pool.display_name,
                "phase": pool.phase,
                "workspace": pool.workspace_id,
            }
        },
    )


def _failed_pool_words(pool) -> tuple[str, tuple[str, ...]]:
    names = {"display_name": pool.display_name, "name": pool.name, "phase": pool.phase}
    subject = _("Pool failed: {display_name} ({phase})").format(**names)
    lines = (
        _("Pool {display_name} ({name}) is {phase}.").format(**names),
        _("Nodes: {count}, workspace {workspace}.").format(
            count=pool.node_count, workspace=pool.workspace_id
        ),
    )
    return subject, lines


def _abnormal_nodes(connection: Connection, pools) -> tuple[list[Condition], bool]:
    """The abnormal nodes of the pools that count any (ListPoolNodes only for those)."""
    found, complete = [], True
    for pool in pools:
        if not pool.nodes_in("abnormal"):
            continue
        read = node_scan(connection=connection, pool_name=pool.name, phase=NODE_ABNORMAL_PHASE)
        complete = complete and read.error is None and read.value is not None and not read.value.capped
        for node in read.value.items if read.value else ():
            found.append(
                Condition(
                    key=f"{pool.name}/{node.name}",
                    words=partial(_abnormal_node_words, pool, node),
                    data={
                        "pool": {"name": pool.name, "display_name": pool.display_name},
                        "node": {"name": node.name, "phase": node.phase, "message": node.message},
                    },
                )
            )
    return found, complete


def _abnormal_node_words(pool, node) -> tuple[str, tuple[str, ...]]:
    names = {"node": node.name, "display_name": pool.display_name, "name": pool.name}
    subject = _("Node abnormal: {node} in pool {display_name}").format(**names)
    line = _("Node {node} of pool {display_name} ({name}) is {phase}.").format(
        **names, phase=NODE_ABNORMAL_PHASE
    )
    if node.message:
        line += " " + _("ModelArts says: {message}").format(message=node.message)
    return subject, (line,)


def _warning_events(connection: Connection, pools) -> tuple[list[Condition], bool]:
    """Each pool's recent Warning events; an event is the same while its pool, reason, first time and message
    are (ModelArts counts its repeats on it), so a repeat is not announced again."""
    since = timezone.now() - timedelta(minutes=settings.NOTIFICATION_EVENT_MAX_AGE_MINUTES)
    reads = concurrently(
        *(
            partial(
                pool_event_page,
                connection=connection,
                pool_name=pool.name,
                event_type=WARNING,
                limit=WARNINGS_PER_POOL,
            )
            for pool in pools
        )
    )
    found, complete = [], True
    for pool, read in zip(pools, reads, strict=True):
        complete = complete and read.error is None and read.value is not None
        for event in read.value.items if read.value else ():
            if not event.is_warning or event.last_at is None or event.last_at < since:
                continue
            first = event.first_at.isoformat() if event.first_at else ""
            digest = hashlib.sha256(event.message.encode("utf-8")).hexdigest()[:16]
            found.append(
                Condition(
                    key=f"{pool.name}/{event.reason}/{first}/{digest}",
                    words=partial(_warning_words, pool, event),
                    data={
                        "pool": {"name": pool.name, "display_name": pool.display_name},
                        "event": {
                            "type": event.type,
                            "reason": event.reason,
                            "message": event.message,
                            "first_at": first,
                            "last_at": event.last_at.isoformat(),
                            "count": event.count,
                        },
                    },
                )
            )
    return found, complete


def _warning_words(pool, event) -> tuple[str, tuple[str, ...]]:
    subject = _("Warning in pool {display_name}: {reason}").format(
        display_name=pool.display_name, reason=event.reason
    )
    seen = ngettext(
        "Pool {display_name} ({name}), {count} time, last at {moment}.",
        "Pool {display_name} ({name}), {count} times, last at {moment}.",
        event.count,
    ).format(display_name=pool.display_name, name=pool.name, count=event.count, moment=moment(event.last_at))
    return subject, (event.message, seen)


def _sync(
    connection: Connection, event: str, found: Iterable[Condition], complete: bool, summary: WatchSummary
) -> None:
    current = {condition.key: condition for condition in found}
    known = AnnouncedCondition.objects.filter(connection=connection, event=event)
    if complete:
        known.exclude(key__in=list(current)).delete()
    announced = set(known.values_list("key", flat=True))
    for key, condition in current.items():
        if key in announced or not _claim(connection, event, key):
            continue
        announce(partial(_notice, connection, event, condition))
        summary.announced[event] = summary.announced.get(event, 0) + 1


def _notice(connection: Connection, event: str, condition: Condition) -> Notice:
    subject, lines = condition.words()
    return Notice(
        event=event,
        connection_id=connection.pk,
        connection_name=connection.name,
        subject=subject,
        lines=(*lines, _("Connection: {name}").format(name=connection.name)),
        data=condition.data,
    )


def _claim(connection: Connection, event: str, key: str) -> bool:
    try:
        with transaction.atomic():
            AnnouncedCondition.objects.create(connection=connection, event=event, key=key[:400])
    except IntegrityError:
        return False
    return True
