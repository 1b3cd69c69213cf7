"""The one place where a connection's keys are decrypted: building a signed ModelArts client."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.views.decorators.debug import sensitive_variables

from pools.crypto import DecryptionError
from pools.modelarts.client import ModelArtsClient
from pools.services.errors import ApplicationError

if TYPE_CHECKING:
    from pools.models import Connection

KEYS_UNREADABLE = (
    "The stored keys of connection “{name}” cannot be decrypted with the configured "
    "FIELD_ENCRYPTION_KEYS. Add the key they were encrypted with, or enter the AK and SK again."
)


class ConnectionKeysUnreadable(ApplicationError):
    """The connection's AK/SK tokens open with none of the configured keys."""

    def __init__(self, connection: Connection) -> None:
        super().__init__(KEYS_UNREADABLE.format(name=connection.name))
        self.connection_name = connection.name


@sensitive_variables("access_key", "secret_key")
def client_for_connection(connection: Connection) -> ModelArtsClient:
    """A client signed with the connection's AK/SK and the timeouts and retries from settings."""
    try:
        access_key = connection.access_key
        secret_key = connection.secret_key
    except DecryptionError:
        # No "from": the cause holds nothing useful and the chain should stay short in reports.
        raise ConnectionKeysUnreadable(connection) from None
    return ModelArtsClient(
        connection.effective_endpoint,
        connection.project_id,
        access_key,
        secret_key,
        user_id=connection.user_id or None,
        timeout=settings.MODELARTS_TIMEOUT_SECONDS,
        deadline=settings.MODELARTS_DEADLINE_SECONDS,
        retries=settings.MODELARTS_RETRIES,
    )
