"""Pages that turn a destructive action into a change request: delete a pool, delete some of its nodes.

Nothing is deleted here: each page confirms what would go, asks why, and files a request for approval.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from pools.core.errors import ApplicationError
from pools.forms.pool_requests import DeleteNodesForm, DeletePoolForm, remaining_nodes
from pools.htmx import HtmxHttpRequest
from pools.models import Connection
from pools.permissions import REQUEST_CHANGE, require
from pools.selectors.change_requests import can_view, open_change_requests_by_pool
from pools.selectors.modelarts import pool_get
from pools.selectors.pool_requests import pool_deletion, pool_nodes_all
from pools.services.change_requests import OpenRequestExists, change_request_create
from pools.views.browse import visible_connection

FILED = "Change request #{pk} is waiting for approval: {summary}."


def _file(
    request, form, *, connection: Connection, kind: str, target: str, body
) -> HttpResponseRedirect | None:
    """File the request; on a refusal put it on the form and return None."""
    try:
        change_request = change_request_create(
            user=request.user,
            connection=connection,
            kind=kind,
            target=target,
            body=body,
            reason=form.cleaned_data["reason"],
            idempotency_key=form.cleaned_data["submission_key"],
        )
    except OpenRequestExists as duplicate:
        if can_view(request.user, duplicate.existing):
            # The request that already asks for this change is where to go (and to add a comment).
            messages.info(request, duplicate.message)
            return HttpResponseRedirect(reverse("pools:change-request-detail", args=[duplicate.existing.pk]))
        form.add_error(None, duplicate.message)
        form.refusal = duplicate
        return None
    except ApplicationError as error:
        form.add_error("reason" if error.field == "reason" else None, error.message)
        form.refusal = error
        return None
    messages.success(request, FILED.format(pk=change_request.pk, summary=change_request.summary))
    return HttpResponseRedirect(reverse("pools:change-request-detail", args=[change_request.pk]))


@require(REQUEST_CHANGE)
@require_http_methods(["GET", "POST"])
def delete_pool_request(request: HtmxHttpRequest, connection_id: int, pool_name: str):
    connection = visible_connection(request, connection_id)
    read = pool_get(connection=connection, name=pool_name)
    context = {"connection": connection, "pool_name": pool_name, "read": read, "pool": read.value}
    if read.value is None:
        not_found = read.error is not None and getattr(read.error.upstream, "status", None) == 404
        return render(request, "pools/delete_pool_request.html", context, status=404 if not_found else 502)
    deletion = pool_deletion(
        pool=read.value, open_requests=open_change_requests_by_pool(connection).get(read.value.name, [])
    )
    if request.method == "GET" and not deletion.can_request:
        # Nothing to confirm: the page says why, or links to the request that already asks for it. (A POST
        # goes on to the service, which refuses the same way, or returns the request this form already filed.)
        return render(request, "pools/delete_pool_request.html", {**context, "deletion": deletion})

    form = DeletePoolForm(request.POST or None, pool=read.value)
    if request.method == "POST" and form.is_valid():
        filed = _file(
            request, form, connection=connection, kind="delete_pool", target=read.value.name, body=None
        )
        if filed is not None:
            return filed
    return render(request, "pools/delete_pool_request.html", {**context, "form": form})


@require(REQUEST_CHANGE)
@require_http_methods(["GET", "POST"])
def delete_nodes_request(request: HtmxHttpRequest, connection_id: int, pool_name: str):
    """POSTed from the node table with the selected ``nodes``; confirmed here with a reason."""
    connection = visible_connection(request, connection_id)
    pool = pool_get(connection=connection, name=pool_name)
    listed = pool_nodes_all(connection=connection, pool_name=pool_name)
    context = {
        "connection": connection,
        "pool_name": pool_name,
        "pool": pool.value,
        # The node list decides what may be deleted; a failed pool read only costs the display name.
        "read_error": listed.error or pool.error,
    }
    if listed.nodes is None:
        return render(request, "pools/delete_nodes_request.html", context, status=502)

    confirming = request.method == "POST" and request.POST.get("confirm") == "1"
    data = request.POST if request.method == "POST" else (request.GET if "nodes" in request.GET else None)
    form = DeleteNodesForm(data, pool_nodes=listed.nodes, selection_only=not confirming)
    if form.is_bound:
        form.is_valid()  # the selection is checked on arrival too
    if confirming and form.is_valid():
        body = {"deleteNodeNames": form.cleaned_data["nodes"]}
        filed = _file(request, form, connection=connection, kind="delete_nodes", target=pool_name, body=body)
        if filed is not None:
            return filed
    selected = form.selected_nodes() if form.is_bound else []
    remaining = remaining_nodes(listed.nodes, [node.name for node in selected])
    context.update(
        {
            "form": form,
            "selected": selected,
            "nodes_before": len(listed.nodes),
            "nodes_after": len(remaining),
            "already_deleting": sum(1 for node in listed.nodes if node.phase == "Deleting"),
            "can_confirm": form.is_bound and "nodes" not in form.errors and bool(selected),
        }
    )
    return render(request, "pools/delete_nodes_request.html", context, status=200)
