"""The app's addresses, grouped by the section of the main navigation they belong to.

URL names are snake_case ``<entity>_<action>`` (``pool_list``, ``connection_create``,
``change_request_detail``). ``NAV_SECTIONS`` says which navigation link is marked active on each page
(``{% nav_section %}`` in templates/base.html).
"""

from django.urls import path

from pools.views import (
    api_tokens,
    approvals,
    audit,
    blast_radius,
    connections,
    event_requests,
    events,
    monitoring,
    node_action_requests,
    nodes,
    notification_routes,
    overview,
    pool_changes,
    pool_requests,
    pool_wizard,
    pools,
    workloads,
)

app_name = "pools"

overview_urls = [
    path("", overview.overview, name="overview"),
    path("overview/<int:connection_id>/", overview.overview_card, name="overview_card"),
]

pool_urls = [
    path("pools/", pools.pool_list_view, name="pool_list"),
    path("pools/<int:connection_id>/<str:pool_name>/", pools.pool_detail, name="pool_detail"),
    path("pools/<int:connection_id>/<str:pool_name>/nodes/", nodes.pool_nodes, name="pool_nodes"),
    path(
        "pools/<int:connection_id>/<str:pool_name>/workloads/",
        workloads.pool_workloads_view,
        name="pool_workloads",
    ),
    path(
        "pools/<int:connection_id>/<str:pool_name>/workloads/counts/",
        workloads.pool_workload_counts,
        name="pool_workload_counts",
    ),
    path(
        "pools/<int:connection_id>/<str:pool_name>/node/<str:node_name>/",
        workloads.node_detail,
        name="node_detail",
    ),
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
    path("pools/<int:connection_id>/<str:pool_name>/events/", events.pool_events, name="pool_events"),
    # Pages that file change requests about pools: the wizard and the delete requests
    path("pool-wizard/", pool_wizard.pool_wizard_start, name="pool_wizard_start"),
    path("pool-wizard/<slug:wizard_id>/<slug:step>/", pool_wizard.pool_wizard_step, name="pool_wizard_step"),
    path(
        "pools/<int:connection_id>/<str:pool_name>/delete/",
        pool_requests.delete_pool_request,
        name="delete_pool_request",
    ),
    path(
        "pools/<int:connection_id>/<str:pool_name>/events/<str:event_id>/accept/",
        event_requests.accept_event_request,
        name="accept_event_request",
    ),
    path(
        "pools/<int:connection_id>/<str:pool_name>/nodes/delete/",
        pool_requests.delete_nodes_request,
        name="delete_nodes_request",
    ),
    # Pages that file changes to a pool: scale, edit, tags
    path(
        "pools/<int:connection_id>/<str:pool_name>/scale/",
        pool_changes.scale_pool_request,
        name="scale_pool_request",
    ),
    path(
        "pools/<int:connection_id>/<str:pool_name>/edit/",
        pool_changes.edit_pool_request,
        name="edit_pool_request",
    ),
    path(
        "pools/<int:connection_id>/<str:pool_name>/tags/",
        pool_changes.pool_tags_request,
        name="pool_tags_request",
    ),
    # Node actions on a selection of nodes, each a change request of its own kind
    *[
        path(
            f"pools/<int:connection_id>/<str:pool_name>/nodes/{action}/",
            node_action_requests.node_action_request,
            {"action": action},
            name=f"{action}_nodes_request",
        )
        for action in node_action_requests.KINDS
    ],
]

event_urls = [
    path("events/", events.events_inbox_view, name="events_inbox"),
]

connection_urls = [
    path("connections/", connections.connection_list_view, name="connection_list"),
    path("connections/new/", connections.connection_create_view, name="connection_create"),
    path("connections/<int:pk>/edit/", connections.connection_edit_view, name="connection_edit"),
    path("connections/<int:pk>/delete/", connections.connection_delete_view, name="connection_delete"),
    path("connections/<int:pk>/test/", connections.connection_test_view, name="connection_test"),
    path("connections/switch/", connections.connection_switch_view, name="connection_switch"),
    # Where each connection's notifications go
    path(
        "connections/<int:pk>/notifications/",
        notification_routes.notification_route_list_view,
        name="notification_route_list",
    ),
    path(
        "connections/<int:pk>/notifications/new/",
        notification_routes.notification_route_create_view,
        name="notification_route_create",
    ),
    path(
        "connections/<int:pk>/notifications/<int:route_id>/edit/",
        notification_routes.notification_route_edit_view,
        name="notification_route_edit",
    ),
    path(
        "connections/<int:pk>/notifications/<int:route_id>/delete/",
        notification_routes.notification_route_delete_view,
        name="notification_route_delete",
    ),
    path(
        "connections/<int:pk>/notifications/<int:route_id>/test/",
        notification_routes.notification_route_test_view,
        name="notification_route_test",
    ),
]

approval_urls = [
    path("approvals/", approvals.approval_queue, name="approval_queue"),
    path("approvals/history/", approvals.approval_history, name="approval_history"),
    path("requests/<int:pk>/", approvals.change_request_detail, name="change_request_detail"),
    path(
        "requests/<int:pk>/revalidation/",
        approvals.change_request_revalidation,
        name="change_request_revalidation",
    ),
    path(
        "requests/<int:pk>/blast-radius/",
        blast_radius.change_request_blast_radius_view,
        name="change_request_blast_radius",
    ),
    path("requests/<int:pk>/approve/", approvals.change_request_approve_view, name="change_request_approve"),
    path("requests/<int:pk>/reject/", approvals.change_request_reject_view, name="change_request_reject"),
    path("requests/<int:pk>/retry/", approvals.change_request_retry_view, name="change_request_retry"),
    path("requests/<int:pk>/execute/", approvals.change_request_execute_view, name="change_request_execute"),
    path("requests/<int:pk>/cancel/", approvals.change_request_cancel_view, name="change_request_cancel"),
    path(
        "requests/<int:pk>/check-progress/",
        approvals.change_request_check_progress_view,
        name="change_request_check_progress",
    ),
    path("requests/<int:pk>/comment/", approvals.change_request_comment_view, name="change_request_comment"),
]

my_request_urls = [
    path("requests/mine/", approvals.my_requests, name="my_requests"),
]

audit_urls = [
    # The sealed history and its exports
    path("audit/", audit.audit_log, name="audit_log"),
    path("audit/chain/", audit.audit_chain, name="audit_chain"),
    path("audit/export.<str:fmt>", audit.audit_export, name="audit_export"),
]

api_token_urls = [
    path("api-tokens/", api_tokens.api_token_list_view, name="api_token_list"),
    path("api-tokens/all/", api_tokens.api_token_admin, name="api_token_admin"),
    path("api-tokens/<int:pk>/revoke/", api_tokens.api_token_revoke_view, name="api_token_revoke"),
]

SECTIONS = {
    "overview": overview_urls,
    "pools": pool_urls,
    "events": event_urls,
    "connections": connection_urls,
    "approvals": approval_urls,
    "my_requests": my_request_urls,
    "audit": audit_urls,
    "api_tokens": api_token_urls,
}

urlpatterns = [pattern for patterns in SECTIONS.values() for pattern in patterns]

# url name -> the navigation section it belongs to
NAV_SECTIONS = {pattern.name: section for section, patterns in SECTIONS.items() for pattern in patterns}
