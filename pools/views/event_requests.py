"""The page that turns accepting a scheduled maintenance event into a change request.

Nothing is accepted here: the page shows the event, lets the operator pick the start (within the event's
window) and the redeployment, warns that a HARD redeploy wipes the node's disks, and files a request that an
approver decides.
"""

from __future__ import annotations

import re

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from pools.forms.accept_event import HARD_WARNING, WORKSPACE, AcceptEventForm
from pools.htmx import HtmxHttpRequest
from pools.models import ChangeRequest
from pools.permissions import REQUEST_CHANGE, require
from pools.selectors.events import scheduled_event_get
from pools.views.connection_context import visible_connection
from pools.views.pool_requests import file_change_request

PAGE = "pools/accept_event_request.html"
NO_SUCH_EVENT = "ModelArts lists no such scheduled event for this pool."


def _workspace(request: HtmxHttpRequest, connection) -> str:
    given = request.POST.get("workspace") or request.GET.get("workspace") or ""
    if given and not re.fullmatch(WORKSPACE, given):
        raise Http404(NO_SUCH_EVENT)
    return given or connection.workspace_id or "0"


@require(REQUEST_CHANGE)
@require_http_methods(["GET", "POST"])
def accept_event_request(request: HtmxHttpRequest, connection_id: int, pool_name: str, event_id: str):
    connection = visible_connection(request, connection_id)
    workspace = _workspace(request, connection)
    read = scheduled_event_get(connection=connection, event_id=event_id, workspace_id=workspace)
    context = {
        "connection": connection,
        "pool_name": pool_name,
        "workspace": workspace,
        "read": read,
        "event": read.value,
        "hard_warning": HARD_WARNING,
    }
    if read.value is None:
        if read.error is None:
            raise Http404(NO_SUCH_EVENT)
        return render(request, PAGE, context, status=502)
    if read.value.pool_name != pool_name:
        raise Http404(NO_SUCH_EVENT)
    form = AcceptEventForm(request.POST or None, event=read.value, now=timezone.now())
    if request.method == "POST" and form.is_valid():
        filed = file_change_request(
            request,
            form,
            connection=connection,
            kind=ChangeRequest.Kind.ACCEPT_EVENT,
            target=pool_name,
            body=form.request_body(workspace),
        )
        if filed is not None:
            return filed
    return render(request, PAGE, {**context, "form": form})
