"""What runs on a pool: its Workloads tab, the workload counts shown on the pool page, and one node's page
(its status, lock, labels, driver, the workloads on it and the actions that can be requested for it)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from pools.forms.node_actions import WorkloadFilterForm
from pools.htmx import HtmxHttpRequest, template_for
from pools.node_actions import ACTIONS, action_problem
from pools.permissions import VIEW_DASHBOARD, require
from pools.selectors.concurrent import concurrently
from pools.selectors.workloads import blast_radius, node_get, node_jobs, pool_workloads, workload_statistics
from pools.views.connection_context import visible_connection
from pools.views.links import query_without, wants_refresh, with_refresh
from pools.views.pools import pool_context, raise_if_pool_missing, read_pool

TAB_PAGE = "pools/pool_workloads.html"
COUNTS_PAGE = "pools/pool_workload_counts.html"
NODE_PAGE = "pools/node_detail.html"
NODE_NOT_FOUND = "ModelArts.50015003"  # ShowPoolNode's 404 for an unknown node (the sandbox's code)
NO_SUCH_NODE = "ModelArts has no such node in this pool."
ACTION_LABELS = {
    "reboot": "Request a reboot",
    "drain": "Request a drain",
    "lock": "Request a lock against deletion",
    "unlock": "Request an unlock",
    "reset": "Request a reset",
}
LOCKED_AGAINST_DELETION = "locked against deletion; unlock it first"


@dataclass(frozen=True)
class NodeActionLink:
    label: str
    url: str
    problem: str | None  # why it cannot be requested now
    danger: bool = False


def node_action_links(connection_id: int, pool_name: str, node) -> list[NodeActionLink]:
    """The actions a node's page offers: each request page with the node selected, or why not now."""
    query = "?" + urlencode({"nodes": node.name})
    links = [
        NodeActionLink(
            ACTION_LABELS[action],
            reverse(f"pools:{action}_nodes_request", args=[connection_id, pool_name]) + query,
            action_problem(action, [node]),
            danger=action in ("drain", "reset"),
        )
        for action in ACTIONS
    ]
    deletion_problem = LOCKED_AGAINST_DELETION if "delete" in node.locked_actions else None
    delete_url = reverse("pools:delete_nodes_request", args=[connection_id, pool_name]) + query
    return [*links, NodeActionLink("Request deletion", delete_url, deletion_problem, danger=True)]


@require_safe
@require(VIEW_DASHBOARD)
@vary_on_headers("HX-Request")
def pool_workloads_view(request: HtmxHttpRequest, connection_id: int, pool_name: str):
    """The Workloads tab: who runs what on the pool, with GPU/NPU asked for, run and wait times."""
    connection = visible_connection(request, connection_id)
    form = WorkloadFilterForm(request.GET)
    status = workload_type = ""
    if form.is_valid():
        status, workload_type = form.cleaned_data["status"], form.cleaned_data["type"]
    refresh = wants_refresh(request)
    read, counts, pool_read = concurrently(
        lambda: pool_workloads(
            connection=connection,
            pool_name=pool_name,
            status=status,
            workload_type=workload_type,
            refresh=refresh,
        ),
        lambda: workload_statistics(connection=connection, pool_name=pool_name, refresh=refresh),
        lambda: read_pool(request, connection, pool_name),
    )
    raise_if_pool_missing(read)
    context = pool_context(request, connection, pool_name, pool_read)
    context.update(
        tab="workloads",
        workload_form=form,
        workloads_read=read,
        counts_read=counts,
        workloads_refresh_url=with_refresh(request.path, query_without(request.GET)),
    )
    return render(request, template_for(request, TAB_PAGE, "pool-tab"), context)


@require_safe
@require(VIEW_DASHBOARD)
def pool_workload_counts(request: HtmxHttpRequest, connection_id: int, pool_name: str):
    """The workload counts by state, loaded into the pool's Details tab."""
    connection = visible_connection(request, connection_id)
    counts = workload_statistics(connection=connection, pool_name=pool_name, refresh=wants_refresh(request))
    raise_if_pool_missing(counts)
    workloads_url = reverse("pools:pool_workloads", args=[connection.pk, pool_name])
    return render(request, COUNTS_PAGE, {"counts_read": counts, "workloads_url": workloads_url})


@require_safe
@require(VIEW_DASHBOARD)
def node_detail(request: HtmxHttpRequest, connection_id: int, pool_name: str, node_name: str):
    """One node: ShowPoolNode, the workloads on it now, the pool's jobs about it, and its actions."""
    connection = visible_connection(request, connection_id)
    refresh = wants_refresh(request)
    node_read, pool_read, jobs_read = concurrently(
        lambda: node_get(connection=connection, pool_name=pool_name, node_name=node_name, refresh=refresh),
        lambda: read_pool(request, connection, pool_name),
        lambda: node_jobs(connection=connection, pool_name=pool_name, refresh=refresh),
    )
    raise_if_pool_missing(node_read)
    upstream = node_read.error.upstream if node_read.error is not None else None
    if getattr(upstream, "error_code", None) == NODE_NOT_FOUND:
        raise Http404(NO_SUCH_NODE)
    node = node_read.value
    radius = (
        blast_radius(connection=connection, pool_name=pool_name, nodes=[node], refresh=refresh)
        if node
        else None
    )
    jobs = [job for job in jobs_read.value.items if node_name in job.node_names] if jobs_read.value else []
    context = pool_context(request, connection, pool_name, pool_read)
    context.update(
        node_name=node_name,
        node_read=node_read,
        node=node,
        radius_read=radius,
        jobs_read=jobs_read,
        node_jobs=jobs,
        node_refresh_url=with_refresh(request.path, query_without(request.GET)),
        actions=node_action_links(connection.pk, pool_name, node) if node else [],
    )
    return render(request, NODE_PAGE, context)
