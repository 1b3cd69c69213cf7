"""Whom to write to in which language: the one each person chose, else the site's."""

import pytest

from pools.models import UserPreference
from pools.selectors.user_languages import addresses_by_language, saved_language
from tests.fixtures.users import make_user

pytestmark = pytest.mark.django_db


def test_addresses_are_grouped_by_each_persons_language(django_user_model, settings):
    chen, wang, ann, bob = (
        make_user(django_user_model, name, None) for name in ("chen", "wang", "ann", "bob")
    )
    UserPreference.objects.create(user=chen, language="zh-hans")
    UserPreference.objects.create(user=wang, language="zh-hans")
    UserPreference.objects.create(user=ann, language="en")

    assert addresses_by_language([chen, ann, wang, bob, chen]) == {
        "zh-hans": ["chen@example.test", "wang@example.test"],
        "en": ["ann@example.test", "bob@example.test"],
    }
    settings.LANGUAGE_CODE = "zh-hans"
    assert addresses_by_language([bob, ann]) == {"zh-hans": ["bob@example.test"], "en": ["ann@example.test"]}


def test_people_without_an_address_and_languages_no_longer_offered(django_user_model):
    silent, old = make_user(django_user_model, "silent", None), make_user(django_user_model, "old", None)
    silent.email = ""
    UserPreference.objects.create(user=old, language="fr")
    UserPreference.objects.create(user=silent, language="zh-hans")

    assert addresses_by_language([silent, old]) == {"en": ["old@example.test"]}
    assert addresses_by_language([]) == {}
    assert saved_language(old) == "" and saved_language(silent) == "zh-hans"


def test_a_user_who_never_chose_has_no_saved_language(django_user_model, cloud_connection):
    user = make_user(django_user_model, "chooser", None)
    assert saved_language(user) == ""
    UserPreference.objects.create(user=user, connection=cloud_connection)  # chose a connection only
    assert saved_language(user) == ""
