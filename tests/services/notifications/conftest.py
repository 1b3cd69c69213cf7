"""A local webhook receiver and routes of the sandbox connection to it; what a notice's words hold besides
its data."""

import re

import pytest

from pools.models.notifications import EVENTS
from pools.services.notifications.routes import notification_route_create
from pools.webhooks.receiver import WebhookReceiver

RECEIVER_SECRET = "receiver-secret-for-the-tests-0001"


@pytest.fixture
def receiver():
    server = WebhookReceiver(RECEIVER_SECRET)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def webhook_route(receiver, cloud_connection, administrator):
    """A route of every event of the sandbox connection to ``receiver``."""
    return notification_route_create(
        user=administrator,
        connection=cloud_connection,
        name="ops webhook",
        channel="webhook",
        target=receiver.url,
        secret=RECEIVER_SECRET,
        events=list(EVENTS),
    )


def events_received(receiver) -> list[str]:
    return [delivery.payload["event"] for delivery in receiver.deliveries if delivery.payload]


@pytest.fixture
def pool(cloud):
    return cloud.add_pool("pool-notified", nodes=3)


# What a notice in Chinese may still write in Latin letters besides its data: names, not English words.
NOT_ENGLISH = frozenset({"ModelArts", "UTC", "ID", "HTTP", "webhook", "apprise"})
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def data_values(payload: dict, *more: str) -> list[str]:
    """Every text of a webhook payload that is data, not words: its ``data`` (names, states, ModelArts'
    own messages), the connection's name, the link, and ``more`` (a reason or a comment someone typed)."""

    def leaves(value):
        if isinstance(value, dict):
            return [text for item in value.values() for text in leaves(item)]
        if isinstance(value, list):
            return [text for item in value for text in leaves(item)]
        return [value] if isinstance(value, str) else []

    return [*leaves(payload["data"]), payload["connection"]["name"], payload["url"], *more]


def english_words(text: str, data: list[str]) -> list[str]:
    """The English words ``text`` holds once ``data`` is taken out of it (longest first)."""
    for value in sorted(filter(None, data), key=len, reverse=True):
        text = text.replace(value, " ")
    return [word for word in LATIN_WORD.findall(text) if word not in NOT_ENGLISH]


def words_of(payload: dict) -> str:
    """The human fields of a webhook payload, the ones written in its route's language."""
    return "\n".join([payload["event_name"], payload["subject"], payload["text"]])
