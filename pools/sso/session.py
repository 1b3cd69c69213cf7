"""What a session remembers about how its person signed in.

A session signed in through the IdP is one whose authentication backend is ``SsoBackend`` (Django keeps the
backend's path in the session, server side). Such a person has no password the dashboard could check, so
approving, retrying and executing ask instead for a sign-in at the IdP no older than
``OIDC_REAUTH_MAX_AGE_SECONDS``: the ``auth_time`` of the newest ID token of this session.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY

SSO_BACKEND = "pools.sso.backend.SsoBackend"
AUTH_TIME = "sso_auth_time"
# A re-authentication under way: who asked for it and when (its ID token must be newer).
REAUTH = "sso_reauth"


def signed_in_with_sso(request) -> bool:
    return request is not None and request.session.get(BACKEND_SESSION_KEY) == SSO_BACKEND


def auth_age(request) -> float | None:
    """Seconds since the person last proved who they are at the IdP, or None if never in this session."""
    auth_time = request.session.get(AUTH_TIME)
    if not isinstance(auth_time, int | float):
        return None
    return max(0.0, time.time() - auth_time)


def freshly_authenticated(request) -> bool:
    age = auth_age(request)
    return age is not None and age <= settings.OIDC_REAUTH_MAX_AGE_SECONDS


def reauthentication_begin(request) -> None:
    request.session[REAUTH] = {"user": request.user.pk, "at": time.time()}


def reauthentication_pending(session) -> dict | None:
    pending = session.get(REAUTH)
    return pending if isinstance(pending, dict) else None
