"""Who calls the API: a personal token, sent as ``Authorization: Bearer mat_…`` (or ``Token mat_…``).

Only the token's digest is looked up (``services.api_tokens.api_token_authenticate``); what the caller may
do is decided in ``access``. (Kept apart from the views: REST framework imports this module from settings.)
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from pools.services.api_tokens import api_token_authenticate

KEYWORDS = (b"bearer", b"token")
BAD_HEADER = _("Send the token as 'Authorization: Bearer <token>'.")
BAD_TOKEN = _("That token is unknown, revoked or expired, or its user is inactive.")  # noqa: S105 (a message)


class ApiTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(BAD_HEADER)
        try:
            text = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(BAD_HEADER) from None
        token = api_token_authenticate(text)
        if token is None:
            raise exceptions.AuthenticationFailed(BAD_TOKEN)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema (and so Swagger UI's "Authorize") describes the token."""

    target_class = "pools.api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal token from the API tokens page.",
        }
