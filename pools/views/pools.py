"""The pool list (per connection) and the pool detail page."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from pools.forms.browse import PoolFilterForm
from pools.htmx import HtmxHttpRequest, render_shell, template_for
from pools.permissions import VIEW_DASHBOARD, require
from pools.selectors.change_requests import open_change_requests_by_pool
from pools.selectors.concurrent import concurrently
from pools.selectors.connections import current_connection
from pools.selectors.modelarts import (
    known_workspaces,
    pool_get,
    pools_by_phase,
    pools_of_workspaces,
    workspace_pool_reads,
)
from pools.selectors.pool_requests import pool_deletion
from pools.views.browse import (
    REFRESH_PARAMETER,
    query_without,
    raise_if_pool_missing,
    url_with_pool,
    visible_connection,
    wants_refresh,
    with_refresh,
)

LIST_PAGE = "pools/pool_list.html"
DETAIL_PAGE = "pools/pool_detail.html"
POLL_SECONDS = 5
# Pools whose state moves on its own within minutes: the list polls while any is shown. (A pool waiting for
# its order to be paid can wait for days; it does not keep every open list polling.)
CHANGING_PHASES = frozenset({"Creating", "Deleting"})
NO_CONNECTION = "There is no connection to browse yet."


@dataclass(frozen=True)
class PoolRow:
    pool: Any  # the Pool value the pool_get selector returned
    open_requests: list
    detail_url: str

    @property
    def changing(self) -> bool:
        return self.pool.phase in CHANGING_PHASES


def _sorted(pools: list, sort: str) -> list:
    keys = {
        "name": lambda pool: pool.display_name.lower(),
        "created": lambda pool: pool.created_at.timestamp() if pool.created_at else 0.0,
        "phase": lambda pool: (pool.phase, pool.display_name.lower()),
        "nodes": lambda pool: pool.node_count,
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
    phase, the badges' words), search and sort happen here; polling while any pool is created or deleted."""
    form = PoolFilterForm(request.GET)
    form.is_valid()
    chosen = form.cleaned_data.get("connection") if "connection" not in form.errors else None
    connection = visible_connection(request, chosen) if chosen else current_connection(request)
    context: dict[str, Any] = {"form": form, "connection": connection, "read": None, "rows": []}
    if connection is None:
        context["empty_message"] = NO_CONNECTION
        return render(request, template_for(request, LIST_PAGE, "pool-table"), context)

    query = query_without(request.GET)
    context["list_url"] = f"{reverse('pools:pool_list')}?{query}" if query else reverse("pools:pool_list")
    context["refresh_url"] = with_refresh(reverse("pools:pool_list"), query)
    if form.errors:
        # A bad filter is the user's to fix; nothing goes upstream.
        return render(request, template_for(request, LIST_PAGE, "pool-table"), context)

    data = form.cleaned_data
    template = template_for(request, LIST_PAGE, "pool-table")
    refresh = wants_refresh(request)

    def from_the_database():
        # While the pools come from ModelArts: the open change requests, and the page around the table.
        requests_by_pool = open_change_requests_by_pool(connection)
        return requests_by_pool, render_shell(request, LIST_PAGE, context) if template == LIST_PAGE else None

    def reads_of(workspaces):
        return workspace_pool_reads(
            connection=connection,
            workspaces=workspaces,
            label_selector=data["labels"] or None,
            refresh=refresh,
        )

    if data["workspace"]:
        workspaces = (data["workspace"],)
        (requests_by_pool, shell), known, *reads = concurrently(
            from_the_database,
            lambda: known_workspaces(connection=connection, refresh=refresh),
            *reads_of(workspaces),
        )
    else:
        # Every workspace: which ones there are must be known before their pools can be asked for.
        known = known_workspaces(connection=connection, refresh=refresh)
        workspaces = known.value
        (requests_by_pool, shell), *reads = concurrently(from_the_database, *reads_of(workspaces))
    read = pools_of_workspaces(workspaces, reads)
    pools = list(read.value.items) if read.value is not None else []
    status = data["status"]
    shown = [
        pool
        for pool in pools
        if (not status or pool.phase == status) and (not data["q"] or _matches(pool, data["q"]))
    ]
    detail_url = url_with_pool("pools:pool_detail", connection.pk)
    context.update(
        read=read,
        workspaces=workspaces,
        known_workspaces=known,
        all_workspaces=not data["workspace"],
        all_workspaces_url=_url_without(request, "workspace"),
        status_counts=[
            (phase, count, _url_with(request, status=phase)) for phase, count in pools_by_phase(pools)
        ],
        rows=[
            PoolRow(pool, requests_by_pool.get(pool.name, []), detail_url(pool.name))
            for pool in _sorted(shown, data["sort"])
        ],
        total=len(pools),
        # Poll only while something is changing; the partial rendered without the trigger stops the polling.
        polling=any(pool.phase in CHANGING_PHASES for pool in pools),
        poll_seconds=POLL_SECONDS,
    )
    if shell is None:
        return render(request, template, context)
    return HttpResponse(shell.around(render_to_string(f"{LIST_PAGE}#pool-table", context, request)))


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
    context = pool_context(request, connection, pool_name)
    pool = context["pool"]
    context["tab"] = "details"
    if pool is not None:
        context["raw_json"] = json.dumps(pool.raw, indent=2, sort_keys=True, default=str)
        context.update(_from_raw(pool.raw))
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
        "pool_refresh_url": with_refresh(request.path, query_without(request.GET)),
    }
