"""The log-in forms (site and admin) and the password change form, with wrong passwords throttled per
(username, client address) pair and per address, and a signed-in user's own checks per session."""

from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.views.decorators.debug import sensitive_variables

from pools.services import login_throttle
from pools.sso.local_login import LOCAL_LOGIN_OFF, password_login_allowed

THROTTLED = "throttled"


class ThrottledLoginMixin:
    """Refuse an attempt without checking its password while its (username, address) pair or its address
    is locked out."""

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is None or not password:
            return super().clean()  # a field error already; no password to check
        if not password_login_allowed(username):
            raise forms.ValidationError(LOCAL_LOGIN_OFF, code="local_login_off")
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


class ThrottledPasswordChangeForm(PasswordChangeForm):
    """The old password is checked through the session's password-check counter."""

    def __init__(self, user, *args, request, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.request = request

    @sensitive_variables("old_password")
    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        try:
            correct = login_throttle.password_recheck(
                user=self.user, password=old_password, request=self.request
            )
        except login_throttle.PasswordChecksPaused as paused:
            raise forms.ValidationError(str(paused), code=THROTTLED) from None
        if not correct:
            raise forms.ValidationError(self.error_messages["password_incorrect"], code="password_incorrect")
        return old_password
