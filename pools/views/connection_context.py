"""The connection a page reads ModelArts through: one this user may see, or a 404."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from pools.models import Connection
from pools.selectors.connections import visible_connections


def visible_connection(request: HttpRequest, connection_id: int | None) -> Connection:
    """The connection ``connection_id`` if this user may browse with it; 404 otherwise."""
    wanted = str(connection_id)
    connection = next((c for c in visible_connections(request) if str(c.pk) == wanted), None)
    if connection is None:
        raise Http404("No such connection.")
    return connection
