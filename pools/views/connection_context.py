"""The connection a page reads ModelArts through: one this user may see, or a 404. The header's switcher
shows it while the page is open."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from pools.models import Connection
from pools.selectors.connections import show_page_connection, visible_connections


def visible_connection(request: HttpRequest, connection_id: int | None) -> Connection:
    """The connection ``connection_id`` if this user may browse with it (and the switcher then marks it, not
    their saved choice, so header and page agree); 404 otherwise."""
    wanted = str(connection_id)
    connection = next((c for c in visible_connections(request) if str(c.pk) == wanted), None)
    if connection is None:
        raise Http404("No such connection.")
    show_page_connection(request, connection)
    return connection
