"""A connection's notification routes (administrators): list, create, edit, delete, and a test send.

Thin views: check the permission, validate with the form, call one service, render or redirect. A route's
destination and secret are write-only: no page ever shows them, only the destination's hint.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from pools.forms.notification_routes import NotificationRouteForm
from pools.models import Connection
from pools.permissions import MANAGE_CONNECTIONS, require
from pools.selectors.notification_routes import notification_route_get, notification_route_list
from pools.services.notifications.routes import (
    notification_route_create,
    notification_route_delete,
    notification_route_test,
    notification_route_update,
)

LIST_PAGE = "pools/notification_route_list.html"
FORM_PAGE = "pools/notification_route_form.html"
DELETE_PAGE = "pools/notification_route_delete.html"
ROUTE_CREATED = _("Route “{name}” created.")
ROUTE_SAVED = _("Route “{name}” saved.")


def _connection(pk: int) -> Connection:
    return get_object_or_404(Connection.objects.in_use(), pk=pk)


def _to_list(connection: Connection) -> HttpResponse:
    return redirect("pools:notification_route_list", pk=connection.pk)


@require_safe
@require(MANAGE_CONNECTIONS)
def notification_route_list_view(request: HttpRequest, pk: int) -> HttpResponse:
    connection = _connection(pk)
    routes = notification_route_list(connection=connection)
    return render(request, LIST_PAGE, {"connection": connection, "routes": routes})


@require(MANAGE_CONNECTIONS)
@sensitive_post_parameters("target", "secret")
@require_http_methods(["GET", "POST"])
def notification_route_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    connection = _connection(pk)
    form = NotificationRouteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            route = notification_route_create(
                user=request.user, connection=connection, **form.service_arguments()
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, ROUTE_CREATED.format(name=route.name))
            return _to_list(connection)
    return render(request, FORM_PAGE, {"form": form, "connection": connection, "route": None})


@require(MANAGE_CONNECTIONS)
@sensitive_post_parameters("target", "secret")
@require_http_methods(["GET", "POST"])
def notification_route_edit_view(request: HttpRequest, pk: int, route_id: int) -> HttpResponse:
    connection = _connection(pk)
    route = notification_route_get(connection=connection, pk=route_id)
    form = NotificationRouteForm(request.POST if request.method == "POST" else None, route=route)
    if request.method == "POST" and form.is_valid():
        try:
            route = notification_route_update(user=request.user, route=route, **form.service_arguments())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, ROUTE_SAVED.format(name=route.name))
            return _to_list(connection)
    return render(request, FORM_PAGE, {"form": form, "connection": connection, "route": route})


@require(MANAGE_CONNECTIONS)
@require_http_methods(["GET", "POST"])
def notification_route_delete_view(request: HttpRequest, pk: int, route_id: int) -> HttpResponse:
    connection = _connection(pk)
    route = notification_route_get(connection=connection, pk=route_id)
    if request.method == "POST":
        messages.success(request, notification_route_delete(user=request.user, route=route))
        return _to_list(connection)
    return render(request, DELETE_PAGE, {"connection": connection, "route": route})


@require(MANAGE_CONNECTIONS)
@require_POST
def notification_route_test_view(request: HttpRequest, pk: int, route_id: int) -> HttpResponse:
    connection = _connection(pk)
    route = notification_route_get(connection=connection, pk=route_id)
    outcome = notification_route_test(user=request.user, route=route)
    (messages.success if outcome.ok else messages.error)(request, outcome.message)
    return _to_list(connection)
