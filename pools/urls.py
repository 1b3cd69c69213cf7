from django.urls import path

from pools.views import audit, connections, overview

app_name = "pools"

urlpatterns = [
    path("", overview.overview, name="overview"),
    # Audit: the sealed history and its exports
    path("audit/", audit.audit_log, name="audit_log"),
    path("audit/chain/", audit.audit_chain, name="audit_chain"),
    path("audit/export.<str:fmt>", audit.audit_export, name="audit_export"),
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
