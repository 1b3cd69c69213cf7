"""Signing in through the identity provider brings a person's saved language back, as a password log-in
does (pools/views/languages.py)."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from pools.models import UserPreference
from tests.sso.conftest import IdpBrowser, sign_in

pytestmark = pytest.mark.django_db
COOKIE = settings.LANGUAGE_COOKIE_NAME


def test_the_language_chosen_after_one_sign_in_comes_back_at_the_next(sso):
    first = Client()
    sign_in(first, IdpBrowser(), "olga")
    first.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    olga = get_user_model().objects.get(username="olga")
    assert UserPreference.objects.get(user=olga).language == "zh-hans"

    elsewhere = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = sign_in(elsewhere, IdpBrowser(), "olga")

    assert response.status_code == 302 and response.cookies[COOKIE].value == "zh-hans"
    assert "总览" in elsewhere.get(reverse("pools:overview")).content.decode()
