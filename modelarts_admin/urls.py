from django.contrib import admin
from django.urls import include, path

from pools.forms.login import ThrottledAdminAuthenticationForm
from pools.views.accounts import ThrottledLoginView, ThrottledPasswordChangeView

# The admin's own log-in page counts failures in the same counters as ours.
admin.site.login_form = ThrottledAdminAuthenticationForm

urlpatterns = [
    # Before Django's auth URLs, so that these two check passwords through the throttle.
    path("accounts/login/", ThrottledLoginView.as_view(), name="login"),
    path("accounts/password_change/", ThrottledPasswordChangeView.as_view(), name="password_change"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("", include("pools.urls")),
]
