"""The API's addresses (/api/v1/…, names in the ``api`` namespace), its OpenAPI schema and its docs page.

The API answers tokens, not the pages' session, so its routes skip the log-in redirect
(``login_not_required``) and answer 401 instead. The schema also answers a signed-in browser, for the docs
page, which is served from drf-spectacular-sidecar's vendored Swagger UI (nothing from a CDN).
"""

from django.contrib.auth.decorators import login_not_required, login_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated

from pools.api import audit, change_requests, reads
from pools.api.authentication import ApiTokenAuthentication

app_name = "api"


def api(view):
    return login_not_required(view.as_view())


schema = SpectacularAPIView.as_view(
    authentication_classes=[ApiTokenAuthentication, SessionAuthentication],
    permission_classes=[IsAuthenticated],
)
# REST framework's views skip the log-in redirect; the docs page is for people, so it asks them to log in.
docs = login_required(
    SpectacularSwaggerSplitView.as_view(
        url_name="api:schema",
        authentication_classes=[SessionAuthentication],
        template_name="api/swagger_ui.html",
        title="ModelArts Admin API",
    )
)

pool = "connections/<int:connection_id>/pools/<str:pool_name>/"
urlpatterns = [
    path("schema/", login_not_required(schema), name="schema"),
    path("docs/", docs, name="docs"),
    path("connections/", api(reads.ConnectionListView), name="connection_list"),
    path("connections/<int:connection_id>/pools/", api(reads.PoolListView), name="pool_list"),
    path(pool, api(reads.PoolDetailView), name="pool_detail"),
    path(pool + "nodes/", api(reads.NodeListView), name="node_list"),
    path(pool + "monitoring/", api(reads.MonitoringView), name="pool_monitoring"),
    path("connections/<int:connection_id>/usage/", api(reads.UsageView), name="usage"),
    path("connections/<int:connection_id>/statistics/", api(reads.StatisticsView), name="statistics"),
    path("change-requests/", api(change_requests.ChangeRequestListView), name="change_request_list"),
    path(
        "change-requests/<int:pk>/",
        api(change_requests.ChangeRequestDetailView),
        name="change_request_detail",
    ),
    path(
        "change-requests/<int:pk>/comments/",
        api(change_requests.ChangeRequestCommentView),
        name="change_request_comment",
    ),
    path(
        "change-requests/<int:pk>/cancel/",
        api(change_requests.ChangeRequestCancelView),
        name="change_request_cancel",
    ),
    path(
        "change-requests/<int:pk>/approve/", api(change_requests.ApproveView), name="change_request_approve"
    ),
    path("change-requests/<int:pk>/reject/", api(change_requests.RejectView), name="change_request_reject"),
    path("audit-entries/", api(audit.AuditEntryListView), name="audit_entry_list"),
]
