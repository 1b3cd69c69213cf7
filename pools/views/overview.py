"""The overview: one card per connection with its pools by status, its resource usage summed over its pools,
and its fullest pools (every pool's usage is in the pool list).

The page itself reads nothing from ModelArts: every card loads on its own (``hx-trigger="load"``), all at
once, so a slow connection delays only its own card, and no read outlives the request that made it. A card
reads the usage and the pools of every workspace it names (``pool_listing``), and counts them by status in
the pool list's words.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from pools.htmx import HtmxHttpRequest, template_for
from pools.permissions import VIEW_DASHBOARD, require
from pools.selectors.connections import visible_connections
from pools.selectors.modelarts import pools_by_phase
from pools.selectors.usage import usage_summary
from pools.selectors.workspace_pools import PoolListing, pool_listing
from pools.views.connection_context import visible_connection
from pools.views.links import wants_refresh, with_refresh

PAGE = "pools/overview.html"


def _card(connection, listing: PoolListing) -> dict:
    card_url = reverse("pools:overview_card", args=[connection.pk])
    list_url = reverse("pools:pool_list")
    usage, pools = listing.usage, listing.pools
    counts = pools_by_phase(pools.value.items) if pools.value is not None else []
    summary = usage_summary(usage.value) if usage.value is not None else None
    return {
        "connection": connection,
        "usage": usage,
        "summary": summary,
        "rows": summary.fullest if summary else (),
        "pools": pools,
        "status_counts": [
            (phase, count, f"{list_url}?{urlencode({'connection': connection.pk, 'status': phase})}")
            for phase, count in counts
        ],
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
    card = _card(connection, pool_listing(connection=connection, refresh=wants_refresh(request)))
    context = {"connections": [connection], "cards": [(connection, card)], "card": card}
    return render(request, template_for(request, PAGE, "usage-card"), context)
