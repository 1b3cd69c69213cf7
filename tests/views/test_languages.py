"""A signed-in person's language choice is saved on their profile, comes back at log-in on another browser,
and what Django's set_language refuses or ignores stays refused or ignored."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from pools.models import UserPreference
from pools.views.languages import CHOSEN_BEFORE_LOG_IN
from tests.fixtures.users import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
COOKIE = settings.LANGUAGE_COOKIE_NAME


def saved(user) -> str | None:
    return UserPreference.objects.filter(user=user).values_list("language", flat=True).first()


def switch(client, language: str, next_url: str = "/"):
    return client.post(reverse("set_language"), {"language": language, "next": next_url})


def log_in(client, user, url=LOGIN):
    response = client.post(url, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response
    return response


def test_switching_while_signed_in_saves_the_choice(client, viewer):
    client.force_login(viewer)
    response = switch(client, "zh-hans", reverse("pools:overview"))

    assert response.status_code == 302 and response["Location"] == reverse("pools:overview")
    assert response.cookies[COOKIE].value == "zh-hans"
    assert saved(viewer) == "zh-hans"
    switch(client, "en")
    assert saved(viewer) == "en"


def test_the_saved_language_keeps_the_chosen_connection(client, viewer, cloud_connection):
    UserPreference.objects.create(user=viewer, connection=cloud_connection)
    client.force_login(viewer)
    switch(client, "zh-hans")
    preference = UserPreference.objects.get(user=viewer)
    assert (preference.language, preference.connection) == ("zh-hans", cloud_connection)


def test_logging_in_on_another_browser_brings_the_saved_language_back(viewer):
    first = Client()
    log_in(first, viewer)
    switch(first, "zh-hans")

    elsewhere = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert "Username" in elsewhere.get(LOGIN).content.decode()
    response = log_in(elsewhere, viewer)

    assert response.cookies[COOKIE].value == "zh-hans"
    page = elsewhere.get(reverse("pools:overview")).content.decode()
    assert '<html lang="zh-hans"' in page and "总览" in page


def test_the_admins_log_in_brings_it_back_too(administrator):
    administrator.is_staff = True
    administrator.save()
    UserPreference.objects.create(user=administrator, language="zh-hans")
    response = log_in(Client(), administrator, url=ADMIN_LOGIN)
    assert response.cookies[COOKIE].value == "zh-hans"


def test_a_browser_already_in_the_saved_language_gets_no_new_cookie(viewer):
    UserPreference.objects.create(user=viewer, language="zh-hans")
    browser = Client()
    browser.cookies[COOKIE] = "zh-hans"
    assert COOKIE not in log_in(browser, viewer).cookies


def test_a_choice_on_the_log_in_page_is_the_newest_and_is_saved(viewer):
    UserPreference.objects.create(user=viewer, language="en")
    browser = Client()
    switch(browser, "zh-hans", LOGIN)
    assert saved(viewer) == "en" and browser.session[CHOSEN_BEFORE_LOG_IN] == "zh-hans"

    response = log_in(browser, viewer)

    assert saved(viewer) == "zh-hans" and COOKIE not in response.cookies
    assert CHOSEN_BEFORE_LOG_IN not in browser.session
    assert "总览" in browser.get(reverse("pools:overview")).content.decode()


def test_a_language_picked_on_this_browser_before_is_saved_for_someone_with_none(viewer):
    browser = Client()
    browser.cookies[COOKIE] = "zh-hans"
    log_in(browser, viewer)
    assert saved(viewer) == "zh-hans"


def test_without_any_choice_nothing_is_saved(viewer):
    log_in(Client(HTTP_ACCEPT_LANGUAGE="zh-CN"), viewer)  # the browser's preference is not a choice
    assert saved(viewer) is None


@pytest.mark.parametrize(
    "language",
    [
        "klingon",  # Django refuses it: no cookie
        "fr",  # Django knows it (and sets the cookie), but the site does not offer it
        "",
    ],
)
def test_a_language_the_site_does_not_offer_is_not_saved(client, viewer, language):
    UserPreference.objects.create(user=viewer, language="zh-hans")
    client.force_login(viewer)

    response = switch(client, language, reverse("pools:overview"))

    assert response.status_code == 302 and response["Location"] == reverse("pools:overview")
    assert saved(viewer) == "zh-hans"
    if language != "fr":
        assert COOKIE not in response.cookies


def test_a_get_changes_nothing_as_django_does(client, viewer):
    client.force_login(viewer)
    response = client.get(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert response.status_code == 302 and COOKIE not in response.cookies
    assert saved(viewer) is None


def test_a_saved_language_the_site_no_longer_offers_is_not_brought_back(viewer):
    UserPreference.objects.create(user=viewer, language="fr")
    response = log_in(Client(), viewer)
    assert COOKIE not in response.cookies and saved(viewer) == "fr"
