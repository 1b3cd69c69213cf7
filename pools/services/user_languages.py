"""Remembering the language a signed-in person picks with the header's switcher (``UserPreference``), so
that their pages come back in it wherever they sign in and what the dashboard writes to them is in it."""

from __future__ import annotations

from pools.models import UserPreference
from pools.selectors.user_languages import offered


def user_language_choose(*, user, language: str) -> bool:
    """Save ``language`` as ``user``'s; False, and nothing saved, for one the site does not offer."""
    if not offered(language):
        return False
    UserPreference.objects.update_or_create(user=user, defaults={"language": language})
    return True
