from django.urls import path

from pools.views import overview

app_name = "pools"

urlpatterns = [
    path("", overview.overview, name="overview"),
]
