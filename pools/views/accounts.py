"""Log-in and password change: Django's views with the throttled forms."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views

from pools.forms.login import ThrottledAuthenticationForm, ThrottledPasswordChangeForm


class ThrottledLoginView(auth_views.LoginView):
    form_class = ThrottledAuthenticationForm

    def get_context_data(self, **kwargs):
        # Single sign-on offers its button; with LOCAL_LOGIN off the password form is the break-glass one.
        return {
            **super().get_context_data(**kwargs),
            "sso_enabled": settings.OIDC_ENABLED,
            "local_login": settings.LOCAL_LOGIN,
        }

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.throttled:
            response.status_code = 429
        return response


class ThrottledPasswordChangeView(auth_views.PasswordChangeView):
    form_class = ThrottledPasswordChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}
