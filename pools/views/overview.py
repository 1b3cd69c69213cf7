from django.shortcuts import render

from pools.htmx import HtmxHttpRequest
from pools.permissions import VIEW_DASHBOARD, require


@require(VIEW_DASHBOARD)
def overview(request: HtmxHttpRequest):
    return render(request, "pools/overview.html")
