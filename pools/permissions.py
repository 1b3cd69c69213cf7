"""Permission names, the roles (groups) built from them, and the checks the views use.

Every permission lives on ``pools.Access``. Roles are Django groups created by a data migration; pages use
these names, never raw strings, so a renamed permission breaks loudly.
"""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.contrib.auth.mixins import PermissionRequiredMixin

VIEW_DASHBOARD = "pools.view_dashboard"
REQUEST_CHANGE = "pools.request_change"
APPROVE_CHANGE = "pools.approve_change"
MANAGE_CONNECTIONS = "pools.manage_connections"
VIEW_AUDIT = "pools.view_audit"
MANAGE_API_TOKENS = "pools.manage_api_tokens"

VIEWER = "Viewer"
OPERATOR = "Operator"
APPROVER = "Approver"
AUDITOR = "Auditor"
ADMINISTRATOR = "Administrator"

ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    VIEWER: (VIEW_DASHBOARD,),
    OPERATOR: (VIEW_DASHBOARD, REQUEST_CHANGE),
    APPROVER: (VIEW_DASHBOARD, APPROVE_CHANGE, VIEW_AUDIT),
    AUDITOR: (VIEW_DASHBOARD, VIEW_AUDIT),
    ADMINISTRATOR: (
        VIEW_DASHBOARD,
        REQUEST_CHANGE,
        APPROVE_CHANGE,
        MANAGE_CONNECTIONS,
        VIEW_AUDIT,
        MANAGE_API_TOKENS,
    ),
}


def require(perm: str):
    """View decorator: the user must hold ``perm``; otherwise 403 (anonymous users go to login first)."""
    return permission_required(perm, raise_exception=True)


class RequirePermission(PermissionRequiredMixin):
    """Class-based twin of ``require``: set ``permission_required`` on the view."""

    raise_exception = True


def ensure_roles() -> None:
    """Create the role groups with their permissions if missing (idempotent).

    The data migration does this once; flushed test databases and the demo seeding call it again.
    """
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    from pools.models import Access

    content_type = ContentType.objects.get_for_model(Access, for_concrete_model=False)
    by_codename = {}
    for codename, name in Access._meta.permissions:
        by_codename[codename], _ = Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(*(by_codename[perm.split(".", 1)[1]] for perm in perms))
