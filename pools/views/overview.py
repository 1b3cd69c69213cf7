"""The overview: one card per connection with live resource usage and its pools by status.

The page reads the first cards at once, all connections at the same time (each card: the usage, then the
pools of every workspace the usage names, which it counts by status in the pool list's words), and shows
the cards whose answers (or failures) arrive within ``OVERVIEW_INLINE_SECONDS``. A card still waiting then
loads on its own (``hx-trigger="load"``) and joins its reads in flight, so a slow connection delays the
page by that budget at most and only its own card beyond it.
"""

from __future__ import annotations

from functools import partial
from urllib.parse import urlencode

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
from pools.selectors.modelarts import (
    look_up_generations,
    pools_by_phase,
    pools_of_workspaces,
    runtime_metrics,
    workspace_pool_reads,
    workspaces_seen,
)
from pools.selectors.usage import usage_rows
from pools.views.connection_context import visible_connection
from pools.views.links import wants_refresh, with_refresh

PAGE = "pools/overview.html"
# Cards further down load on their own: a page of many connections does not start dozens of reads at once.
INLINE_CARDS = 8


def _one_after_another(*reads) -> list:
    return [read() for read in reads]


def _card_reads(connection, refresh: bool = False, run=concurrently) -> tuple:
    """A card's usage and its pools in every workspace the usage names (as the pool list shows them by
    default), as (usage, pools). ``run`` runs the ListPools reads: at once on the request's own thread;
    one after another on a helper thread, which must not wait on other helpers (that could deadlock)."""
    usage = runtime_metrics(connection=connection, refresh=refresh)
    workspaces = workspaces_seen(connection, usage).value
    reads = workspace_pool_reads(connection=connection, workspaces=workspaces, refresh=refresh)
    return usage, pools_of_workspaces(workspaces, run(*reads))


def _card(connection, usage, pools) -> dict:
    card_url = reverse("pools:overview_card", args=[connection.pk])
    list_url = reverse("pools:pool_list")
    counts = pools_by_phase(pools.value.items) if pools.value is not None else []
    return {
        "connection": connection,
        "usage": usage,
        "rows": usage_rows(usage.value) if usage.value is not None else [],
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
    context = {"connections": connections}
    inline = connections[:INLINE_CARDS] if settings.OVERVIEW_INLINE_SECONDS > 0 else []
    look_up_generations(inline)
    # The page around the cards is rendered while their reads are in flight.
    shell, answers = within(
        settings.OVERVIEW_INLINE_SECONDS,
        *(partial(_card_reads, connection, run=_one_after_another) for connection in inline),
        meanwhile=lambda: render_shell(request, PAGE, context),
    )
    cards = []
    for index, connection in enumerate(connections):
        ready = answers[index] if index < len(inline) else None
        cards.append((connection, _card(connection, *ready) if ready is not None else None))
    context["cards"] = cards
    return HttpResponse(shell.around(render_to_string(f"{PAGE}#cards", context, request)))


@require_safe
@require(VIEW_DASHBOARD)
@vary_on_headers("HX-Request")
def overview_card(request: HtmxHttpRequest, connection_id: int):
    """One connection's card: the htmx partial, or (without JavaScript) the overview with just this card."""
    connection = visible_connection(request, connection_id)
    card = _card(connection, *_card_reads(connection, wants_refresh(request)))
    context = {"connections": [connection], "cards": [(connection, card)], "card": card}
    return render(request, template_for(request, PAGE, "usage-card"), context)
