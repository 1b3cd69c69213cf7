"""Re-encryption of the connections' stored keys under the newest FIELD_ENCRYPTION_KEYS key."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from pools import audit, crypto
from pools.core.clients import ConnectionKeysUnreadable
from pools.models import Connection


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
        audit.record(
            user=user,
            action="connection.rotate_keys",
            obj=locked,
            details={
                "name": locked.name,
                "reencrypted": ["AK", "SK"],
                "keys_configured": len(crypto.configured_keys()),
            },
        )


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
