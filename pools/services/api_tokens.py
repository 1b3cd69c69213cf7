"""Personal API tokens: made and revoked by their user, revoked by an administrator, checked on every call.

A token carries its user's roles and never more: the API asks the user's permissions on every call, and a
token's scopes only narrow them. Making and revoking a token are audited (``api_token.create``,
``api_token.revoke``); the token itself is never stored or recorded, only its digest and its first characters.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from pools import audit
from pools.core.errors import ApplicationError
from pools.models import ApiToken
from pools.models.api_token import SCOPE_APPROVE, SCOPE_CHANGE, SCOPES
from pools.permissions import APPROVE_CHANGE, MANAGE_API_TOKENS, REQUEST_CHANGE
from pools.validators import invisible_characters_problem

TOKEN_PREFIX = "mat_"  # noqa: S105 (not a secret) "ModelArts Admin token": easy to spot in a leaked config or a secret scanner
SHOWN_PREFIX_LENGTH = 10
NAME_MAX = 80
# How often the last use is written back: a script polling every second does not write a row each time.
LAST_USED_RESOLUTION = timedelta(minutes=1)

NAME_REQUIRED = _("Give the token a name that says where it is used.")
NAME_TOO_LONG = format_lazy(_("A token's name has at most {limit} characters."), limit=NAME_MAX)
NAME_TAKEN = _("You already have an active token with that name.")
UNKNOWN_SCOPE = _("Unknown scope: {scope}.")
CHANGE_SCOPE_NEEDS_ROLE = _(
    "Only people who may request changes or approve them can give a token that scope."
)
APPROVE_SCOPE_OFF = _("Approving through the API is turned off on this dashboard (API_APPROVAL_TOKENS).")
APPROVE_SCOPE_NEEDS_ROLE = _("Only approvers can make a token that approves.")
APPROVE_SCOPE_NEEDS_EXPIRY = _("A token that approves must expire within {days} days.")
EXPIRY_OUT_OF_RANGE = _("A token expires after 1 to {days} days, or never.")
NOT_YOUR_TOKEN = _("You can revoke only your own tokens.")  # noqa: S105 (a message)
ALREADY_REVOKED = _("That token is already revoked.")


def digest_of(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _checked_scopes(user, scopes: list[str], expires_in_days: int | None) -> list[str]:
    scopes = sorted(set(scopes))
    for scope in scopes:
        if scope not in SCOPES:
            raise ApplicationError(UNKNOWN_SCOPE.format(scope=scope), field="scopes")
    if SCOPE_CHANGE in scopes and not (user.has_perm(REQUEST_CHANGE) or user.has_perm(APPROVE_CHANGE)):
        raise ApplicationError(CHANGE_SCOPE_NEEDS_ROLE, field="scopes")
    if SCOPE_APPROVE in scopes:
        if not settings.API_APPROVAL_TOKENS:
            raise ApplicationError(APPROVE_SCOPE_OFF, field="scopes")
        if not user.has_perm(APPROVE_CHANGE):
            raise ApplicationError(APPROVE_SCOPE_NEEDS_ROLE, field="scopes")
        longest = settings.API_APPROVAL_TOKEN_MAX_DAYS
        if expires_in_days is None or expires_in_days > longest:
            raise ApplicationError(APPROVE_SCOPE_NEEDS_EXPIRY.format(days=longest), field="expires_in_days")
    return scopes


def api_token_create(
    *, user, name: str, scopes: list[str], expires_in_days: int | None
) -> tuple[ApiToken, str]:
    """A new token of ``user``: (the stored token, the token text, to be shown once and never again)."""
    name = (name or "").strip()
    if not name:
        raise ApplicationError(NAME_REQUIRED, field="name")
    if len(name) > NAME_MAX:
        raise ApplicationError(NAME_TOO_LONG, field="name")
    if invisible := invisible_characters_problem(name):
        raise ApplicationError(invisible, field="name")
    longest = settings.API_TOKEN_MAX_DAYS
    if expires_in_days is not None and not 1 <= expires_in_days <= longest:
        raise ApplicationError(EXPIRY_OUT_OF_RANGE.format(days=longest), field="expires_in_days")
    scopes = _checked_scopes(user, scopes, expires_in_days)
    text = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        if ApiToken.objects.usable(now).filter(user=user, name=name).exists():
            raise ApplicationError(NAME_TAKEN, field="name")
        token = ApiToken.objects.create(
            user=user,
            name=name,
            digest=digest_of(text),
            prefix=text[:SHOWN_PREFIX_LENGTH],
            scopes=scopes,
            created_at=now,
            expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None,
        )
        audit.record(
            user=user,
            action="api_token.create",
            obj=token,
            details=_details(token),
            flag="add",
        )
    return token, text


def api_token_revoke(*, user, token: ApiToken) -> ApiToken:
    """Revoke ``token``: its own user may, and so may whoever holds MANAGE_API_TOKENS."""
    if token.user_id != user.pk and not user.has_perm(MANAGE_API_TOKENS):
        raise PermissionDenied(NOT_YOUR_TOKEN)
    now = timezone.now()
    with transaction.atomic():
        revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=now, revoked_by=user
        )
        token.refresh_from_db()
        if not revoked:
            raise ApplicationError(ALREADY_REVOKED)
        audit.record(
            user=user,
            action="api_token.revoke",
            obj=token,
            details={**_details(token), "revoked_by_owner": token.user_id == user.pk},
            flag="delete",
        )
    return token


def api_token_authenticate(text: str) -> ApiToken | None:
    """The usable token whose text is ``text`` (its user active), its last use noted; None otherwise."""
    if not text.startswith(TOKEN_PREFIX) or len(text) > 100:
        return None
    now = timezone.now()
    token = ApiToken.objects.usable(now).select_related("user").filter(digest=digest_of(text)).first()
    if token is None or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def _details(token: ApiToken) -> dict:
    return {
        "token": token.pk,
        "name": token.name,
        "prefix": token.prefix,
        "owner": token.user.get_username(),
        "scopes": token.scopes,
        "expires_at": token.expires_at.isoformat() if token.expires_at else None,
    }
