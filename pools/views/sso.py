"""Single sign-on pages: start a sign-in at the IdP, its callback, a re-authentication before deciding, the
page of a person without a role, and log-out (ending the IdP's session too when configured).

Built on mozilla-django-oidc's views (state, nonce and PKCE kept in the session, ``next`` checked to stay on
this site); what they would answer with an error page (an unknown state, an IdP error) is answered here with
the log-in page and a message. With ``OIDC_ENABLED`` off each of them sends the visitor to the log-in page.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required, login_required
from django.core.exceptions import SuspiciousOperation
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_GET
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
    get_next_url,
)

from pools.sso import backend, config, session

logger = logging.getLogger("pools.sso")

SSO_OFF = "Single sign-on is not configured here: log in with your username and password."
PASSWORD_SESSION = "You signed in with a password: deciding asks for it again on the card."  # noqa: S105 (a message)
NO_ROLE_PAGE = "registration/sso_no_role.html"


@method_decorator(login_not_required, name="dispatch")
class SsoLoginView(OIDCAuthenticationRequestView):
    """GET: off to the IdP's authorization endpoint with a fresh state, nonce and PKCE challenge."""

    def __init__(self, *args, **kwargs):
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)  # endpoints only when used
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID

    def get(self, request):
        if not settings.OIDC_ENABLED:
            messages.info(request, SSO_OFF)
            return redirect(settings.LOGIN_URL)
        try:
            self.OIDC_OP_AUTH_ENDPOINT = config.endpoints(settings).authorization
        except (requests.RequestException, ValueError) as error:
            logger.warning("single sign-on: the IdP's endpoints could not be read: %s", error)
            messages.error(request, backend.UNREACHABLE)
            return redirect(settings.LOGIN_URL)
        return super().get(request)

    def get_extra_params(self, request):
        return {}


@method_decorator(login_required, name="dispatch")
class SsoReauthenticateView(SsoLoginView):
    """GET ?next=…: the signed-in person signs in at the IdP again (``prompt=login``, ``max_age=0``); the
    callback stores the new ``auth_time`` and returns to ``next`` (a path on this site only)."""

    def get(self, request):
        if settings.OIDC_ENABLED and not session.signed_in_with_sso(request):
            messages.info(request, PASSWORD_SESSION)
            return HttpResponseRedirect(get_next_url(request, "next") or settings.LOGIN_REDIRECT_URL)
        if settings.OIDC_ENABLED:
            session.reauthentication_begin(request)
        return super().get(request)

    def get_extra_params(self, request):
        return {"prompt": "login", "max_age": "0"}


@method_decorator(login_not_required, name="dispatch")
class SsoCallbackView(OIDCAuthenticationCallbackView):
    """GET ?code&state: mozilla-django-oidc checks the state, the backend everything else."""

    def get(self, request):
        if not settings.OIDC_ENABLED:
            return redirect(settings.LOGIN_URL)
        if request.GET.get("error"):
            logger.warning("single sign-on: the IdP answered %s", request.GET.get("error"))
            request.session.get("oidc_states", {}).pop(request.GET.get("state"), None)
            request.session.modified = True
            return self.login_failure()
        try:
            return super().get(request)
        except SuspiciousOperation as error:  # a state this browser never sent: a replay or a forgery
            logger.warning("single sign-on refused: %s", error)
            return self.login_failure()

    def login_failure(self):
        message = self.request.session.pop(backend.FAILURE, backend.REFUSED)
        messages.error(self.request, message)
        self.request.session.pop(session.REAUTH, None)
        if self.request.user.is_authenticated:  # a re-authentication: back where the person was
            return HttpResponseRedirect(
                self.request.session.get("oidc_login_next") or settings.LOGIN_REDIRECT_URL
            )
        return redirect(settings.LOGIN_URL)

    def login_success(self):
        response = super().login_success()
        if not self.user.groups.exists():
            return redirect("sso_no_role")
        return response


@require_GET
@login_required
def sso_no_role(request):
    """What a signed-in person without any role sees instead of a wall of 403s."""
    context = {
        "mapping": sorted(settings.OIDC_GROUP_ROLES.items()),
        "signed_in_with_sso": session.signed_in_with_sso(request),
    }
    return render(request, NO_ROLE_PAGE, context)


class SsoLogoutView(auth_views.LogoutView):
    """Django's log-out; a session signed in through the IdP then goes to the IdP's end-session endpoint
    (RP-initiated log-out, with the ID token as hint) when ``OIDC_LOGOUT_AT_IDP`` is on."""

    def post(self, request, *args, **kwargs):
        id_token = request.session.get("oidc_id_token")
        was_sso = session.signed_in_with_sso(request)
        response = super().post(request, *args, **kwargs)
        if not (was_sso and settings.OIDC_ENABLED and settings.OIDC_LOGOUT_AT_IDP and id_token):
            return response
        try:
            end_session = config.endpoints(settings).end_session
        except (requests.RequestException, ValueError) as error:
            logger.warning("single sign-on: could not end the IdP's session: %s", error)
            return response
        if not end_session:
            return response
        query = urlencode(
            {
                "id_token_hint": id_token,
                "client_id": settings.OIDC_RP_CLIENT_ID,
                "post_logout_redirect_uri": request.build_absolute_uri(settings.LOGOUT_REDIRECT_URL),
            }
        )
        return HttpResponseRedirect(f"{end_session}?{query}")
