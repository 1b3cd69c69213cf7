"""The one place where a connection's keys are decrypted: building a signed ModelArts client."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import TYPE_CHECKING

import requests
from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from pools.core.errors import ApplicationError
from pools.crypto import DecryptionError
from pools.modelarts.client import ModelArtsClient, new_session

if TYPE_CHECKING:
    from pools.models import Connection

CONNECTION_DELETED = _("Connection “{name}” was deleted; its keys are gone.")
KEYS_UNREADABLE = _(
    "The stored keys of connection “{name}” cannot be decrypted with the configured "
    "FIELD_ENCRYPTION_KEYS. Add the key they were encrypted with, or enter the AK and SK again."
)


class ConnectionKeysUnreadable(ApplicationError):
    """The connection's AK/SK tokens open with none of the configured keys."""

    def __init__(self, connection: Connection) -> None:
        super().__init__(format_lazy(KEYS_UNREADABLE, name=connection.name))
        self.connection_name = connection.name


CONNECTION_UNUSABLE = _("Connection {name} cannot be used: {problem}.")


def usable_client_for(connection: Connection) -> ModelArtsClient:
    """``client_for_connection``, with a connection the client refuses (e.g. no project id) turned into an
    ApplicationError that says why."""
    try:
        return client_for_connection(connection)
    except ValueError as problem:  # the client's own checks; their texts never hold a key
        raise ApplicationError(
            format_lazy(CONNECTION_UNUSABLE, name=connection.name, problem=str(problem))
        ) from None


# Reads share one HTTP session (a pool of kept-alive connections) per endpoint and process: without it every
# read would open a new connection, a TCP and TLS handshake to ModelArts before the request itself.
SHARED_SESSIONS_MAX = 32
_shared_sessions: OrderedDict[str, requests.Session] = OrderedDict()
_shared_sessions_lock = threading.Lock()


def _shared_session(endpoint: str) -> requests.Session:
    with _shared_sessions_lock:
        session = _shared_sessions.get(endpoint)
        if session is None:
            session = _shared_sessions[endpoint] = new_session(endpoint)
            if len(_shared_sessions) > SHARED_SESSIONS_MAX:
                # Dropped, not closed: a read may still be using it; its connections close when it is freed.
                _shared_sessions.popitem(last=False)
        else:
            _shared_sessions.move_to_end(endpoint)
        return session


@sensitive_variables("access_key", "secret_key")
def client_for_connection(connection: Connection, *, keep_alive: bool = False) -> ModelArtsClient:
    """A client signed with the connection's AK/SK and the timeouts and retries from settings.

    ``keep_alive``: send over this process's shared session to the endpoint, reusing open connections. For
    reads only: a write must not go out on a kept-alive connection the server may be closing just then,
    where a lost answer would leave its outcome unknown; writes get a session of their own.
    """
    if connection.retired_at is not None:
        raise ApplicationError(format_lazy(CONNECTION_DELETED, name=connection.name))
    try:
        access_key = connection.access_key
        secret_key = connection.secret_key
    except DecryptionError:
        # No "from": the cause holds nothing useful and the chain should stay short in reports.
        raise ConnectionKeysUnreadable(connection) from None
    endpoint = connection.effective_endpoint
    return ModelArtsClient(
        endpoint,
        connection.project_id,
        access_key,
        secret_key,
        user_id=connection.user_id or None,
        timeout=settings.MODELARTS_TIMEOUT_SECONDS,
        deadline=settings.MODELARTS_DEADLINE_SECONDS,
        retries=settings.MODELARTS_RETRIES,
        session=_shared_session(endpoint) if keep_alive else None,
    )
