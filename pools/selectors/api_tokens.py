"""Reads of API tokens: one user's, everyone's (for administrators), one token."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from pools.models import ApiToken
from pools.permissions import MANAGE_API_TOKENS


def api_token_list(*, user) -> QuerySet[ApiToken]:
    """``user``'s tokens, newest first, revoked ones included (they show as revoked)."""
    return ApiToken.objects.filter(user=user).select_related("revoked_by")


def api_token_list_all() -> QuerySet[ApiToken]:
    """Every token not yet revoked, newest first, with its user: the administrators' page."""
    return ApiToken.objects.filter(revoked_at__isnull=True).select_related("user")


def api_token_get(*, pk: int, user) -> ApiToken:
    """A token ``user`` may revoke: their own, or anyone's for MANAGE_API_TOKENS (404 otherwise)."""
    tokens = ApiToken.objects.select_related("user")
    if not user.has_perm(MANAGE_API_TOKENS):
        tokens = tokens.filter(user=user)
    try:
        return tokens.get(pk=pk)
    except ApiToken.DoesNotExist:
        raise Http404("No such token.") from None
