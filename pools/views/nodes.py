"""The Nodes tab of a pool: pages of nodes behind the API's ``continue`` token, filterable by status."""

from __future__ import annotations

from django.http import QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from pools.forms.filters import NodeFilterForm
from pools.htmx import HtmxHttpRequest, template_for
from pools.permissions import VIEW_DASHBOARD, require
from pools.selectors.concurrent import concurrently
from pools.selectors.modelarts import node_scan
from pools.views.connection_context import visible_connection
from pools.views.links import first_page_url, place_refused, query_without, wants_refresh, with_refresh
from pools.views.pools import pool_context, raise_if_pool_missing, read_pool

PAGE = "pools/pool_nodes.html"
TAB_TARGET = "pool-tab"


def _loads_more(request: HtmxHttpRequest) -> bool:
    """ "Load more" swaps its own row (no target id) with the next rows; a filter, tab or retry click
    replaces the whole tab."""
    return bool(
        request.htmx
        and request.GET.get("after")
        and request.htmx.target != TAB_TARGET
        and not request.htmx.history_restore_request
    )


def _retry_query(request: HtmxHttpRequest) -> str:
    """The same page again, asking ModelArts rather than the cache (the failure is cached briefly too)."""
    query = query_without(request.GET)
    return f"{query}&refresh=1" if query else "refresh=1"


@require_safe
@require(VIEW_DASHBOARD)
@vary_on_headers("HX-Request")
def pool_nodes(request: HtmxHttpRequest, connection_id: int, pool_name: str):
    """Full page, the tab (htmx), or with ``after`` (htmx) just the next rows plus a new "Load more" row."""
    connection = visible_connection(request, connection_id)
    form = NodeFilterForm(request.GET)
    appending = _loads_more(request)
    context = {"tab": "nodes", "node_form": form, "nodes": [], "nodes_read": None, "appending": appending}
    read = pool_read = None
    if form.is_valid():
        phase, after = form.cleaned_data["phase"], form.cleaned_data["after"]

        def read_nodes():
            return node_scan(
                connection=connection,
                pool_name=pool_name,
                phase=phase or None,
                continue_token=after or None,
                refresh=wants_refresh(request),
            )

        # The tab shows the pool around its nodes: both are read at once ("Load more" needs only the nodes).
        if appending:
            read = read_nodes()
        else:
            read, pool_read = concurrently(read_nodes, lambda: read_pool(request, connection, pool_name))
        raise_if_pool_missing(read)  # "Load more" reads no pool: its nodes' answer says the pool is gone
        context.update(
            _nodes_context(read, phase, after),
            retry_query=_retry_query(request),
            first_page_url=first_page_url(request, "phase") if place_refused(read, after) else None,
        )
    if appending:
        nodes_url = reverse("pools:pool_nodes", args=[connection.pk, pool_name])
        context.update(connection=connection, pool_name=pool_name, nodes_url=nodes_url)
    else:
        context.update(pool_context(request, connection, pool_name, pool_read))
    context["nodes_refresh_url"] = with_refresh(request.path, query_without(request.GET, "after"))
    partial = "node-rows" if appending else "pool-tab"
    return render(request, template_for(request, PAGE, partial), context)


def _nodes_context(read, phase: str, after: str) -> dict:
    """The nodes of one read, and the query of the "Load more" link that continues it."""
    context = {"nodes_read": read, "phase": phase, "started_after": after}
    if read.value is not None:
        more = QueryDict(mutable=True)
        if phase:
            more["phase"] = phase
        if read.value.continue_token:
            more["after"] = read.value.continue_token
        if read.error is not None:
            # The scan stopped at a failed page: "Load more" retries it from ModelArts, not the cache.
            more["refresh"] = "1"
        context.update(nodes=read.value.items, node_slice=read.value, more_query=more.urlencode())
    return context
