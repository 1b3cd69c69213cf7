from django.db import models
from django.utils.translation import gettext_lazy as _


class Access(models.Model):
    """Carries the dashboard's own permissions; it has no table (see pools/permissions.py)."""

    class Meta:
        verbose_name = _("dashboard access")
        verbose_name_plural = _("dashboard access")
        managed = False
        default_permissions = ()
        permissions = [
            ("view_dashboard", "Can view pools, nodes, usage and monitoring"),
            ("request_change", "Can request pool changes and cancel own requests"),
            ("approve_change", "Can approve or reject others' change requests"),
            ("manage_connections", "Can create, edit, test and delete connections"),
            ("view_audit", "Can view and export the audit log"),
            ("manage_api_tokens", "Can see and revoke everyone's API tokens"),
        ]

    def __str__(self) -> str:
        return "dashboard access"
