"""The Monitoring tab of a pool: uPlot charts of every metric the API returns, and a CSV download."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import json_script
from django.utils.text import slugify
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from pools.forms.browse import MonitorForm
from pools.htmx import HtmxHttpRequest, template_for
from pools.permissions import VIEW_DASHBOARD, require
from pools.selectors.concurrent import concurrently
from pools.selectors.modelarts import pool_monitor, pool_monitor_chart
from pools.selectors.monitoring import CompactJSONEncoder, monitor_csv
from pools.views.browse import (
    query_without,
    raise_if_pool_missing,
    visible_connection,
    wants_refresh,
    with_refresh,
)
from pools.views.pools import DETAIL_PAGE, pool_context, read_pool

CHART_DATA_ID = "monitor-data"


def _read_monitor(
    request: HtmxHttpRequest, connection, pool_name: str, form: MonitorForm, selector=pool_monitor
):
    data = form.cleaned_data
    return selector(
        connection=connection,
        pool_name=pool_name,
        time_range=data["time_range"],
        statistics=data["statistics"],
        period=data["period_seconds"],
        refresh=wants_refresh(request),
    )


@require_safe
@require(VIEW_DASHBOARD)
@vary_on_headers("HX-Request")
def pool_monitoring(request: HtmxHttpRequest, connection_id: int, pool_name: str):
    connection = visible_connection(request, connection_id)
    form = MonitorForm.from_query(request.GET)
    read = pool_read = None
    if form.is_valid():
        # The pool around the charts and the series themselves: both read at once.
        read, pool_read = concurrently(
            lambda: _read_monitor(request, connection, pool_name, form, selector=pool_monitor_chart),
            lambda: read_pool(request, connection, pool_name),
        )
    context = {
        "tab": "monitoring",
        "monitor_form": form,
        **pool_context(request, connection, pool_name, pool_read),
    }
    query = query_without(request.GET)
    context["monitor_refresh_url"] = with_refresh(request.path, query)
    csv_url = reverse("pools:pool_monitoring_csv", args=[connection.pk, pool_name])
    context["csv_url"] = f"{csv_url}?{query}" if query else csv_url
    if read is not None:
        context.update(
            monitor_read=read,
            period=form.cleaned_data["period_seconds"],
            points=form.cleaned_data["time_range"].points(form.cleaned_data["period_seconds"]),
        )
        if read.value is not None:
            context.update(
                series=read.value["series"],
                chart_json=json_script(read.value, CHART_DATA_ID, encoder=CompactJSONEncoder),
            )
    return render(request, template_for(request, DETAIL_PAGE, "pool-tab"), context)


@require_safe
@require(VIEW_DASHBOARD)
def pool_monitoring_csv(request: HtmxHttpRequest, connection_id: int, pool_name: str):
    """The series of the chosen range as CSV; a bad range or a failed read says why (as text, never a 500)."""
    connection = visible_connection(request, connection_id)
    form = MonitorForm.from_query(request.GET)
    if not form.is_valid():
        problems = "; ".join(f"{field}: {' '.join(errors)}" for field, errors in form.errors.items())
        return HttpResponse(problems, status=400, content_type="text/plain; charset=utf-8")
    read = _read_monitor(request, connection, pool_name, form)
    raise_if_pool_missing(read)
    if read.value is None:
        details = read.error.details if read.error else {}
        text = read.error.message if read.error else "No data."
        text += "".join(f"\n{key}: {value}" for key, value in details.items() if value)
        return HttpResponse(text, status=502, content_type="text/plain; charset=utf-8")
    response = HttpResponse(monitor_csv(read.value), content_type="text/csv; charset=utf-8")
    filename = (
        f"{slugify(pool_name)}-{form.cleaned_data['statistics']}-{form.cleaned_data['period_seconds']}s.csv"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    if read.stale:
        response["X-Data-Stale"] = "1"
    return response
