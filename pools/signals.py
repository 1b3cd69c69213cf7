"""Signal handlers that keep the audit history whole."""

from __future__ import annotations

from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.db.models import ProtectedError
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.utils.translation import gettext_lazy as _

USER_HAS_HISTORY = _(
    "User “{username}” has {count} audit log entries and cannot be deleted, because deleting a user "
    "deletes their history. Deactivate the account instead (clear “Active”)."
)


def deletion_refusal(user) -> str | None:
    """Why ``user`` must not be deleted, or None when nothing in the audit log points at them."""
    count = LogEntry.objects.filter(user_id=user.pk).count()
    if not count:
        return None
    return USER_HAS_HISTORY.format(username=user.get_username(), count=count)


def refuse_deleting_users_with_history(sender, instance, **kwargs):
    """LogEntry.user cascades; refusing here keeps every entry (and the audit chain) intact.

    Django sends pre_delete inside its own ``atomic(savepoint=False)``: a caller that deletes users inside a
    transaction of its own and wants to go on after this refusal needs a savepoint around the delete.
    """
    refusal = deletion_refusal(instance)
    if refusal:
        raise ProtectedError(refusal, LogEntry.objects.filter(user_id=instance.pk))


def connect() -> None:
    """Called once the apps are ready (PoolsConfig.ready)."""
    from django.contrib.auth.models import Group, Permission

    from pools.auth_backends import forget_all_permissions

    user_model = get_user_model()
    for model in (user_model, Group, Permission):
        for signal in (post_save, post_delete):
            signal.connect(
                forget_all_permissions, sender=model, dispatch_uid=f"pools.permissions.{model.__name__}"
            )
    for through in (
        user_model.groups.through,
        user_model.user_permissions.through,
        Group.permissions.through,
    ):
        m2m_changed.connect(
            forget_all_permissions, sender=through, dispatch_uid=f"pools.permissions.{through.__name__}"
        )
    from django.contrib.auth.signals import user_logged_in

    from pools.sso.local_login import record_break_glass_login

    user_logged_in.connect(record_break_glass_login, dispatch_uid="pools.sso.record_break_glass_login")
    from pools.views.languages import bring_back_saved_language

    # A person's saved language comes back at each log-in, whichever browser and however they sign in.
    user_logged_in.connect(bring_back_saved_language, dispatch_uid="pools.bring_back_saved_language")
    pre_delete.connect(
        refuse_deleting_users_with_history,
        sender=get_user_model(),
        dispatch_uid="pools.refuse_deleting_users_with_history",
    )
