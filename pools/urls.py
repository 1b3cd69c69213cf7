from django.urls import path

from pools.views import (
    approvals,
    audit,
    connections,
    monitoring,
    nodes,
    overview,
    pool_requests,
    pool_wizard,
    pools,
)

app_name = "pools"

urlpatterns = [
    path("", overview.overview, name="overview"),
    # Wizard and delete requests: pages that file change requests
    path("pool-wizard/", pool_wizard.pool_wizard_start, name="pool_wizard_start"),
    path("pool-wizard/<slug:wizard_id>/<slug:step>/", pool_wizard.pool_wizard_step, name="pool_wizard_step"),
    path(
        "pools/<int:connection_id>/<str:pool_name>/delete/",
        pool_requests.delete_pool_request,
        name="delete_pool_request",
    ),
    path(
        "pools/<int:connection_id>/<str:pool_name>/nodes/delete/",
        pool_requests.delete_nodes_request,
        name="delete_nodes_request",
    ),
    # Audit: the sealed history and its exports
    path("audit/", audit.audit_log, name="audit_log"),
    path("audit/chain/", audit.audit_chain, name="audit_chain"),
    path("audit/export.<str:fmt>", audit.audit_export, name="audit_export"),
]

# --- browse: overview cards, pools, nodes, monitoring ---
urlpatterns += [
    path("overview/<int:connection_id>/", overview.overview_card, name="overview_card"),
    path("pools/", pools.pool_list_view, name="pool_list"),
    path("pools/<int:connection_id>/<str:pool_name>/", pools.pool_detail, name="pool_detail"),
    path("pools/<int:connection_id>/<str:pool_name>/nodes/", nodes.pool_nodes, name="pool_nodes"),
    path(
        "pools/<int:connection_id>/<str:pool_name>/monitoring/",
        monitoring.pool_monitoring,
        name="pool_monitoring",
    ),
    path(
        "pools/<int:connection_id>/<str:pool_name>/monitoring.csv",
        monitoring.pool_monitoring_csv,
        name="pool_monitoring_csv",
    ),
]

# --- connections ---
urlpatterns += [
    path("connections/", connections.connection_list_view, name="connections"),
    path("connections/new/", connections.connection_create_view, name="connection-create"),
    path("connections/<int:pk>/edit/", connections.connection_edit_view, name="connection-edit"),
    path("connections/<int:pk>/delete/", connections.connection_delete_view, name="connection-delete"),
    path("connections/<int:pk>/test/", connections.connection_test_view, name="connection-test"),
    path("connections/switch/", connections.connection_switch_view, name="connection-switch"),
]

# --- approvals (change requests) ---
urlpatterns += [
    path("approvals/", approvals.approval_queue, name="approvals"),
    path("approvals/history/", approvals.approval_history, name="approvals-history"),
    path("requests/mine/", approvals.my_requests, name="my-requests"),
    path("requests/<int:pk>/", approvals.change_request_detail, name="change-request-detail"),
    path(
        "requests/<int:pk>/revalidation/",
        approvals.change_request_revalidation,
        name="change-request-revalidation",
    ),
    path("requests/<int:pk>/approve/", approvals.change_request_approve_view, name="change-request-approve"),
    path("requests/<int:pk>/reject/", approvals.change_request_reject_view, name="change-request-reject"),
    path("requests/<int:pk>/retry/", approvals.change_request_retry_view, name="change-request-retry"),
    path("requests/<int:pk>/execute/", approvals.change_request_execute_view, name="change-request-execute"),
    path("requests/<int:pk>/cancel/", approvals.change_request_cancel_view, name="change-request-cancel"),
    path("requests/<int:pk>/comment/", approvals.change_request_comment_view, name="change-request-comment"),
]
