"""What a token may do: its user's permissions, asked afresh on every call (a role taken away applies at
once), narrowed by its scopes: a token without the ``change`` scope files nothing, one without ``approve``
decides nothing. ``ApiView`` is every API view's base: what it does is audited as done through the token.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from rest_framework import permissions
from rest_framework.views import APIView

from pools import audit
from pools.models.api_token import SCOPE_APPROVE

MISSING_PERMISSION = _("Your roles do not allow this.")
MISSING_SCOPE = _("This token lacks the '{scope}' scope that this needs (see the API tokens page).")
APPROVAL_OFF = _(
    "Approving through the API is turned off on this dashboard (API_APPROVAL_TOKENS): approve in the browser."
)


def holding(*perms: str) -> type[permissions.BasePermission]:
    """A permission class: the token's user holds any of ``perms``."""

    class Holding(permissions.BasePermission):
        message = MISSING_PERMISSION

        def has_permission(self, request, view) -> bool:
            user = request.user
            return bool(user and user.is_authenticated and any(user.has_perm(perm) for perm in perms))

    Holding.__name__ = f"Holding({', '.join(perms)})"
    return Holding


def scoped(scope: str) -> type[permissions.BasePermission]:
    """A permission class: the call came with a token that has ``scope`` (and, to approve, the setting is on)."""

    class Scoped(permissions.BasePermission):
        message = format_lazy(MISSING_SCOPE, scope=scope)

        def has_permission(self, request, view) -> bool:
            if scope == SCOPE_APPROVE and not settings.API_APPROVAL_TOKENS:
                self.message = APPROVAL_OFF
                return False
            token = request.auth
            return token is not None and token.has_scope(scope)

    Scoped.__name__ = f"Scoped({scope})"
    return Scoped


class ApiView(APIView):
    """The base of every API view: what it does through a token is audited as done through that token."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.auth is not None:
            self._acting = audit.acting_through_token(request.auth.name)
            self._acting.__enter__()

    def finalize_response(self, request, response, *args, **kwargs):
        acting = getattr(self, "_acting", None)
        if acting is not None:
            self._acting = None
            acting.__exit__(None, None, None)
        return super().finalize_response(request, response, *args, **kwargs)
