"""The blast radius of a filed node request (reboot, drain, reset, lock, unlock, delete nodes): the workloads on
its nodes now, against the count when it was filed. Loaded lazily into the request's card in the approval
queue and on the request's page (it calls ModelArts)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_GET

from pools.htmx import HtmxHttpRequest
from pools.permissions import APPROVE_CHANGE, REQUEST_CHANGE, VIEW_AUDIT
from pools.selectors.change_requests import change_request_get
from pools.selectors.workloads import change_request_blast_radius

PAGE = "pools/change_request_blast_radius.html"


@require_GET
def change_request_blast_radius_view(request: HtmxHttpRequest, pk: int):
    if not any(request.user.has_perm(perm) for perm in (APPROVE_CHANGE, VIEW_AUDIT, REQUEST_CHANGE)):
        raise PermissionDenied
    change_request = change_request_get(pk=pk, user=request.user)
    radius = change_request_blast_radius(change_request=change_request) if change_request.node_names else None
    context = {"change_request": change_request, "radius": radius}
    return render(request, PAGE, context)
