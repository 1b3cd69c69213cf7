"""A local webhook receiver and routes of the sandbox connection to it."""

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
