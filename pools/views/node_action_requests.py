"""Pages that turn a node action on a selection of nodes into a change request: reboot, drain, lock, unlock,
reset. Like the node deletion page, each arrives from the node table (or a node's page) with the selected
``nodes``, shows what they carry now (the blast radius), asks why, and files a request for approval.
Nothing happens to a node here."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from pools.forms.node_actions import NodeActionForm
from pools.htmx import HtmxHttpRequest
from pools.node_actions import DRAIN, LOCK, REBOOT, RESET, UNLOCK, rolling_allowed
from pools.permissions import REQUEST_CHANGE, require
from pools.selectors.modelarts import pool_get
from pools.selectors.pool_requests import pool_nodes_all
from pools.selectors.workloads import blast_radius
from pools.views.connection_context import visible_connection
from pools.views.pool_requests import file_change_request

PAGE = "pools/node_action_request.html"
KINDS = {
    REBOOT: "reboot_nodes",
    DRAIN: "drain_nodes",
    LOCK: "lock_nodes",
    UNLOCK: "unlock_nodes",
    RESET: "reset_nodes",
}
TITLES = {
    REBOOT: "Reboot nodes",
    DRAIN: "Drain nodes",
    LOCK: "Lock nodes against deletion",
    UNLOCK: "Unlock nodes",
    RESET: "Reset nodes",
}


@require(REQUEST_CHANGE)
@require_http_methods(["GET", "POST"])
def node_action_request(request: HtmxHttpRequest, connection_id: int, pool_name: str, action: str):
    """The selection (``nodes``, by GET or POST) checked for ``action``; confirmed with a reason."""
    connection = visible_connection(request, connection_id)
    pool = pool_get(connection=connection, name=pool_name)
    listed = pool_nodes_all(connection=connection, pool_name=pool_name)
    context = {
        "connection": connection,
        "pool_name": pool_name,
        "pool": pool.value,
        "action": action,
        "title": TITLES[action],
        "read_error": listed.error or pool.error,
    }
    if listed.nodes is None:
        return render(request, PAGE, context, status=502)
    confirming = request.method == "POST" and request.POST.get("confirm") == "1"
    data = request.POST if request.method == "POST" else (request.GET if "nodes" in request.GET else None)
    form = NodeActionForm(data, action=action, pool_nodes=listed.nodes, selection_only=not confirming)
    if form.is_bound:
        form.is_valid()  # the selection is checked on arrival too
    if confirming and form.is_valid():
        kind = KINDS[action]
        filed = file_change_request(
            request, form, connection=connection, kind=kind, target=pool_name, body=form.body()
        )
        if filed is not None:
            return filed
    selected = form.selected_nodes() if form.is_bound else []
    context.update(
        form=form,
        selected=selected,
        can_confirm=form.is_bound and "nodes" not in form.errors and bool(selected),
        rolling_allowed=rolling_allowed(selected),
        radius_read=blast_radius(connection=connection, pool_name=pool_name, nodes=selected)
        if selected
        else None,
    )
    return render(request, PAGE, context)
