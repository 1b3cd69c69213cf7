"""Admin pieces that keep the audit history whole: LogEntry is read-only, users with history stay.

Imported at the end of pools/admin.py, after the user admin is registered, so it wraps whichever user admin
is in place.
"""

from __future__ import annotations

import json

from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth import get_user_model
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from pools.core.audit_messages import parse_message
from pools.permissions import VIEW_AUDIT
from pools.signals import deletion_refusal


class CalendarBoundChangeList(ChangeList):
    """The date hierarchy's links, typed into the address with the last month of year 9999, make Django
    compute a date past the calendar's end: a bad lookup (the admin's "?e=1" page), not a 500."""

    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except OverflowError as error:
            raise IncorrectLookupParameters(error) from error


@admin.register(LogEntry)
class LogEntryAdmin(admin.ModelAdmin):
    """The sealed history: anyone with VIEW_AUDIT may read it, nobody may add, change or delete it here."""

    list_display = ("action_time", "user", "action", "object_repr", "request_id")
    list_filter = ("action_flag", "content_type")
    search_fields = ("object_repr", "change_message", "user__username")
    date_hierarchy = "action_time"
    list_select_related = ("user", "content_type")
    fields = ("action_time", "user", "content_type", "object_id", "object_repr", "action_flag", "details")
    readonly_fields = fields

    def get_changelist(self, request, **kwargs):
        return CalendarBoundChangeList

    # The action, the request id and the details are the audit entry's own (English, like every audit text).
    @admin.display(description=_("Action"))
    def action(self, entry: LogEntry) -> str:
        return parse_message(entry).get("action", "")

    @admin.display(description=_("Request id"))
    def request_id(self, entry: LogEntry) -> str:
        return parse_message(entry).get("request_id", "")

    @admin.display(description=_("Details"))
    def details(self, entry: LogEntry) -> str:
        details = json.dumps(
            parse_message(entry).get("details"), indent=2, sort_keys=True, ensure_ascii=False
        )
        return format_html('<pre class="mono">{}</pre>', details)

    def has_module_permission(self, request):
        return request.user.is_active and request.user.has_perm(VIEW_AUDIT)

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.has_perm(VIEW_AUDIT)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class KeepsHistoryUserAdminMixin:
    """The delete confirmation lists users with audit entries as protected, so the admin refuses them."""

    def get_deleted_objects(self, objs, request):
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        refusals = [refusal for refusal in map(deletion_refusal, objs) if refusal]
        if not refusals:
            return deleted, model_count, perms_needed, protected
        # The log entries would otherwise show up as "no permission to delete log entries", which hides why.
        return deleted, model_count, set(), [*refusals, *protected]


def _protect_users_with_history(site: admin.AdminSite) -> None:
    user_model = get_user_model()
    if not site.is_registered(user_model):
        return
    current = type(site.get_model_admin(user_model))
    if issubclass(current, KeepsHistoryUserAdminMixin):
        return
    site.unregister(user_model)
    site.register(
        user_model, type(f"KeepsHistory{current.__name__}", (KeepsHistoryUserAdminMixin, current), {})
    )


_protect_users_with_history(admin.site)
