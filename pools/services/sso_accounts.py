"""Accounts from single sign-on: a user created or updated at each sign-in, with the roles its IdP groups
map to; and the loud record of a break-glass password log-in while local log-in is off."""

from __future__ import annotations

import hashlib
import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from pools import audit, permissions
from pools.models import SsoIdentity

logger = logging.getLogger("pools.sso")

USERNAME_MAX = 150


def _free_username(wanted: str, subject: str) -> str:
    """``wanted`` unless a user already holds it (a local account, the break-glass administrator, another
    subject): then ``wanted~<hash of the subject>``, so an IdP account can never take over a local one."""
    user_model = get_user_model()
    wanted = (wanted or subject)[:USERNAME_MAX]
    if not user_model.objects.filter(username=wanted).exists():
        return wanted
    suffix = "~" + hashlib.sha256(subject.encode()).hexdigest()[:8]
    return wanted[: USERNAME_MAX - len(suffix)] + suffix


@transaction.atomic
def sso_user_sync(
    *, issuer: str, subject: str, username: str, email: str, roles: list[str], groups: list[str]
):
    """The user of (issuer, subject), created on first sign-in, with e-mail and roles as the IdP says now.

    The roles replace whatever roles the user had (the IdP's groups are the source of truth); a user whose
    groups map to no role keeps an account without any role. Audited as ``account.sso_login``.
    """
    identity = SsoIdentity.objects.select_related("user").filter(issuer=issuer, subject=subject).first()
    created = identity is None
    if created:
        user = get_user_model().objects.create_user(username=_free_username(username, subject), email=email)
        user.set_unusable_password()
        user.save(update_fields=["password"])
        identity = SsoIdentity.objects.create(user=user, issuer=issuer, subject=subject)
    user = identity.user
    if email and user.email != email:
        user.email = email
        user.save(update_fields=["email"])
    previous = sorted(
        user.groups.filter(name__in=permissions.ROLE_PERMISSIONS).values_list("name", flat=True)
    )
    if previous != sorted(roles):
        permissions.ensure_roles()
        user.groups.set(Group.objects.filter(name__in=roles))
    identity.last_login_at = timezone.now()
    identity.save(update_fields=["last_login_at"])
    audit.record(
        user=user,
        action="account.sso_login",
        obj=user,
        details={
            "issuer": issuer,
            "subject": subject,
            "created": created,
            "groups": groups,
            "roles": roles,
            "previous_roles": previous,
        },
    )
    return user


def break_glass_login_record(*, user, ip: str, via: str) -> None:
    """A password log-in while local log-in is off: only the break-glass administrator gets here."""
    logger.critical(
        "BREAK-GLASS LOG-IN: %r signed in with a password from %s (%s) while local log-in is off",
        user.get_username(),
        ip,
        via,
    )
    audit.record(user=user, action="account.break_glass_login", obj=user, details={"ip": ip, "via": via})
