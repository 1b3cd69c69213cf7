"""Pages that turn a destructive action into a change request: delete a pool, delete some of its nodes.

Nothing is deleted here: each page confirms what would go, asks why, and files a request for approval. A
refusal by the service (ApplicationError) goes on the form: on the field it names, and as the page's banner;
a PermissionDenied is a 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from pools.core.errors import ApplicationError
from pools.forms.pool_requests import DeleteNodesForm, DeletePoolForm, nodes_being_deleted, remaining_nodes
from pools.htmx import HtmxHttpRequest
from pools.models import ChangeRequest, Connection
from pools.permissions import REQUEST_CHANGE, require
from pools.selectors.change_requests import can_view, open_change_requests_by_pool
from pools.selectors.modelarts import pool_get
from pools.selectors.pool_requests import pool_deletion, pool_nodes_all
from pools.selectors.workloads import blast_radius
from pools.services import change_requests
from pools.views.connection_context import visible_connection

DELETE_POOL_PAGE = "pools/delete_pool_request.html"
DELETE_NODES_PAGE = "pools/delete_nodes_request.html"
FILED = _("Change request #{pk} is waiting for approval: {summary}.")
SENT_BEFORE = _(
    "This form already filed change request #{pk}, with other values. It is ready again: send it to file this "
    "change as a new request."
)


def file_change_request(
    request, form, *, connection: Connection, kind: str, target: str, body
) -> HttpResponseRedirect | None:
    """File the request and go to it; on a refusal put it on the form and return None."""
    try:
        change_request = change_requests.change_request_create(
            user=request.user,
            connection=connection,
            kind=kind,
            target=target,
            body=body,
            reason=form.cleaned_data["reason"],
            idempotency_key=form.cleaned_data["submission_key"],
        )
    except change_requests.SubmissionReused as reused:
        # Sent before with other values (back, edit, send): say so, and let the form go again as a new one.
        form.add_error(None, SENT_BEFORE.format(pk=reused.existing.pk))
        form.renew_key()
        return None
    except change_requests.OpenRequestExists as duplicate:
        if can_view(request.user, duplicate.existing):
            # The request that already asks for this change is where to go (and to add a comment).
            messages.info(request, duplicate.message)
            return HttpResponseRedirect(reverse("pools:change_request_detail", args=[duplicate.existing.pk]))
        form.add_error(None, duplicate.message)
        form.refusal = duplicate
        return None
    except ApplicationError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        form.refusal = error
        return None
    messages.success(request, FILED.format(pk=change_request.pk, summary=change_request.summary))
    return HttpResponseRedirect(reverse("pools:change_request_detail", args=[change_request.pk]))


@require(REQUEST_CHANGE)
@require_http_methods(["GET", "POST"])
def delete_pool_request(request: HtmxHttpRequest, connection_id: int, pool_name: str):
    connection = visible_connection(request, connection_id)
    read = pool_get(connection=connection, name=pool_name)
    context = {"connection": connection, "pool_name": pool_name, "read": read, "pool": read.value}
    if read.value is None:
        not_found = read.error is not None and getattr(read.error.upstream, "status", None) == 404
        return render(request, DELETE_POOL_PAGE, context, status=404 if not_found else 502)
    deletion = pool_deletion(
        pool=read.value, open_requests=open_change_requests_by_pool(connection).get(read.value.name, [])
    )
    if request.method == "GET" and not deletion.can_request:
        # Nothing to confirm: the page says why, or links to the request that already asks for it. (A POST
        # goes on to the service, which refuses the same way, or returns the request this form already filed.)
        return render(request, DELETE_POOL_PAGE, {**context, "deletion": deletion})

    form = DeletePoolForm(request.POST or None, pool=read.value)
    if request.method == "POST" and form.is_valid():
        filed = file_change_request(
            request,
            form,
            connection=connection,
            kind=ChangeRequest.Kind.DELETE_POOL,
            target=read.value.name,
            body=None,
        )
        if filed is not None:
            return filed
    return render(request, DELETE_POOL_PAGE, {**context, "form": form})


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
        return render(request, DELETE_NODES_PAGE, context, status=502)

    confirming = request.method == "POST" and request.POST.get("confirm") == "1"
    data = request.POST if request.method == "POST" else (request.GET if "nodes" in request.GET else None)
    form = DeleteNodesForm(data, pool_nodes=listed.nodes, selection_only=not confirming)
    if form.is_bound:
        form.is_valid()  # the selection is checked on arrival too
    if confirming and form.is_valid():
        body = {"deleteNodeNames": form.cleaned_data["nodes"]}
        kind = ChangeRequest.Kind.DELETE_NODES
        filed = file_change_request(
            request, form, connection=connection, kind=kind, target=pool_name, body=body
        )
        if filed is not None:
            return filed
    context.update(_selection_context(form, listed.nodes))
    if context["selected"]:
        context["radius_read"] = blast_radius(
            connection=connection, pool_name=pool_name, nodes=context["selected"]
        )
    return render(request, DELETE_NODES_PAGE, context, status=200)


def _selection_context(form: DeleteNodesForm, pool_nodes: list) -> dict:
    """The nodes picked, the pool's node count before and after, and whether the selection can be confirmed."""
    selected = form.selected_nodes() if form.is_bound else []
    return {
        "form": form,
        "selected": selected,
        "nodes_before": len(pool_nodes),
        "nodes_after": len(remaining_nodes(pool_nodes, [node.name for node in selected])),
        "already_deleting": len(nodes_being_deleted(pool_nodes)),
        "can_confirm": form.is_bound and "nodes" not in form.errors and bool(selected),
    }
