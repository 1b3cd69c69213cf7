"""The log-in forms (site and admin), with failed attempts throttled per username and per client address."""

from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm

from pools.services import login_throttle

THROTTLED = "throttled"


class ThrottledLoginMixin:
    """Refuse an attempt without checking its password while its username or address is locked out."""

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is None or not password:
            return super().clean()  # a field error already; no password to check
        attempt = login_throttle.login_attempt_begin(username=username, request=self.request)
        if attempt.refused:
            raise forms.ValidationError(login_throttle.locked_out_message(), code=THROTTLED)
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            # user_cache is set once the password matched, even if the account may not log in here.
            if self.user_cache is None:
                login_throttle.login_attempt_failed(attempt)
            else:
                login_throttle.login_attempt_succeeded(attempt)
            raise
        login_throttle.login_attempt_succeeded(attempt)
        return cleaned

    @property
    def throttled(self) -> bool:
        return any(error.code == THROTTLED for error in self.errors.as_data().get("__all__", []))


class ThrottledAuthenticationForm(ThrottledLoginMixin, AuthenticationForm):
    pass


class ThrottledAdminAuthenticationForm(ThrottledLoginMixin, AdminAuthenticationForm):
    pass
