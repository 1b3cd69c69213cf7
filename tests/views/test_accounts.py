"""The password change page and its link: offered to people with a password here, refused (with a reason,
not a 500) to people who sign in through the identity provider and have none."""

import pytest
from django.urls import reverse

from pools.views.accounts import NO_LOCAL_PASSWORD
from tests.fixtures.users import PASSWORD

pytestmark = pytest.mark.django_db

NEW = "a brand new passphrase 77"
LINK = f'href="{reverse("password_change")}"'


@pytest.fixture
def without_password(viewer):
    """A person as single sign-on creates them: no usable local password."""
    viewer.set_unusable_password()
    viewer.save()
    return viewer


def test_a_person_with_a_password_is_offered_the_change(viewer_client):
    overview = viewer_client.get(reverse("pools:overview")).content.decode()
    page = viewer_client.get(reverse("password_change"))

    assert LINK in overview
    assert page.status_code == 200 and 'name="old_password"' in page.content.decode()


def test_a_person_without_a_password_is_neither_offered_nor_let_in(client, without_password):
    client.force_login(without_password)

    overview = client.get(reverse("pools:overview")).content.decode()
    page = client.get(reverse("password_change"))
    posted = client.post(
        reverse("password_change"), {"old_password": "", "new_password1": NEW, "new_password2": NEW}
    )

    assert LINK not in overview
    for response in (page, posted):
        html = response.content.decode()
        assert response.status_code == 403
        assert str(NO_LOCAL_PASSWORD) in html and 'name="old_password"' not in html
    without_password.refresh_from_db()
    assert not without_password.has_usable_password() and not without_password.check_password(NEW)


def test_the_refusal_is_in_chinese_too(client, without_password):
    client.force_login(without_password)

    html = client.get(reverse("password_change"), HTTP_ACCEPT_LANGUAGE="zh-Hans").content.decode()

    assert "身份提供方" in html


def test_the_password_still_changes_for_those_who_have_one(viewer_client, viewer):
    response = viewer_client.post(
        reverse("password_change"), {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW}
    )

    assert response.status_code == 302
    viewer.refresh_from_db()
    assert viewer.check_password(NEW)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_change_page_is_the_dashboards_own(viewer_client, language):
    html = viewer_client.get(reverse("password_change"), HTTP_ACCEPT_LANGUAGE=language).content.decode()

    assert "Django" not in html and 'href="/admin/"' not in html
    assert 'class="mainnav"' in html and 'name="language"' in html  # the dashboard's header and switcher
    assert f'href="{reverse("pools:overview")}"' in html
    assert 'name="old_password"' in html and 'name="new_password1"' in html and 'name="new_password2"' in html
    if language == "zh-hans":
        assert "修改密码" in html


def test_a_refused_change_keeps_the_dashboards_page_and_says_why(viewer_client):
    response = viewer_client.post(
        reverse("password_change"), {"old_password": "wrong", "new_password1": NEW, "new_password2": NEW}
    )

    html = response.content.decode()
    assert response.status_code == 200 and 'class="mainnav"' in html
    assert 'class="field-error"' in html and "Django" not in html


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_done_page_is_the_dashboards_own_and_leads_back(viewer_client, language):
    html = viewer_client.get(reverse("password_change_done"), HTTP_ACCEPT_LANGUAGE=language).content.decode()

    assert "Django" not in html and 'href="/admin/"' not in html
    assert 'class="mainnav"' in html and f'href="{reverse("pools:overview")}"' in html
    assert ("密码已修改" if language == "zh-hans" else "Password changed") in html


def test_the_favicon_is_found_where_browsers_look_without_a_log_in(client, viewer_client):
    answer = client.get("/favicon.ico")
    page = viewer_client.get(reverse("password_change")).content.decode()

    assert answer.status_code == 302 and answer.url.endswith("favicon.svg")
    assert f'<link rel="icon" href="{answer.url}"' in page
