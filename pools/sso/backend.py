"""The authentication backend of single sign-on: mozilla-django-oidc's code flow, with every ID token
check made (pools/sso/tokens.py), users found by their IdP subject, and roles from the group claim.

A refusal of any kind (a bad token, an IdP that cannot be reached, someone else's sign-in arriving in a
signed-in session) signs nobody in and is logged with its reason; the person sees the log-in page with a
message, never an error page.
"""

from __future__ import annotations

import logging

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.utils.translation import gettext_lazy as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from pools.models import SsoIdentity
from pools.services import sso_accounts
from pools.sso import config, session, tokens

logger = logging.getLogger("pools.sso")

# Why the last sign-in of this browser was refused, for the log-in page.
FAILURE = "sso_failure"
REFUSED = _("The sign-in through your identity provider was refused. Try again, or ask an administrator.")
UNREACHABLE = _("Your identity provider could not be reached. Try again in a moment.")
SOMEONE_ELSE = _("You signed in at your identity provider as someone else: sign out of the dashboard first.")
NOT_REAUTHENTICATED = _(
    "Your identity provider did not ask you to sign in again, so this cannot count as a fresh sign-in."
)


class SsoRefused(Exception):
    def __init__(self, reason: str, message: str = REFUSED):
        super().__init__(reason)
        self.message = message


class SsoBackend(OIDCAuthenticationBackend):
    def __init__(self, *args, **kwargs):
        # Django builds every backend for each password log-in too: nothing here may reach the network.
        self.UserModel = get_user_model()
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None

    def authenticate(self, request, **kwargs):
        # Only the callback passes a nonce; a password log-in passes a username and password.
        if not settings.OIDC_ENABLED or request is None or "nonce" not in kwargs:
            return None
        try:
            endpoints = config.endpoints(settings)
            self.issuer = endpoints.issuer
            self.OIDC_OP_TOKEN_ENDPOINT = endpoints.token
            self.OIDC_OP_USER_ENDPOINT = endpoints.userinfo
            self.OIDC_OP_JWKS_ENDPOINT = endpoints.jwks
            return super().authenticate(request, **kwargs)
        except SsoRefused as refused:
            return self._refuse(request, str(refused), refused.message)
        except (tokens.InvalidIdToken, SuspiciousOperation, jwt.PyJWTError, KeyError, TypeError) as error:
            return self._refuse(request, f"{type(error).__name__}: {error}", REFUSED)
        except (requests.RequestException, ValueError) as error:
            return self._refuse(request, f"{type(error).__name__}: {error}", UNREACHABLE)

    def _refuse(self, request, reason: str, message: str):
        logger.warning("single sign-on refused: %s", reason)
        request.session[FAILURE] = message
        return None

    def verify_token(self, token, **kwargs):
        return tokens.validated_claims(
            token,
            key=self.retrieve_matching_jwk(token),
            algorithm=self.OIDC_RP_SIGN_ALGO,
            issuer=self.issuer,
            client_id=self.OIDC_RP_CLIENT_ID,
            nonce=kwargs.get("nonce"),
            leeway=settings.OIDC_CLOCK_SKEW_SECONDS,
        )

    def get_or_create_user(self, access_token, id_token, payload):
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if userinfo.get("sub") != payload["sub"]:
            raise SsoRefused("the userinfo answer is about another subject")
        claims = {**userinfo, **payload}  # the signed ID token wins; userinfo fills in
        self._check_same_person(payload)
        self._check_reauthentication(payload)
        groups = claims.get(settings.OIDC_GROUPS_CLAIM) or []
        groups = [groups] if isinstance(groups, str) else [g for g in groups if isinstance(g, str)]
        user = sso_accounts.sso_user_sync(
            issuer=self.issuer,
            subject=payload["sub"],
            username=str(claims.get(settings.OIDC_USERNAME_CLAIM) or claims.get("email") or ""),
            email=str(claims.get("email") or ""),
            roles=config.roles_for_groups(groups, settings.OIDC_GROUP_ROLES),
            groups=groups,
        )
        self.request.session[session.AUTH_TIME] = payload.get("auth_time") or payload["iat"]
        self.request.session.pop(session.REAUTH, None)
        self.request.session.pop(FAILURE, None)
        return user

    def _check_same_person(self, payload) -> None:
        """In a signed-in session, only its own person's sign-in counts (a re-authentication)."""
        signed_in = getattr(self.request, "user", None)
        if signed_in is None or not signed_in.is_authenticated:
            return
        linked = SsoIdentity.objects.filter(issuer=self.issuer, subject=payload["sub"], user=signed_in)
        if not linked.exists():
            raise SsoRefused(
                f"{payload['sub']!r} signed in inside {signed_in.get_username()!r}'s session", SOMEONE_ELSE
            )

    def _check_reauthentication(self, payload) -> None:
        """A re-authentication asked the IdP for a new sign-in (prompt=login, max_age=0): an ID token whose
        ``auth_time`` is older than that request shows the IdP reused an old sign-in."""
        pending = session.reauthentication_pending(self.request.session)
        if pending is None:
            return
        auth_time = payload.get("auth_time")
        if (
            not isinstance(auth_time, int | float)
            or auth_time < pending["at"] - settings.OIDC_CLOCK_SKEW_SECONDS
        ):
            self.request.session.pop(session.REAUTH, None)
            raise SsoRefused(f"re-authentication answered with auth_time {auth_time!r}", NOT_REAUTHENTICATED)

    # Permissions come from CachedPermissionsBackend alone (one cached read, not two queries more).
    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()

    def get_all_permissions(self, user_obj, obj=None):
        return set()
