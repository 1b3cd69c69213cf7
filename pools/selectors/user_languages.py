"""Reads of the language each person chose with the header's switcher (``UserPreference.language``): the
one their pages come back in at log-in, and the one the dashboard writes to them in."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings

from pools.models import UserPreference


def offered(language: str) -> bool:
    """Whether the site speaks ``language`` (one of settings.LANGUAGES, as the switcher offers them)."""
    return language in dict(settings.LANGUAGES)


def saved_language(user) -> str:
    """The language ``user`` chose, or "" when they never chose one the site still offers."""
    if not getattr(user, "is_authenticated", False):
        return ""
    language = UserPreference.objects.filter(user=user).values_list("language", flat=True).first() or ""
    return language if offered(language) else ""


def addresses_by_language(users: Iterable) -> dict[str, list[str]]:
    """The e-mail addresses of ``users``, grouped by the language to write to each in: the one they chose,
    else the site's (LANGUAGE_CODE). Users without an address are left out; each address appears once."""
    people = [user for user in users if user.email]
    chosen = dict(
        UserPreference.objects.filter(user__in=[user.pk for user in people]).values_list(
            "user_id", "language"
        )
    )
    groups: dict[str, list[str]] = {}
    for user in people:
        language = chosen.get(user.pk, "")
        addresses = groups.setdefault(language if offered(language) else settings.LANGUAGE_CODE, [])
        if user.email not in addresses:
            addresses.append(user.email)
    return groups
