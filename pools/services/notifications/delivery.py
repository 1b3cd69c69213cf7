"""The delivery task: one notice to one destination (the people concerned, by e-mail, or one route).

A destination that fails is tried again later, NOTIFICATION_ATTEMPTS times in all, each wait twice the one
before (from NOTIFICATION_RETRY_SECONDS; at once with a backend that cannot delay a task); then the failure
is logged and shown on the route. The task never raises: a failure of it must never reach the decision
that queued it (with the immediate backend the task runs inside that decision), and nothing it could log
on the way out may quote a URL or a secret. A retried webhook delivery keeps its notice's id, so receivers
can tell a retry from a new event. The notice comes written in its destination's language; the reasons of a
failure, shown on the route's page, are written in the site's (LANGUAGE_CODE), wherever the task runs.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from pools.crypto import DecryptionError
from pools.models import NotificationRoute
from pools.services.notifications.notices import Notice
from pools.services.notifications.senders import SendFailed, send_chat, send_email, send_webhook

logger = logging.getLogger(__name__)

QUEUE = "notifications"
SENT, RETRYING, FAILED, GONE = "sent", "retrying", "failed", "gone"
Channel = NotificationRoute.Channel


def to_people(addresses: list[str]) -> dict[str, Any]:
    return {"people": list(addresses)}


def to_route(route: NotificationRoute) -> dict[str, Any]:
    return {"route": route.pk}


@task(queue_name=QUEUE)
def deliver_notice(notice: dict[str, Any], destination: dict[str, Any], attempt: int = 1) -> str:
    """Send ``notice`` to ``destination``; SENT, RETRYING (queued again), FAILED (given up) or GONE (the route
    was deleted or turned off meanwhile)."""
    value = Notice.from_json(notice)
    with translation.override(settings.LANGUAGE_CODE):
        try:
            if not send_to(destination, value):
                return GONE
        except SendFailed as error:
            return _failed(value, destination, attempt, str(error))
        except Exception as error:  # a bug must not escape either, nor its message (it may quote a URL)
            reason = _("unexpected {error}").format(error=type(error).__name__)
            return _failed(value, destination, attempt, reason)
    _record(destination, last_sent_at=timezone.now())
    return SENT


def send_to(destination: dict[str, Any], notice: Notice) -> bool:
    """Send now; False when the route no longer exists or is off. Raises SendFailed."""
    if "people" in destination:
        send_email(destination["people"], notice)
        return True
    route = NotificationRoute.objects.filter(pk=destination.get("route"), enabled=True).first()
    if route is None:
        return False
    send_to_route(route, notice)
    return True


def send_to_route(route: NotificationRoute, notice: Notice) -> None:
    try:
        target, secret = route.target, route.secret
    except DecryptionError:
        raise SendFailed(_("its stored destination cannot be decrypted with the configured keys")) from None
    if route.channel == Channel.EMAIL:
        send_email(addresses_in(target), notice)
    elif route.channel == Channel.CHAT:
        send_chat(target, notice)
    else:
        send_webhook(target, secret, notice)


def addresses_in(text: str) -> list[str]:
    """The addresses in ``text``, separated by commas or semicolons, as written (repeats included)."""
    return [address.strip() for address in text.replace(";", ",").split(",") if address.strip()]


def describe(destination: dict[str, Any]) -> str:
    if "people" in destination:
        return f"{len(destination['people'])} person(s) by e-mail"
    return f"route #{destination.get('route')}"


def _failed(notice: Notice, destination: dict[str, Any], attempt: int, reason: str) -> str:
    _record(destination, last_failed_at=timezone.now(), last_failure=reason[:300])
    attempts = max(1, int(settings.NOTIFICATION_ATTEMPTS))
    if attempt < attempts and _queue_retry(notice, destination, attempt):
        logger.warning(
            "Notification %s (%s) to %s: attempt %d of %d failed (%s); trying again later",
            notice.id,
            notice.event,
            describe(destination),
            attempt,
            attempts,
            reason,
        )
        return RETRYING
    logger.error(
        "Notification %s (%s) to %s failed after %d attempt(s): %s",
        notice.id,
        notice.event,
        describe(destination),
        attempt,
        reason,
    )
    return FAILED


def _queue_retry(notice: Notice, destination: dict[str, Any], attempt: int) -> bool:
    delay = float(settings.NOTIFICATION_RETRY_SECONDS) * 2 ** (attempt - 1)
    try:
        if deliver_notice.get_backend().supports_defer and delay > 0:
            later = deliver_notice.using(run_after=timezone.now() + timedelta(seconds=delay))
            later.enqueue(notice.to_json(), destination, attempt + 1)
        else:
            deliver_notice.enqueue(notice.to_json(), destination, attempt + 1)
    except Exception:
        logger.exception("Notification %s: its retry could not be queued", notice.id)
        return False
    return True


def _record(destination: dict[str, Any], **fields: Any) -> None:
    """What the route's page shows: when it last took a notice, when it last failed and why."""
    if "route" in destination:
        NotificationRoute.objects.filter(pk=destination["route"]).update(**fields)
