"""Reads of connections: which ones a user may pick, and the one they are working with now."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest

from pools.models import Connection, UserPreference
from pools.permissions import MANAGE_CONNECTIONS, VIEW_DASHBOARD

_CACHE_ATTRIBUTE = "_pools_current_connection"
_LIST_ATTRIBUTE = "_pools_visible_connections"
_PAGE_ATTRIBUTE = "_pools_page_connection"


def connection_list_for(user) -> QuerySet[Connection]:
    """The connections ``user`` may browse with, by name; none for users without dashboard access."""
    if not getattr(user, "is_authenticated", False) or not (
        user.has_perm(VIEW_DASHBOARD) or user.has_perm(MANAGE_CONNECTIONS)
    ):
        return Connection.objects.none()
    return Connection.objects.in_use().order_by("name")


def connection_list() -> QuerySet[Connection]:
    """Every connection in use, by name, for the management pages."""
    return Connection.objects.in_use().order_by("name")


def visible_connections(request: HttpRequest) -> list[Connection]:
    """``connection_list_for(request.user)``, read once per request (the switcher and the page both ask)."""
    if not hasattr(request, _LIST_ATTRIBUTE):
        setattr(request, _LIST_ATTRIBUTE, list(connection_list_for(request.user)))
    return getattr(request, _LIST_ATTRIBUTE)


def current_connection(request: HttpRequest) -> Connection | None:
    """The connection chosen in the switcher, else the first one the user may use, else None.

    Computed once per request; a chosen connection that was deleted falls back to the first.
    """
    if hasattr(request, _CACHE_ATTRIBUTE):
        return getattr(request, _CACHE_ATTRIBUTE)
    user = request.user
    allowed = visible_connections(request)
    chosen = None
    if allowed and getattr(user, "is_authenticated", False):
        preference = UserPreference.objects.filter(user=user).values_list("connection_id", flat=True).first()
        chosen = next((connection for connection in allowed if connection.pk == preference), None)
    if chosen is None and allowed:
        chosen = allowed[0]
    setattr(request, _CACHE_ATTRIBUTE, chosen)
    return chosen


def show_page_connection(request: HttpRequest, connection: Connection) -> None:
    """This request's page is about ``connection``: the switcher marks it, and the saved choice stays."""
    setattr(request, _PAGE_ATTRIBUTE, connection)


def switcher_connection(request: HttpRequest) -> Connection | None:
    """The connection the header's switcher marks: the page's own, else ``current_connection``."""
    return getattr(request, _PAGE_ATTRIBUTE, None) or current_connection(request)


def forget_current_connection(request: HttpRequest) -> None:
    """Drop the per-request answers after the user switched (or changed the connections)."""
    for attribute in (_CACHE_ATTRIBUTE, _LIST_ATTRIBUTE, _PAGE_ATTRIBUTE):
        if hasattr(request, attribute):
            delattr(request, attribute)
