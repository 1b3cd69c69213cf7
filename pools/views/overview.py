"""The overview: one card per connection with live resource usage and pool statistics.

The page itself reads nothing from ModelArts: every card loads on its own (``hx-trigger="load"``), all at
once, so a slow connection delays only its own card, and no read outlives the request that made it.
"""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from pools.htmx import HtmxHttpRequest, template_for
from pools.permissions import VIEW_DASHBOARD, require
from pools.selectors.concurrent import concurrently
from pools.selectors.connections import visible_connections
from pools.selectors.modelarts import pool_statistics, runtime_metrics
from pools.selectors.usage import usage_rows
from pools.views.browse import visible_connection, wants_refresh, with_refresh

PAGE = "pools/overview.html"


def _card_reads(connection, refresh: bool = False) -> tuple:
    return (
        lambda: runtime_metrics(connection=connection, refresh=refresh),
        lambda: pool_statistics(connection=connection, refresh=refresh),
    )


def _card(connection, usage, statistics) -> dict:
    card_url = reverse("pools:overview_card", args=[connection.pk])
    return {
        "connection": connection,
        "usage": usage,
        "rows": usage_rows(usage.value) if usage.value is not None else [],
        "statistics": statistics,
        "refresh_url": with_refresh(card_url, ""),
        "target": f"#card-{connection.pk}",
    }


@require_safe
@require(VIEW_DASHBOARD)
def overview(request: HtmxHttpRequest):
    connections = visible_connections(request)
    # No card is ready yet: each shows as a placeholder that loads itself.
    context = {"connections": connections, "cards": [(connection, None) for connection in connections]}
    return render(request, PAGE, context)


@require_safe
@require(VIEW_DASHBOARD)
@vary_on_headers("HX-Request")
def overview_card(request: HtmxHttpRequest, connection_id: int):
    """One connection's card: the htmx partial, or (without JavaScript) the overview with just this card."""
    connection = visible_connection(request, connection_id)
    usage, statistics = concurrently(*_card_reads(connection, wants_refresh(request)))
    card = _card(connection, usage, statistics)
    context = {"connections": [connection], "cards": [(connection, card)], "card": card}
    return render(request, template_for(request, PAGE, "usage-card"), context)
