"""Log-in: Django's view with the throttled form; a refused attempt answers 429."""

from __future__ import annotations

from django.contrib.auth import views as auth_views

from pools.forms.login import ThrottledAuthenticationForm


class ThrottledLoginView(auth_views.LoginView):
    form_class = ThrottledAuthenticationForm

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.throttled:
            response.status_code = 429
        return response
