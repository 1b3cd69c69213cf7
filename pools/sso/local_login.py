"""Local passwords: on (``LOCAL_LOGIN``, the default) or off except for one break-glass administrator.

Checked twice: by the log-in forms (a clear message, no password checked) and by the password backend
itself, so no other way in (the admin's log-in, a future API) can use a password either.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY

from pools.sso.session import SSO_BACKEND

LOCAL_LOGIN_OFF = "Passwords are turned off here: sign in through your identity provider."  # noqa: S105


def password_login_allowed(username: str | None) -> bool:
    if settings.LOCAL_LOGIN:
        return True
    break_glass = settings.LOCAL_LOGIN_BREAK_GLASS_USERNAME
    return bool(break_glass) and username == break_glass


def record_break_glass_login(sender, request, user, **kwargs) -> None:
    """``user_logged_in`` handler: a password log-in while local log-in is off is the break-glass one."""
    if settings.LOCAL_LOGIN or request is None or request.session.get(BACKEND_SESSION_KEY) == SSO_BACKEND:
        return
    from pools.services import login_throttle, sso_accounts

    via = "admin" if request.path.startswith("/admin/") else "dashboard"
    sso_accounts.break_glass_login_record(user=user, ip=login_throttle.client_ip(request), via=via)
