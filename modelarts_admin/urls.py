from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.decorators.http import require_safe

from pools.forms.login import ThrottledAdminAuthenticationForm
from pools.observability.exposition import metrics_view
from pools.observability.health import LivenessView, ReadinessView
from pools.views import languages, sso
from pools.views.accounts import ThrottledLoginView, ThrottledPasswordChangeView

# The admin's own log-in page counts failures in the same counters as ours.
admin.site.login_form = ThrottledAdminAuthenticationForm


@login_not_required
@require_safe
def favicon(request):
    # Browsers ask for /favicon.ico on pages that name no icon (the admin's, JSON answers): the dashboard's.
    return redirect(static("favicon.svg"))


urlpatterns = [
    # Log-in and password change check passwords through the throttle. There is no self-service password
    # reset by e-mail: administrators manage accounts, and an open reset form would let anyone flood inboxes.
    path("accounts/login/", ThrottledLoginView.as_view(), name="login"),
    path("accounts/logout/", sso.SsoLogoutView.as_view(), name="logout"),
    # Single sign-on (pools/views/sso.py); each answers with the log-in page while OIDC_ENABLED is off.
    path("accounts/sso/login/", sso.SsoLoginView.as_view(), name="sso_login"),
    path("accounts/sso/callback/", sso.SsoCallbackView.as_view(), name="sso_callback"),
    path("accounts/sso/reauthenticate/", sso.SsoReauthenticateView.as_view(), name="sso_reauthenticate"),
    path("accounts/sso/no-role/", sso.sso_no_role, name="sso_no_role"),
    path("accounts/password_change/", ThrottledPasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    # The header's language switcher posts here (the log-in page has it too): Django's set_language, which
    # also saves a signed-in person's choice on their profile (pools/views/languages.py).
    path("i18n/setlang/", languages.set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("pools.api.urls")),
    # For machines, without a log-in: Prometheus (token or allowed address), liveness and readiness probes.
    path("favicon.ico", favicon, name="favicon"),
    path("metrics", metrics_view, name="metrics"),
    path("health/live/", login_not_required(LivenessView.as_view()), name="health_live"),
    path("health/ready/", login_not_required(ReadinessView.as_view()), name="health_ready"),
    path("", include("pools.urls")),
]
