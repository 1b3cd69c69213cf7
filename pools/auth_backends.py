"""Permission sets from the cache: Django's ModelBackend reads them with two queries on every request.

A user's permissions (their own and their groups') are kept in the cache under a generation that changes
whenever a user, a group, a permission or a membership changes through the ORM, so a change made in the
admin or by a command applies to the very next request, in every worker sharing the cache. Changes that
bypass the ORM's signals (bulk updates, SQL) apply once ``PERMISSIONS_CACHE_SECONDS`` have passed.
Whether the account is active is read from the user on every request, as ModelBackend does.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache

from pools.sso.local_login import password_login_allowed

GENERATION_KEY = "pools:permissions:generation"


# A save of only these fields changes nobody's permissions: a log-in records its time on the user.
_IRRELEVANT_UPDATES = frozenset({"last_login"})


def forget_all_permissions(update_fields=None, **_signal) -> None:
    """Every cached permission set is out of date from now on (a signal handler; see pools.signals)."""
    if update_fields is not None and set(update_fields) <= _IRRELEVANT_UPDATES:
        return
    cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)


class CachedPermissionsBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        # With LOCAL_LOGIN off only the break-glass administrator may use a password, whatever the form.
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if not password_login_allowed(username):
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            # One round trip: the current generation, and this user's set with the generation it was read in.
            key = f"pools:permissions:{user_obj.pk}"
            found = cache.get_many([GENERATION_KEY, key])
            generation = found.get(GENERATION_KEY) or "0"
            cached = found.get(key)
            if cached is not None and cached[0] == generation:
                permissions = cached[1]
            else:
                permissions = super().get_all_permissions(user_obj)
                cache.set(key, (generation, permissions), timeout=settings.PERMISSIONS_CACHE_SECONDS)
            user_obj._perm_cache = set(permissions)
        return user_obj._perm_cache
