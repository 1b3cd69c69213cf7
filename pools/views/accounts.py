"""Log-in and password change: Django's views with the throttled forms."""

from __future__ import annotations

from django.contrib.auth import views as auth_views

from pools.forms.login import ThrottledAuthenticationForm, ThrottledPasswordChangeForm


class ThrottledLoginView(auth_views.LoginView):
    form_class = ThrottledAuthenticationForm

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.throttled:
            response.status_code = 429
        return response


class ThrottledPasswordChangeView(auth_views.PasswordChangeView):
    form_class = ThrottledPasswordChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}
