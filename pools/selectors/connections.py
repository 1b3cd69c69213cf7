"""Reads of connections: which ones a user may pick, and the one they are working with now."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest

from pools.models import Connection, UserPreference
from pools.permissions import MANAGE_CONNECTIONS, VIEW_DASHBOARD

_CACHE_ATTRIBUTE = "_pools_current_connection"


def connection_list_for(user) -> QuerySet[Connection]:
    """The connections ``user`` may browse with, by name; none for users without dashboard access."""
    if not getattr(user, "is_authenticated", False) or not (
        user.has_perm(VIEW_DASHBOARD) or user.has_perm(MANAGE_CONNECTIONS)
    ):
        return Connection.objects.none()
    return Connection.objects.order_by("name")


def connection_list() -> QuerySet[Connection]:
    """Every connection, by name, for the management pages."""
    return Connection.objects.order_by("name")


def current_connection(request: HttpRequest) -> Connection | None:
    """The connection chosen in the switcher, else the first one the user may use, else None.

    Computed once per request; a chosen connection that was deleted falls back to the first.
    """
    if hasattr(request, _CACHE_ATTRIBUTE):
        return getattr(request, _CACHE_ATTRIBUTE)
    user = request.user
    allowed = connection_list_for(user)
    chosen = None
    if getattr(user, "is_authenticated", False):
        preference = UserPreference.objects.filter(user=user).only("connection_id").first()
        if preference is not None and preference.connection_id is not None:
            chosen = allowed.filter(pk=preference.connection_id).first()
    if chosen is None:
        chosen = allowed.first()
    setattr(request, _CACHE_ATTRIBUTE, chosen)
    return chosen


def forget_current_connection(request: HttpRequest) -> None:
    """Drop the per-request answer after the user switched."""
    if hasattr(request, _CACHE_ATTRIBUTE):
        delattr(request, _CACHE_ATTRIBUTE)
