"""Saving a person's language: only one the site offers, beside their other preferences."""

import pytest

from pools.models import UserPreference
from pools.services.user_languages import user_language_choose

pytestmark = pytest.mark.django_db


def test_an_offered_language_is_saved_and_can_be_changed(viewer):
    assert user_language_choose(user=viewer, language="zh-hans") is True
    assert UserPreference.objects.get(user=viewer).language == "zh-hans"
    assert user_language_choose(user=viewer, language="en") is True
    assert UserPreference.objects.get(user=viewer).language == "en"


@pytest.mark.parametrize("language", ["fr", "zh-Hans", "", "en-us"])
def test_a_language_the_site_does_not_offer_is_refused(viewer, language):
    assert user_language_choose(user=viewer, language=language) is False
    assert not UserPreference.objects.filter(user=viewer).exists()
