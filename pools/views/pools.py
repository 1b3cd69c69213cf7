"""The pool list (per connection) and the pool detail page, with what every tab of a pool shares."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from pools.forms.filters import PoolFilterForm
from pools.htmx import HtmxHttpRequest, template_for
from pools.permissions import VIEW_DASHBOARD, require
from pools.selectors.change_requests import open_change_requests_by_pool
from pools.selectors.concurrent import concurrently
from pools.selectors.connections import current_connection
from pools.selectors.modelarts import pool_get, pool_missing, pools_by_phase
from pools.selectors.pool_changes import pool_tags, scaling_now
from pools.selectors.pool_requests import pool_deletion
from pools.selectors.usage import accelerator_usage
from pools.selectors.workspace_pools import PoolListing, pool_listing
from pools.views.connection_context import visible_connection
from pools.views.links import REFRESH_PARAMETER, pool_urls, query_without, wants_refresh, with_refresh

LIST_PAGE = "pools/pool_list.html"
DETAIL_PAGE = "pools/pool_detail.html"  # the Details tab; Nodes and Monitoring have their own pages
POLL_SECONDS = 5
# Pools whose state moves on its own within minutes: the list polls while any is shown. (A pool waiting for
# its order to be paid can wait for days; it does not keep every open list polling.)
CHANGING_PHASES = frozenset({"Creating", "Deleting"})
# The node states the Nodes column counts besides "available", when a pool has any.
OTHER_NODE_STATES = ("creating", "abnormal", "deleting")
NO_CONNECTION = _("There is no connection to browse yet.")
NO_SUCH_POOL = _("ModelArts has no such pool.")


def is_changing(pool) -> bool:
    """Being created or deleted, or scaled (a Running pool with nodes being created or deleted): the list
    polls while any pool is."""
    return pool.phase in CHANGING_PHASES or pool.nodes_in("creating") > 0 or pool.nodes_in("deleting") > 0


@dataclass(frozen=True)
class PoolRow:
    """One row of the pool list: the pool, its open change requests and the link to its page."""

    pool: Any  # the Pool value the pool_listing selector returned
    open_requests: list
    detail_url: str
    usage: Any = None  # its GPU/NPU (or else CPU) UsageBar, when the project's usage names it

    @property
    def changing(self) -> bool:
        return is_changing(self.pool)

    @property
    def css_class(self) -> str:
        return " ".join(
            [
                *(["highlight changing"] if self.changing else []),
                *(["has-requests"] if self.open_requests else []),
            ]
        )

    @property
    def other_node_states(self) -> list[tuple[str, int]]:
        """(state, count) of each of OTHER_NODE_STATES the pool has nodes in."""
        counts = [(state, self.pool.nodes_in(state)) for state in OTHER_NODE_STATES]
        return [(state, count) for state, count in counts if count]


def _sorted(pools: list, sort: str, usage: dict) -> list:
    def allocated_share(pool) -> int:
        bar = usage.get(pool.name)
        return bar.percent if bar is not None and bar.percent is not None else -1

    keys = {
        "name": lambda pool: pool.display_name.lower(),
        "created": lambda pool: pool.created_at.timestamp() if pool.created_at else 0.0,
        "phase": lambda pool: (pool.phase, pool.display_name.lower()),
        "nodes": lambda pool: pool.node_count,
        "usage": lambda pool: (allocated_share(pool), pool.display_name.lower()),
    }
    field = sort.lstrip("-") or "name"
    return sorted(pools, key=keys.get(field, keys["name"]), reverse=sort.startswith("-"))


def _matches(pool, search: str) -> bool:
    search = search.lower()
    return search in pool.display_name.lower() or search in pool.name.lower()


@require_safe
@require(VIEW_DASHBOARD)
@vary_on_headers("HX-Request")
def pool_list_view(request: HtmxHttpRequest):
    """Pools of one connection, in every workspace or one: the labels filter goes to ModelArts; status (by
    phase, the badges' words), search and sort happen here; polling while any pool is created or deleted.
    ModelArts' own counters of each workspace listed show beside them."""
    form = PoolFilterForm(request.GET)
    form.is_valid()
    chosen = form.cleaned_data.get("connection") if "connection" not in form.errors else None
    connection = visible_connection(request, chosen) if chosen else current_connection(request)
    template = template_for(request, LIST_PAGE, "pool-table")
    context: dict[str, Any] = {"form": form, "connection": connection, "read": None, "rows": []}
    if connection is None:
        return render(request, template, {**context, "empty_message": NO_CONNECTION})
    query = query_without(request.GET)
    context["list_url"] = f"{reverse('pools:pool_list')}?{query}" if query else reverse("pools:pool_list")
    context["refresh_url"] = with_refresh(reverse("pools:pool_list"), query)
    if form.errors:
        # A bad filter is the user's to fix; nothing goes upstream.
        return render(request, template, context)
    data = form.cleaned_data
    requests_by_pool = open_change_requests_by_pool(connection)
    listing = pool_listing(
        connection=connection,
        workspace=data["workspace"] or None,
        label_selector=data["labels"] or None,
        with_counters=True,
        refresh=wants_refresh(request),
    )
    context.update(_listing_context(request, connection, data, listing, requests_by_pool))
    return render(request, template, context)


def _listing_context(request, connection, data: dict, listing: PoolListing, requests_by_pool: dict) -> dict:
    """What the pool table shows of ``listing``: the rows the filters keep, counts, workspaces, polling."""
    pools = list(listing.pools.value.items) if listing.pools.value is not None else []
    usage = accelerator_usage(listing.usage.value) if listing.usage.value is not None else {}
    detail_url = pool_urls("pools:pool_detail", connection.pk)
    shown = [
        pool
        for pool in pools
        if (not data["status"] or pool.phase == data["status"])
        and (not data["q"] or _matches(pool, data["q"]))
    ]
    return {
        "read": listing.pools,
        "workspaces": listing.workspaces,
        "known_workspaces": listing.known,
        "counters": listing.counters,
        "all_workspaces": not data["workspace"],
        "all_workspaces_url": _url_without(request, "workspace"),
        "status_counts": [
            (phase, count, _url_with(request, status=phase)) for phase, count in pools_by_phase(pools)
        ],
        "rows": [
            PoolRow(pool, requests_by_pool.get(pool.name, []), detail_url(pool.name), usage.get(pool.name))
            for pool in _sorted(shown, data["sort"], usage)
        ],
        "total": len(pools),
        # Poll only while something is changing; the partial rendered without the trigger stops the polling.
        "polling": any(is_changing(pool) for pool in pools),
        "poll_seconds": POLL_SECONDS,
    }


def _url_with(request: HtmxHttpRequest, **values: str) -> str:
    """The pool list with this request's filters and ``values`` set (a link that reloads the page, so the
    filter form shows the same choice)."""
    kept = request.GET.copy()
    kept.pop(REFRESH_PARAMETER, None)
    for name, value in values.items():
        kept[name] = value
    return f"{reverse('pools:pool_list')}?{kept.urlencode()}"


def _url_without(request: HtmxHttpRequest, name: str) -> str:
    query = query_without(request.GET, name)
    return f"{reverse('pools:pool_list')}?{query}" if query else reverse("pools:pool_list")


@require_safe
@require(VIEW_DASHBOARD)
@vary_on_headers("HX-Request")
def pool_detail(request: HtmxHttpRequest, connection_id: int, pool_name: str):
    """Everything about one pool; the Nodes and Monitoring tabs are their own pages (htmx-loaded)."""
    connection = visible_connection(request, connection_id)
    pool_read, tags_read = concurrently(
        lambda: read_pool(request, connection, pool_name),
        lambda: pool_tags(connection=connection, pool_name=pool_name, refresh=wants_refresh(request)),
    )
    context = pool_context(request, connection, pool_name, pool_read)
    pool = context["pool"]
    context["tab"] = "details"
    context["tags_read"] = tags_read
    if pool is not None:
        context["raw_json"] = json.dumps(pool.raw, indent=2, sort_keys=True, default=str)
        context.update(_from_raw(pool.raw), scaling=scaling_now(pool))
    return render(request, template_for(request, DETAIL_PAGE, "pool-tab"), context)


def _mapping(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _from_raw(raw: Any) -> dict[str, Any]:
    """Parts of the pool the typed value leaves in ``raw``: job-type states, drivers, cluster, network."""
    spec, status = _mapping(_mapping(raw).get("spec")), _mapping(_mapping(raw).get("status"))
    return {
        "scope_states": [s for s in status.get("scope") or [] if isinstance(s, dict)],
        "driver_states": {
            kind: state for kind, state in _mapping(status.get("driver")).items() if isinstance(state, dict)
        },
        "container_network": _mapping(spec.get("containernetwork")).get("mode", ""),
        "control_mode": spec.get("controlMode"),
        "root_pool": status.get("root", ""),
        "parent_pool": status.get("parent", ""),
        "cluster": _mapping(status.get("clusters")),
    }


def raise_if_pool_missing(read) -> None:
    """A read ModelArts answered "pool not found" makes the page (or tab, or partial) a 404; any other
    failure stays a banner on the page."""
    if pool_missing(read):
        raise Http404(NO_SUCH_POOL)


def read_pool(request: HtmxHttpRequest, connection, pool_name: str):
    """The pool a tab shows (a ``ReadResult``); tabs that read more pass this to ``concurrently``."""
    return pool_get(connection=connection, name=pool_name, refresh=wants_refresh(request))


def pool_context(request: HtmxHttpRequest, connection, pool_name: str, read=None) -> dict[str, Any]:
    """What every tab of a pool shows around its own content: the pool, its open requests, the tab links.

    ``read`` is the pool's ``ReadResult`` when the tab has already read it (alongside its own read)."""
    if read is None:
        read = read_pool(request, connection, pool_name)
    raise_if_pool_missing(read)
    args = [connection.pk, pool_name]
    detail_url = reverse("pools:pool_detail", args=args)
    open_requests = open_change_requests_by_pool(connection).get(pool_name, [])
    return {
        "connection": connection,
        "pool_name": pool_name,
        "pool_read": read,
        "pool": read.value,
        "open_requests": open_requests,
        "deletion": pool_deletion(pool=read.value, open_requests=open_requests),
        "detail_url": detail_url,
        "nodes_url": reverse("pools:pool_nodes", args=args),
        "monitoring_url": reverse("pools:pool_monitoring", args=args),
        "workloads_url": reverse("pools:pool_workloads", args=args),
        "events_url": reverse("pools:pool_events", args=args),
        "pool_refresh_url": with_refresh(request.path, query_without(request.GET)),
    }
