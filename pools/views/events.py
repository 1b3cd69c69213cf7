"""What happened and what is planned: a pool's Events tab, and the events inbox of every connection."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from pools.forms.events import InboxFilterForm, PoolEventsForm
from pools.htmx import HtmxHttpRequest, template_for
from pools.permissions import REQUEST_CHANGE, VIEW_DASHBOARD, require
from pools.selectors.concurrent import concurrently
from pools.selectors.connections import visible_connections
from pools.selectors.events import events_inbox, newest_first, pool_event_page, pool_maintenance
from pools.views.connection_context import visible_connection
from pools.views.links import first_page_url, place_refused, query_without, wants_refresh, with_refresh
from pools.views.pools import pool_context, read_pool

TAB_PAGE = "pools/pool_events.html"
INBOX_PAGE = "pools/events_inbox.html"
NO_CONNECTION = _("There is no connection to read events from yet.")


def _page_url(path: str, event_type: str, token: str) -> str:
    query = "&".join(part for part in (f"type={event_type}" if event_type else "", f"page={token}") if part)
    return f"{path}?{query}"


@require_safe
@require(VIEW_DASHBOARD)
@vary_on_headers("HX-Request")
def pool_events(request: HtmxHttpRequest, connection_id: int, pool_name: str):
    """The pool's events, newest first with warnings marked, a page at a time; and its scheduled maintenance."""
    connection = visible_connection(request, connection_id)
    form = PoolEventsForm(request.GET)
    refresh = wants_refresh(request)
    events_read = None
    if form.is_valid():
        data = form.cleaned_data
        events_read, pool_read = concurrently(
            lambda: pool_event_page(
                connection=connection,
                pool_name=pool_name,
                event_type=data["type"] or None,
                continue_token=data["page"] or None,
                refresh=refresh,
            ),
            lambda: read_pool(request, connection, pool_name),
        )
    else:
        pool_read = read_pool(request, connection, pool_name)
    context = {
        "tab": "events",
        "events_form": form,
        **pool_context(request, connection, pool_name, pool_read),
    }
    maintenance = pool_maintenance(
        connection=connection, pool=pool_read.value, pool_name=pool_name, refresh=refresh
    )
    context.update(
        events_read=events_read,
        events=newest_first(events_read.value.items) if events_read and events_read.value else [],
        maintenance_read=maintenance,
        can_request=request.user.has_perm(REQUEST_CHANGE),
        events_refresh_url=with_refresh(request.path, query_without(request.GET)),
    )
    if events_read is not None:
        context.update(_paging_links(request, form.cleaned_data, events_read))
    return render(request, template_for(request, TAB_PAGE, "pool-tab"), context)


def _paging_links(request: HtmxHttpRequest, data: dict, events_read) -> dict:
    """The next page's link, or the first page's when ModelArts refused the place this link asked for."""
    links = {}
    if place_refused(events_read, data["page"]):
        links["first_page_url"] = first_page_url(request, "type")
    if events_read.value is not None and events_read.value.continue_token:
        links["next_page_url"] = _page_url(request.path, data["type"], events_read.value.continue_token)
    return links


@require_safe
@require(VIEW_DASHBOARD)
@vary_on_headers("HX-Request")
def events_inbox_view(request: HtmxHttpRequest):
    """Every visible connection's pool events, warnings first and then newest, and the open maintenance."""
    form = InboxFilterForm(request.GET)
    connections = visible_connections(request)
    context = {"form": form, "inbox": None, "connections": connections}
    query = query_without(request.GET)
    context["refresh_url"] = with_refresh(reverse("pools:events_inbox"), query)
    if not connections:
        context["empty_message"] = NO_CONNECTION
    elif form.is_valid():
        context["inbox"] = events_inbox(
            connections=connections,
            event_type=form.cleaned_data["type"] or None,
            pool_search=form.cleaned_data["pool"],
            refresh=wants_refresh(request),
        )
        context["can_request"] = request.user.has_perm(REQUEST_CHANGE)
    return render(request, template_for(request, INBOX_PAGE, "inbox"), context)
