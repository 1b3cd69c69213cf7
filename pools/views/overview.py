"""The overview: one card per connection with live resource usage and pool statistics.

The page itself reads nothing upstream; every card loads on its own (``hx-trigger="load"``), so a slow or
failing connection only affects its own card.
"""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.vary import vary_on_headers

from pools.htmx import HtmxHttpRequest, template_for
from pools.permissions import VIEW_DASHBOARD, require
from pools.selectors.concurrent import concurrently
from pools.selectors.connections import visible_connections
from pools.selectors.modelarts import pool_statistics, runtime_metrics
from pools.selectors.usage import usage_rows
from pools.views.browse import visible_connection, wants_refresh, with_refresh

PAGE = "pools/overview.html"


@require(VIEW_DASHBOARD)
def overview(request: HtmxHttpRequest):
    connections = visible_connections(request)
    return render(request, PAGE, {"connections": connections, "loaded": {}})


@require(VIEW_DASHBOARD)
@vary_on_headers("HX-Request")
def overview_card(request: HtmxHttpRequest, connection_id: int):
    """One connection's card: the htmx partial, or (without JavaScript) the overview with just this card."""
    connection = visible_connection(request, connection_id)
    refresh = wants_refresh(request)
    usage, statistics = concurrently(
        lambda: runtime_metrics(connection=connection, refresh=refresh),
        lambda: pool_statistics(connection=connection, refresh=refresh),
    )
    card_url = reverse("pools:overview_card", args=[connection.pk])
    card = {
        "connection": connection,
        "usage": usage,
        "rows": usage_rows(usage.value) if usage.value is not None else [],
        "statistics": statistics,
        "refresh_url": with_refresh(card_url, ""),
        "target": f"#card-{connection.pk}",
    }
    context = {"connections": [connection], "loaded": {connection.pk: card}, "card": card}
    return render(request, template_for(request, PAGE, "usage-card"), context)
