"""The overview: one card per connection with live resource usage and pool statistics.

The page reads the first cards' usage and statistics at once, all connections at the same time, and shows
the cards whose answers (or failures) arrive within ``OVERVIEW_INLINE_SECONDS``. A card still waiting then
loads on its own (``hx-trigger="load"``) and joins its reads in flight, so a slow connection delays the
page by that budget at most and only its own card beyond it.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from pools.htmx import HtmxHttpRequest, render_shell, template_for
from pools.permissions import VIEW_DASHBOARD, require
from pools.selectors.concurrent import concurrently, within
from pools.selectors.connections import visible_connections
from pools.selectors.modelarts import look_up_generations, pool_statistics, runtime_metrics
from pools.selectors.usage import usage_rows
from pools.views.browse import visible_connection, wants_refresh, with_refresh

PAGE = "pools/overview.html"
# Cards further down load on their own: a page of many connections does not start dozens of reads at once.
INLINE_CARDS = 8


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
    context = {"connections": connections}
    inline = connections[:INLINE_CARDS] if settings.OVERVIEW_INLINE_SECONDS > 0 else []
    look_up_generations(inline)
    # The page around the cards is rendered while their reads are in flight.
    shell, answers = within(
        settings.OVERVIEW_INLINE_SECONDS,
        *(read for connection in inline for read in _card_reads(connection)),
        meanwhile=lambda: render_shell(request, PAGE, context),
    )
    cards = []
    for index, connection in enumerate(connections):
        usage, statistics = answers[2 * index : 2 * index + 2] if index < len(inline) else (None, None)
        ready = usage is not None and statistics is not None
        cards.append((connection, _card(connection, usage, statistics) if ready else None))
    context["cards"] = cards
    return HttpResponse(shell.around(render_to_string(f"{PAGE}#cards", context, request)))


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
