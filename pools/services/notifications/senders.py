"""Sending one notice to one destination: e-mail through Django's mail, chat through apprise (Feishu/Lark,
DingTalk, WeCom, Slack), the JSON webhook through requests, signed (``pools/webhooks/signing.py``).

Each sender raises ``SendFailed`` with a short reason that names no URL, token, address list or secret:
requests' and apprise's own errors quote the URL, so only the kind of failure is kept. The reason is in the
active language, since the route's page and the Test button show it.
"""

from __future__ import annotations

import apprise
import requests
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils.translation import gettext as _

from pools.services.notifications.notices import Notice
from pools.webhooks.signing import signed_delivery

# apprise's schemes the chat channel accepts, and what the form calls them.
CHAT_SCHEMES = {
    "feishu": "Feishu",
    "lark": "Lark",
    "dingtalk": "DingTalk",
    "wecombot": "WeCom",
    "slack": "Slack",
}
USER_AGENT = "ModelArts-Admin-Notifications/1"


class SendFailed(Exception):
    """A destination did not take the notice; the message is safe to log and show."""


def chat_plugin(url: str):
    """apprise's notifier for ``url`` when it is one of CHAT_SCHEMES; None otherwise."""
    try:
        plugin = apprise.Apprise.instantiate(url, suppress_exceptions=True)
    except Exception:
        return None
    if plugin is None or getattr(plugin, "secure_protocol", None) not in CHAT_SCHEMES:
        return None
    return plugin


def distinct_addresses(addresses: list[str]) -> list[str]:
    """Each address once, compared without case (the first spelling kept)."""
    spellings: dict[str, str] = {}
    for address in addresses:
        spellings.setdefault(address.casefold(), address)
    return list(spellings.values())


def send_email(addresses: list[str], notice: Notice) -> None:
    """One message per address, so recipients do not see each other, and never two to one address."""
    messages = [
        EmailMessage(subject=notice.title, body=notice.text, to=[address])
        for address in distinct_addresses(addresses)
    ]
    try:
        get_connection().send_messages(messages)
    except Exception as error:
        raise SendFailed(
            _("the mail server refused or could not be reached ({error})").format(error=type(error).__name__)
        ) from None


def send_chat(url: str, notice: Notice) -> None:
    plugin = chat_plugin(url)
    if plugin is None:
        raise SendFailed(_("the chat URL is not one apprise can send to"))
    timeout = float(settings.NOTIFICATION_TIMEOUT_SECONDS)
    plugin.socket_connect_timeout = plugin.socket_read_timeout = timeout
    try:
        sent = plugin.notify(title=notice.title, body=notice.text, body_format=apprise.NotifyFormat.TEXT)
    except Exception as error:
        raise SendFailed(_("sending failed ({error})").format(error=type(error).__name__)) from None
    if not sent:
        name = CHAT_SCHEMES[plugin.secure_protocol]
        raise SendFailed(
            _("{service} did not accept the message (refused, or could not be reached)").format(service=name)
        )


def send_webhook(url: str, secret: str, notice: Notice) -> None:
    body, headers = signed_delivery(notice.payload(), secret)
    try:
        response = requests.post(
            url,
            data=body,
            headers={**headers, "User-Agent": USER_AGENT},
            timeout=float(settings.NOTIFICATION_TIMEOUT_SECONDS),
            allow_redirects=False,
        )
    except requests.RequestException as error:
        raise SendFailed(
            _("the webhook could not be reached ({error})").format(error=type(error).__name__)
        ) from None
    if not 200 <= response.status_code < 300:
        raise SendFailed(_("the webhook answered HTTP {status}").format(status=response.status_code))
