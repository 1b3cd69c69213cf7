"""Log-in and password change: Django's views with the throttled forms."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from pools.forms.login import ThrottledAuthenticationForm, ThrottledPasswordChangeForm

NO_LOCAL_PASSWORD = _(
    "You sign in through your identity provider, so you have no password here to change. "
    "Change your password with your identity provider."
)
NO_LOCAL_PASSWORD_PAGE = "registration/password_change_unavailable.html"  # noqa: S105


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

    def dispatch(self, request, *args, **kwargs):
        # Single sign-on makes its people without a usable password: there is nothing here to change.
        if request.user.is_authenticated and not request.user.has_usable_password():
            return render(request, NO_LOCAL_PASSWORD_PAGE, {"message": NO_LOCAL_PASSWORD}, status=403)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}
