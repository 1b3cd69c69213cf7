"""Reads of ModelArts through the API: connections, pools, one pool, its nodes, usage, statistics, monitoring.

The same selectors as the pages (cached, shared, never raising for an upstream failure) and the same input
checks (the pages' forms where they have one). Each answer is ``{"data": ..., "fetched_at", "stale",
"error"}``; a failed read with no earlier copy is a 502 with ModelArts' error and request id.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from pools.api.access import ApiView, holding
from pools.api.errors import BadInput, form_errors, read_answer
from pools.api.representations import connection_json, plain, with_raw
from pools.api.serializers import NodeQuery, WorkspaceQuery
from pools.forms.filters import MonitorForm, PoolFilterForm
from pools.models import Connection
from pools.permissions import VIEW_DASHBOARD
from pools.selectors.connections import connection_list_for
from pools.selectors.modelarts import node_scan, pool_get, pool_monitor, pool_statistics, runtime_metrics
from pools.selectors.workspace_pools import pool_listing

NO_SUCH_CONNECTION = _("No such connection.")
POOL_FILTERS = [
    OpenApiParameter("workspace", str, description="One workspace; empty: every workspace of the project."),
    OpenApiParameter("status", str, description="A pool phase, e.g. Running."),
    OpenApiParameter("labels", str, description="Passed to ModelArts as labelSelector."),
    OpenApiParameter("q", str, description="Text in the pool's name or display name."),
]
MONITOR_QUERY = [
    OpenApiParameter("range", str, enum=["1h", "6h", "24h", "7d", "custom"], description="Default 1h."),
    OpenApiParameter(
        "start", str, description="With range=custom: YYYY-MM-DDTHH:MM, UTC unless tz is given."
    ),
    OpenApiParameter("end", str, description="With range=custom."),
    OpenApiParameter("tz", int, description="Minutes east of UTC of start and end."),
    OpenApiParameter("statistics", str, description="average (default), maximum, minimum, sum, sampleCount."),
    OpenApiParameter(
        "period", int, description="Seconds; empty: the finest the range allows (1,440 points)."
    ),
]


def visible_connection(request, connection_id: int) -> Connection:
    connection = connection_list_for(request.user).filter(pk=connection_id).first()
    if connection is None:
        raise NotFound(NO_SUCH_CONNECTION)
    return connection


def chosen_connection(request, connection_id: int) -> Connection:
    """The connection a query or a body names: one the user may browse with, else a field error."""
    connection = connection_list_for(request.user).filter(pk=connection_id).first()
    if connection is None:
        raise BadInput({"connection": [NO_SUCH_CONNECTION]})
    return connection


def checked(serializer_class, request):
    serializer = serializer_class(data=request.query_params)
    if not serializer.is_valid():
        raise form_errors(serializer)
    return serializer


class ReadView(ApiView):
    permission_classes = [holding(VIEW_DASHBOARD)]


class ConnectionListView(ReadView):
    @extend_schema(responses=OpenApiTypes.OBJECT, summary="The connections you may browse with")
    def get(self, request):
        return Response({"data": [connection_json(c) for c in connection_list_for(request.user)]})


class PoolListView(ReadView):
    @extend_schema(
        parameters=POOL_FILTERS,
        responses=OpenApiTypes.OBJECT,
        summary="Pools of a connection",
        operation_id="pools_list",
    )
    def get(self, request, connection_id: int):
        connection = visible_connection(request, connection_id)
        form = PoolFilterForm(request.query_params)
        if not form.is_valid():
            raise form_errors(form)
        data = form.cleaned_data
        listing = pool_listing(
            connection=connection, workspace=data["workspace"] or None, label_selector=data["labels"] or None
        )
        search = data["q"].lower()

        def shown(value):
            return [
                with_raw(pool)
                for pool in value.items
                if (not data["status"] or pool.phase == data["status"])
                and (not search or search in pool.name.lower() or search in pool.display_name.lower())
            ]

        missing = list(listing.pools.value.missing) if listing.pools.value is not None else []
        return read_answer(
            listing.pools, shown, workspaces=list(listing.workspaces), missing_workspaces=missing
        )


class PoolDetailView(ReadView):
    @extend_schema(responses=OpenApiTypes.OBJECT, summary="One pool")
    def get(self, request, connection_id: int, pool_name: str):
        connection = visible_connection(request, connection_id)
        return read_answer(pool_get(connection=connection, name=pool_name), with_raw)


class NodeListView(ReadView):
    @extend_schema(parameters=[NodeQuery], responses=OpenApiTypes.OBJECT, summary="A page of a pool's nodes")
    def get(self, request, connection_id: int, pool_name: str):
        """Pass the answer's ``continue`` back as ``continue`` for the next page; null: the list has ended."""
        connection = visible_connection(request, connection_id)
        query = checked(NodeQuery, request)
        read = node_scan(
            connection=connection,
            pool_name=pool_name,
            phase=query.validated_data.get("phase") or None,
            continue_token=query.validated_data.get("continue") or None,
            limit=query.limit_or_default,
        )

        def page(value):
            return [with_raw(node) for node in value.items]

        extra = (
            {"continue": read.value.continue_token, "remaining": read.value.remaining} if read.value else {}
        )
        return read_answer(read, page, **extra)


class UsageView(ReadView):
    @extend_schema(responses=OpenApiTypes.OBJECT, summary="Resource usage of every pool of a connection")
    def get(self, request, connection_id: int):
        connection = visible_connection(request, connection_id)
        return read_answer(runtime_metrics(connection=connection), lambda value: plain(value.items))


class StatisticsView(ReadView):
    @extend_schema(parameters=[WorkspaceQuery], responses=OpenApiTypes.OBJECT, summary="Pool counters")
    def get(self, request, connection_id: int):
        connection = visible_connection(request, connection_id)
        workspace = checked(WorkspaceQuery, request).validated_data.get("workspace") or None
        return read_answer(pool_statistics(connection=connection, workspace_id=workspace), plain)


class MonitoringView(ReadView):
    @extend_schema(parameters=MONITOR_QUERY, responses=OpenApiTypes.OBJECT, summary="A pool's metrics")
    def get(self, request, connection_id: int, pool_name: str):
        """The same range rules as the Monitoring tab: at most 1,440 points per series."""
        connection = visible_connection(request, connection_id)
        form = MonitorForm.from_query(request.query_params)
        if not form.is_valid():
            raise form_errors(form)
        data = form.cleaned_data
        read = pool_monitor(
            connection=connection,
            pool_name=pool_name,
            time_range=data["time_range"],
            statistics=data["statistics"],
            period=data["period_seconds"],
        )
        answer = {"time_range": str(data["time_range"]), "period": data["period_seconds"]}
        return read_answer(read, plain, **answer, statistics=data["statistics"])
