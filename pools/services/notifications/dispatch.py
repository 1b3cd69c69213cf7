"""``announce``: queue a notice's deliveries once the transaction that caused it has committed.

One task per destination: the people concerned who read one language (their e-mail addresses, one message
each), and every enabled route of the notice's connection that subscribes to its event. The notice is written
now, in every language of the site (``in_every_language``), so that each destination gets it in its own: a
route in its ``language``, a person in the one they chose with the header's switcher (``UserPreference``),
else the site's (LANGUAGE_CODE). Queuing happens after the commit, so a notice never tells of a change that
was rolled back; a queue that cannot take it is logged and the caller goes on: a notification never blocks or
fails the write that caused it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from functools import partial

from django.conf import settings
from django.db import transaction

from pools.models import NotificationRoute
from pools.selectors.user_languages import addresses_by_language
from pools.services.notifications.delivery import deliver_notice, describe, to_people, to_route
from pools.services.notifications.notices import Notice, in_every_language, in_language

logger = logging.getLogger(__name__)


def routes_for(connection_id: int, event: str) -> list[NotificationRoute]:
    """The enabled routes of a connection in use that subscribe to ``event``."""
    routes = NotificationRoute.objects.filter(
        connection_id=connection_id, enabled=True, connection__retired_at__isnull=True
    ).order_by("pk")
    return [route for route in routes if event in (route.events or [])]


def announce(write: Callable[[], Notice], *, people: Iterable = ()) -> None:
    """Write the notice in every language now (``write`` writes it in the active one) and queue its
    deliveries after the current transaction commits (at once outside one). ``people`` are users, e-mailed
    (those with an address) each in their language, one delivery per language."""
    notices = in_every_language(write)
    transaction.on_commit(partial(_queue_deliveries, notices, addresses_by_language(people)))


def _queue_deliveries(notices: dict[str, Notice], people: dict[str, list[str]]) -> None:
    notice = in_language(notices, settings.LANGUAGE_CODE)  # its id, event and connection: every language's
    try:
        routes = routes_for(notice.connection_id, notice.event)
    except Exception:
        logger.exception("Notification %s: its routes could not be read", notice.id)
        routes = []
    deliveries = [(language, to_people(addresses)) for language, addresses in people.items()]
    deliveries += [(route.language, to_route(route)) for route in routes]
    for language, destination in deliveries:
        try:
            deliver_notice.enqueue(in_language(notices, language).to_json(), destination)
        except Exception:
            logger.exception("Notification %s to %s could not be queued", notice.id, describe(destination))
