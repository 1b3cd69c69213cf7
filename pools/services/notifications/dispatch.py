"""``announce``: queue a notice's deliveries once the transaction that caused it has committed.

One task per destination: the people concerned (their e-mail addresses, one message each), and every
enabled route of the notice's connection that subscribes to its event. Queuing happens after the commit, so
a notice never tells of a change that was rolled back; a queue that cannot take it is logged and the caller
goes on: a notification never blocks or fails the write that caused it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.db import transaction

from pools.models import NotificationRoute
from pools.services.notifications.delivery import deliver_notice, describe, to_people, to_route
from pools.services.notifications.notices import Notice

logger = logging.getLogger(__name__)


def routes_for(connection_id: int, event: str) -> list[NotificationRoute]:
    """The enabled routes of a connection in use that subscribe to ``event``."""
    routes = NotificationRoute.objects.filter(
        connection_id=connection_id, enabled=True, connection__retired_at__isnull=True
    ).order_by("pk")
    return [route for route in routes if event in (route.events or [])]


def announce(notice: Notice, *, people: Iterable[str] = ()) -> None:
    """Queue the deliveries of ``notice`` after the current transaction commits (at once outside one)."""
    transaction.on_commit(partial(_queue_deliveries, notice.to_json(), list(dict.fromkeys(people))))


def _queue_deliveries(notice: dict[str, Any], people: list[str]) -> None:
    try:
        routes = routes_for(notice["connection_id"], notice["event"])
    except Exception:
        logger.exception("Notification %s: its routes could not be read", notice["id"])
        routes = []
    destinations = ([to_people(people)] if people else []) + [to_route(route) for route in routes]
    for destination in destinations:
        try:
            deliver_notice.enqueue(notice, destination)
        except Exception:
            logger.exception("Notification %s to %s could not be queued", notice["id"], describe(destination))
