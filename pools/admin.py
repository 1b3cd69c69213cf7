"""Django admin registrations. The admin writes its change log only through ``audit.record``.

``AuditedModelAdmin`` replaces the admin's own LogEntry writes with sealed audit entries; the connection
admin goes further and saves and deletes through the connection services, which validate, refuse unsafe
deletes and record the action themselves.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from pools import audit
from pools.forms.connections import ConnectionForm
from pools.models import Connection
from pools.permissions import MANAGE_CONNECTIONS
from pools.services.connections import (
    connection_create,
    connection_delete,
    connection_update,
    open_change_request_count,
)


class AuditedModelAdmin(admin.ModelAdmin):
    """Every admin add, change and delete becomes one sealed audit entry instead of a bare LogEntry."""

    def _action(self, verb: str) -> str:
        return f"admin.{self.opts.model_name}.{verb}"

    def log_addition(self, request, obj, message):
        return audit.record(
            user=request.user, action=self._action("add"), obj=obj, details={"admin": message}, flag="add"
        )

    def log_change(self, request, obj, message):
        return audit.record(
            user=request.user, action=self._action("change"), obj=obj, details={"admin": message}
        )

    def log_deletions(self, request, queryset):
        return [
            audit.record(user=request.user, action=self._action("delete"), obj=obj, flag="delete")
            for obj in queryset
        ]


@admin.register(Connection)
class ConnectionAdmin(AuditedModelAdmin):
    form = ConnectionForm
    list_display = ("name", "region", "project_id", "endpoint_in_use", "access_key_hint", "last_test_ok")
    search_fields = ("name", "project_id", "description")
    list_filter = ("region",)
    readonly_fields = (
        "access_key_hint",
        "last_test_ok",
        "last_test_at",
        "last_test_summary",
        "last_test_latency_ms",
        "created_by",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "name",
                    "description",
                    "region",
                    "project_id",
                    "endpoint",
                    "user_id",
                    "workspace_id",
                )
            },
        ),
        (_("Keys (write-only)"), {"fields": ("access_key_hint", "access_key", "secret_key")}),
        (
            _("Last test"),
            {"fields": ("last_test_ok", "last_test_at", "last_test_summary", "last_test_latency_ms")},
        ),
        (_("Created and updated"), {"fields": ("created_by", "created_at", "updated_at")}),
    )

    @admin.display(description=_("endpoint in use"))
    def endpoint_in_use(self, connection: Connection) -> str:
        return connection.effective_endpoint

    # Only connection managers, whatever model permissions a staff user may hold.
    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(MANAGE_CONNECTIONS)

    def has_module_permission(self, request):
        return request.user.has_perm(MANAGE_CONNECTIONS)

    def has_add_permission(self, request):
        return request.user.has_perm(MANAGE_CONNECTIONS)

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm(MANAGE_CONNECTIONS)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and open_change_request_count(obj):
            return False
        return request.user.has_perm(MANAGE_CONNECTIONS)

    def get_queryset(self, request):
        return super().get_queryset(request).in_use()

    def get_deleted_objects(self, objs, request):
        # Past change requests do not stop a delete: the service keeps the row for their history (retired,
        # keys erased) instead of deleting it, so the admin need not refuse over them.
        to_delete, model_count, perms_needed, _protected = super().get_deleted_objects(objs, request)
        return to_delete, model_count, perms_needed, []

    def get_actions(self, request):
        # Bulk delete would bypass the per-connection refusal; delete one at a time.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def save_model(self, request, obj, form, change):
        arguments = form.service_arguments()
        if change:
            saved = connection_update(connection=obj, user=request.user, **arguments)
        else:
            saved = connection_create(user=request.user, **arguments)
        # The admin goes on with ``obj`` (redirect, message): give it the stored identity and tokens.
        obj.pk = saved.pk
        obj.access_key_token = saved.access_key_token
        obj.secret_key_token = saved.secret_key_token
        obj.access_key_hint = saved.access_key_hint
        obj._state.adding = False

    def delete_model(self, request, obj):
        connection_delete(connection=obj, user=request.user)

    # The services above already recorded each action through audit.record; a second entry would only
    # repeat it.
    def log_addition(self, request, obj, message):
        return None

    def log_change(self, request, obj, message):
        return None

    def log_deletions(self, request, queryset):
        return []


# The built-in user and group admins write their log through audit.record too.
for model, base in ((get_user_model(), UserAdmin), (Group, GroupAdmin)):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, type(f"Audited{base.__name__}", (AuditedModelAdmin, base), {}))

# Audit: LogEntry read-only, users with history protected from deletion. Keep this import last: it wraps the
# user admin registered above.
from pools import admin_audit  # noqa: E402, F401
