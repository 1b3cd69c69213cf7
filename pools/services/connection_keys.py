"""Re-encryption of the connections' stored keys, and of their notification routes' destinations and
secrets, under the newest FIELD_ENCRYPTION_KEYS key."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from pools import audit, crypto
from pools.core.clients import ConnectionKeysUnreadable
from pools.models import Connection, NotificationRoute


@dataclass
class RotationReport:
    rotated: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # one clear message per connection

    @property
    def ok(self) -> bool:
        return not self.failed


def connection_rotate_secrets(*, connection: Connection, user=None) -> None:
    """Re-encrypt the connection's AK and SK under the newest key; raises ConnectionKeysUnreadable."""
    with transaction.atomic():
        locked = Connection.objects.select_for_update().get(pk=connection.pk)
        try:
            locked.access_key_token = crypto.rotate(locked.access_key_token)
            locked.secret_key_token = crypto.rotate(locked.secret_key_token)
        except crypto.DecryptionError:
            raise ConnectionKeysUnreadable(locked) from None
        locked.save(update_fields=["access_key_token", "secret_key_token", "updated_at"])
        routes = _rotate_routes(locked)
        audit.record(
            user=user,
            action="connection.rotate_keys",
            obj=locked,
            details={
                "name": locked.name,
                "reencrypted": ["AK", "SK"],
                "notification_routes": routes,
                "keys_configured": len(crypto.configured_keys()),
            },
        )


def _rotate_routes(connection: Connection) -> int:
    """The connection's routes' destinations and secrets under the newest key; how many routes."""
    routes = NotificationRoute.objects.select_for_update().filter(connection=connection)
    for route in routes:
        try:
            route.target_token = crypto.rotate(route.target_token)
            route.secret_token = crypto.rotate(route.secret_token) if route.secret_token else ""
        except crypto.DecryptionError:
            raise ConnectionKeysUnreadable(connection) from None
        route.save(update_fields=["target_token", "secret_token"])
    return len(routes)


def connections_rotate_secrets(*, user=None) -> RotationReport:
    """Rotate every connection; one that cannot be opened is reported and the others still rotate."""
    report = RotationReport()
    for connection in Connection.objects.in_use().order_by("pk"):  # a deleted one has no keys left
        try:
            connection_rotate_secrets(connection=connection, user=user)
        except ConnectionKeysUnreadable as error:
            report.failed.append(error.message)
        else:
            report.rotated.append(connection.name)
    return report
