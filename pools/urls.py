from django.urls import path

from pools.views import monitoring, nodes, overview, pools

app_name = "pools"

urlpatterns = [
    path("", overview.overview, name="overview"),
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
