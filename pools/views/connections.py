"""Connection pages: list, create, edit, delete, test; and the switcher's POST target.

Thin views: check the permission, validate with the form, call a service, pick page or partial. Errors, as
on every page: bad input is a field error on the form (a service's ``ValidationError`` goes to its fields);
a refusal (``ApplicationError``) is the error banner on the page shown again.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect, HttpResponseClientRefresh

from pools.core.errors import ApplicationError
from pools.forms.connections import ConnectionForm
from pools.htmx import HtmxHttpRequest, template_for
from pools.models import Connection
from pools.permissions import MANAGE_CONNECTIONS, VIEW_DASHBOARD, require
from pools.selectors.connections import connection_list, connection_list_for, forget_current_connection
from pools.services.connection_checks import connection_test
from pools.services.connections import (
    connection_choose,
    connection_create,
    connection_delete,
    connection_update,
    open_change_request_count,
)

LIST_PAGE = "pools/connection_list.html"
FORM_PAGE = "pools/connection_form.html"
DELETE_PAGE = "pools/connection_delete.html"
SWITCH_INVALID = _("Choose one of the listed connections.")
CREATED = _("Connection “{name}” created.")
SAVED = _("Connection “{name}” saved.")
WORKS = _("Connection “{name}” works: {summary}.")
TEST_FAILED = _("Testing connection “{name}” failed: {summary}")


def request_id_of(request: HtmxHttpRequest) -> str | None:
    """The id a proxy or middleware gave this request, for the audit log; None when there is none."""
    return getattr(request, "request_id", None) or request.headers.get("X-Request-ID", "")[:64] or None


def _redirect(request: HtmxHttpRequest, url: str) -> HttpResponse:
    """To ``url``: the whole page for htmx too (a form swapped in place would otherwise hold the next page)."""
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@require_safe
@require(MANAGE_CONNECTIONS)
def connection_list_view(request: HtmxHttpRequest) -> HttpResponse:
    template = template_for(request, LIST_PAGE, "connection-table")
    return render(request, template, {"connections": connection_list()})


def _form_response(request: HtmxHttpRequest, form: ConnectionForm, connection: Connection | None):
    template = template_for(request, FORM_PAGE, "connection-form")
    return render(request, template, {"form": form, "connection": connection})


@require(MANAGE_CONNECTIONS)
@sensitive_post_parameters("access_key", "secret_key")
@require_http_methods(["GET", "POST"])
def connection_create_view(request: HtmxHttpRequest) -> HttpResponse:
    form = ConnectionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            connection = connection_create(
                user=request.user, request_id=request_id_of(request), **form.service_arguments()
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, CREATED.format(name=connection.name))
            return _redirect(request, reverse("pools:connection_list"))
    return _form_response(request, form, None)


@require(MANAGE_CONNECTIONS)
@sensitive_post_parameters("access_key", "secret_key")
@require_http_methods(["GET", "POST"])
def connection_edit_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    connection = get_object_or_404(Connection.objects.in_use(), pk=pk)
    form = ConnectionForm(request.POST if request.method == "POST" else None, instance=connection)
    if request.method == "POST" and form.is_valid():
        try:
            connection = connection_update(
                connection=connection,
                user=request.user,
                request_id=request_id_of(request),
                **form.service_arguments(),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, SAVED.format(name=connection.name))
            return _redirect(request, reverse("pools:connection_list"))
    return _form_response(request, form, connection)


@require(MANAGE_CONNECTIONS)
@require_http_methods(["GET", "POST"])
def connection_delete_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    connection = get_object_or_404(Connection.objects.in_use(), pk=pk)
    refusal = None
    if request.method == "POST":
        try:
            done = connection_delete(
                connection=connection, user=request.user, request_id=request_id_of(request)
            )
        except ApplicationError as error:
            refusal = error
        else:
            messages.success(request, done)
            return _redirect(request, reverse("pools:connection_list"))
    context = {
        "connection": connection,
        "open_change_requests": open_change_request_count(connection),
        "past_change_requests": connection.change_requests.count(),
        "refusal": refusal,
    }
    return render(request, template_for(request, DELETE_PAGE, "delete-confirm"), context)


@require(MANAGE_CONNECTIONS)
@require_POST
def connection_test_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    connection = get_object_or_404(Connection.objects.in_use(), pk=pk)
    result = connection_test(connection=connection, user=request.user, request_id=request_id_of(request))
    if request.htmx:
        context = {"connection": connection, "result": result}
        return render(request, f"{LIST_PAGE}#test-result", context)
    if result.ok:
        messages.success(request, WORKS.format(name=connection.name, summary=result.summary))
    else:
        messages.error(request, TEST_FAILED.format(name=connection.name, summary=result.summary))
    return redirect("pools:connection_list")


@require(VIEW_DASHBOARD)
@require_POST
def connection_switch_view(request: HtmxHttpRequest) -> HttpResponse:
    chosen = request.POST.get("connection", "")
    connection = connection_list_for(request.user).filter(pk=chosen).first() if chosen.isdigit() else None
    if connection is None:
        messages.error(request, SWITCH_INVALID)
    else:
        connection_choose(user=request.user, connection=connection)
        forget_current_connection(request)
    target = request.POST.get("next", "")
    if connection is not None and _shows_another_connection(target, connection):
        # That page would still show (and the switcher mark) its own connection: the chosen one's pools instead.
        target = reverse("pools:pool_list")
        return HttpResponseClientRedirect(target) if request.htmx else redirect(target)
    if request.htmx:
        return HttpResponseClientRefresh()
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("pools:overview")
    return redirect(target)


def _shows_another_connection(target: str, connection: Connection) -> bool:
    """Whether the page at ``target`` is about a connection other than ``connection`` (its address names it)."""
    address = urlsplit(target)
    try:
        shown = resolve(address.path).kwargs.get("connection_id")
    except Resolver404:
        return False
    shown = shown or parse_qs(address.query).get("connection", [None])[0]
    return shown is not None and str(shown) != str(connection.pk)
