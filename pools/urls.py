from django.urls import path

from pools.views import audit, overview

app_name = "pools"

urlpatterns = [
    path("", overview.overview, name="overview"),
    # Audit: the sealed history and its exports
    path("audit/", audit.audit_log, name="audit_log"),
    path("audit/chain/", audit.audit_chain, name="audit_chain"),
    path("audit/export.<str:fmt>", audit.audit_export, name="audit_export"),
]
