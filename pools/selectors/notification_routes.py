"""Reads of notification routes: a connection's routes for its Notifications page."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from pools.models import Connection, NotificationRoute


def notification_route_list(*, connection: Connection) -> list[NotificationRoute]:
    return list(NotificationRoute.objects.filter(connection=connection).order_by("name"))


def notification_route_get(*, connection: Connection, pk: int) -> NotificationRoute:
    """The route ``pk`` of ``connection``; 404 for another connection's route or none."""
    return get_object_or_404(
        NotificationRoute.objects.select_related("connection"), connection=connection, pk=pk
    )
