"""Writes on notification routes: create, update, delete, and the Test button.

Keyword-only, atomic, audited with the non-secret fields only (name, channel, the destination's hint,
events, enabled). The destination (addresses, chat URL, webhook URL) and the webhook's secret come in as
arguments and leave only as Fernet tokens; a blank one on update keeps what is stored. Every rule is
checked here, so no entry point can store a bad route: a broken rule is a ``ValidationError`` on its field.
A route has a language (one of settings.LANGUAGES): its messages, the Test button's included, are written in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone, translation
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from pools import audit
from pools.core.wording import listed
from pools.models import Connection, NotificationRoute
from pools.models.notifications import EVENTS
from pools.selectors.user_languages import offered
from pools.services.notifications.delivery import addresses_in, send_to_route
from pools.services.notifications.notices import TEST_EVENT, Notice
from pools.services.notifications.senders import CHAT_SCHEMES, SendFailed, chat_plugin
from pools.validators import invisible_characters_problem

Channel = NotificationRoute.Channel

NAME_REQUIRED = _("Give the route a name.")
DUPLICATE_NAME = _("This connection already has a route of this name.")
EVENTS_REQUIRED = _("Choose at least one event.")
CHANNEL_REQUIRED = _("Choose a channel.")
LANGUAGE_REQUIRED = _("Choose one of the languages offered.")
TARGET_REQUIRED = _("Enter the destination; it is stored encrypted and never shown again.")
BAD_ADDRESSES = _("Enter e-mail addresses separated by commas.")
REPEATED_ADDRESSES = _("“{addresses}” is listed more than once; list each address once.")
# Each address is a message of its own: a route is for a team's few people, a longer list for a mailing list.
MAX_ADDRESSES = 20
TOO_MANY_ADDRESSES = _("List at most {limit} addresses; for more people, send to a mailing list.")
BAD_CHAT_URL = format_lazy(
    _("Enter an apprise URL of one of: {schemes}."),
    schemes=", ".join(f"{scheme}://" for scheme in CHAT_SCHEMES),
)
BAD_WEBHOOK_URL = _("Enter an http:// or https:// URL.")
SECRET_REQUIRED = _("Enter a signing secret of at least 16 characters; receivers verify with it.")  # noqa: S105 (a message)
SECRET_MIN_LENGTH = 16
TEST_SENT = _("Test notification sent to “{name}”.")
TEST_FAILED = _("Test notification to “{name}” failed: {reason}.")
ROUTE_DELETED = _("Route “{name}” deleted.")


def target_hint(channel: str, target: str) -> str:
    """What pages may show: addresses in full, a chat URL's service, a webhook's scheme and host."""
    if channel == Channel.EMAIL:
        return ", ".join(addresses_in(target))[:200]
    if channel == Channel.CHAT:
        return f"{urlsplit(target).scheme}://…"
    parts = urlsplit(target)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}/…"[:200]


@sensitive_variables("target", "secret")
def _check_destination(channel: str, target: str, secret: str, *, has_secret: bool) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if channel == Channel.EMAIL:
        problems = _address_problems(addresses_in(target))
        if problems:
            errors["target"] = problems
    elif channel == Channel.CHAT:
        if chat_plugin(target) is None:
            errors["target"] = [BAD_CHAT_URL]
    else:
        parts = urlsplit(target)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            errors["target"] = [BAD_WEBHOOK_URL]
        if len(secret) < SECRET_MIN_LENGTH and not (has_secret and not secret):
            errors["secret"] = [SECRET_REQUIRED]
    return errors


def _address_problems(addresses: list[str]) -> list[str]:
    try:
        for address in addresses:
            validate_email(address)
    except ValidationError:
        return [BAD_ADDRESSES]
    if not addresses:
        return [BAD_ADDRESSES]
    problems = []
    seen: set[str] = set()
    repeats: dict[str, str] = {}  # each repeated address once, as its first repeat spells it
    for address in addresses:
        if address.casefold() in seen:
            repeats.setdefault(address.casefold(), address)
        seen.add(address.casefold())
    if repeats:
        problems.append(REPEATED_ADDRESSES.format(addresses=listed(repeats.values())))
    if len(seen) > MAX_ADDRESSES:
        problems.append(TOO_MANY_ADDRESSES.format(limit=MAX_ADDRESSES))
    return problems


def _validate(route: NotificationRoute, *, target: str, secret: str, target_required: bool) -> None:
    errors: dict[str, list[str]] = {}
    if not route.name:
        errors["name"] = [NAME_REQUIRED]
    elif invisible := invisible_characters_problem(route.name):
        errors["name"] = [invisible]
    elif (
        NotificationRoute.objects.filter(connection=route.connection, name__iexact=route.name)
        .exclude(pk=route.pk)
        .exists()
    ):
        errors["name"] = [DUPLICATE_NAME]
    if not route.events or set(route.events) - set(EVENTS):
        errors["events"] = [EVENTS_REQUIRED]
    if not offered(route.language):
        errors["language"] = [LANGUAGE_REQUIRED]
    if route.channel not in Channel.values:
        errors["channel"] = [CHANNEL_REQUIRED]
    elif not target and target_required:
        errors["target"] = [TARGET_REQUIRED]
    elif target or route.channel == Channel.WEBHOOK:
        checked = target or (route.target if route.pk else "")
        errors.update(_check_destination(route.channel, checked, secret, has_secret=bool(route.secret_token)))
    if errors:
        raise ValidationError(errors)


def _details(route: NotificationRoute) -> dict:
    return {
        "connection": route.connection.name,
        "name": route.name,
        "channel": route.channel,
        "destination": route.target_hint,
        "events": list(route.events),
        "language": route.language,
        "enabled": route.enabled,
    }


@sensitive_variables("target", "secret")
def notification_route_create(
    *,
    user,
    connection: Connection,
    name: str,
    channel: str,
    target: str,
    secret: str = "",
    events: list[str],
    language: str = "",
    enabled: bool = True,
) -> NotificationRoute:
    """Make a route; its messages are in ``language`` (blank: the site's, LANGUAGE_CODE)."""
    route = NotificationRoute(
        connection=connection,
        name=(name or "").strip(),
        channel=channel,
        events=[event for event in EVENTS if event in set(events)],
        language=language or settings.LANGUAGE_CODE,
        enabled=enabled,
        created_by=user,
    )
    target, secret = (target or "").strip(), (secret or "").strip()
    _validate(route, target=target, secret=secret, target_required=True)
    route.target, route.target_hint = target, target_hint(channel, target)
    route.secret = secret if channel == Channel.WEBHOOK else ""
    with transaction.atomic():
        route.save()
        audit.record(
            user=user, action="notification_route.create", obj=route, details=_details(route), flag="add"
        )
    return route


@sensitive_variables("target", "secret")
def notification_route_update(
    *,
    user,
    route: NotificationRoute,
    name: str,
    channel: str,
    target: str = "",
    secret: str = "",
    events: list[str],
    language: str = "",
    enabled: bool,
) -> NotificationRoute:
    """Change a route; a blank ``target``, ``secret`` or ``language`` keeps the stored one (a new channel
    needs a target)."""
    target, secret = (target or "").strip(), (secret or "").strip()
    new_channel = channel != route.channel
    route.name, route.channel, route.enabled = (name or "").strip(), channel, enabled
    route.language = language or route.language
    route.events = [event for event in EVENTS if event in set(events)]
    _validate(route, target=target, secret=secret, target_required=new_channel)
    if target:
        route.target, route.target_hint = target, target_hint(channel, target)
    if channel != Channel.WEBHOOK:
        route.secret = ""
    elif secret:
        route.secret = secret
    with transaction.atomic():
        route.save()
        audit.record(user=user, action="notification_route.update", obj=route, details=_details(route))
    return route


def notification_route_delete(*, user, route: NotificationRoute) -> str:
    with transaction.atomic():
        audit.record(
            user=user, action="notification_route.delete", obj=route, details=_details(route), flag="delete"
        )
        route.delete()
    return ROUTE_DELETED.format(name=route.name)


def _test_notice(user, route: NotificationRoute) -> Notice:
    connection = route.connection.name
    return Notice(
        event=TEST_EVENT,
        connection_id=route.connection_id,
        connection_name=connection,
        subject=gettext("Test of route “{name}”").format(name=route.name),
        lines=(
            gettext("{user} sent this test from the routes of connection “{connection}”.").format(
                user=user, connection=connection
            ),
        ),
    )


@dataclass(frozen=True)
class TestOutcome:
    ok: bool
    message: str


def notification_route_test(*, user, route: NotificationRoute) -> TestOutcome:
    """Send a test notice now (bounded by NOTIFICATION_TIMEOUT_SECONDS), written in the route's language,
    and say how it went (in the active language)."""
    with translation.override(route.language):
        notice = _test_notice(user, route)
    try:
        send_to_route(route, notice)
    except SendFailed as error:
        outcome = TestOutcome(False, TEST_FAILED.format(name=route.name, reason=error))
        NotificationRoute.objects.filter(pk=route.pk).update(
            last_failed_at=timezone.now(), last_failure=str(error)[:300]
        )
    else:
        outcome = TestOutcome(True, TEST_SENT.format(name=route.name))
        NotificationRoute.objects.filter(pk=route.pk).update(last_sent_at=timezone.now())
    audit.record(
        user=user,
        action="notification_route.test",
        obj=route,
        details={**_details(route), "ok": outcome.ok, "outcome": outcome.message},
    )
    return outcome
