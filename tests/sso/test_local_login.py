"""Local passwords turned off (LOCAL_LOGIN=off) except for the break-glass administrator, and log-out
ending the session at the IdP too; with single sign-on on against the real test IdP."""

from __future__ import annotations

import logging
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import SESSION_KEY

from pools import permissions
from pools.core.audit_messages import parse_message
from pools.sso.local_login import LOCAL_LOGIN_OFF
from tests.fixtures.users import PASSWORD, make_user
from tests.sso.conftest import CLIENT_ID, IdpBrowser, sign_in

pytestmark = pytest.mark.django_db
BREAK_GLASS = "break-glass-admin"


@pytest.fixture
def local_login_off(sso, settings):
    settings.LOCAL_LOGIN = False
    settings.LOCAL_LOGIN_BREAK_GLASS_USERNAME = BREAK_GLASS
    return sso


def audit_actions() -> list[str]:
    return [parse_message(entry)["action"] for entry in LogEntry.objects.order_by("pk")]


def test_the_break_glass_administrator_logs_in_loudly(local_login_off, client, django_user_model, caplog):
    make_user(django_user_model, BREAK_GLASS, permissions.ADMINISTRATOR)

    with caplog.at_level(logging.CRITICAL, logger="pools.sso"):
        response = client.post("/accounts/login/", {"username": BREAK_GLASS, "password": PASSWORD})

    assert response.status_code == 302 and client.session.get(SESSION_KEY)
    assert "account.break_glass_login" in audit_actions()
    [record] = [r for r in caplog.records if "BREAK-GLASS" in r.getMessage()]
    assert record.levelno == logging.CRITICAL and BREAK_GLASS in record.getMessage()


def test_anyone_else_is_refused_a_password_log_in(local_login_off, client, django_user_model):
    make_user(django_user_model, "ada-approver", permissions.APPROVER)

    response = client.post("/accounts/login/", {"username": "ada-approver", "password": PASSWORD})

    assert response.status_code == 200 and LOCAL_LOGIN_OFF.encode() in response.content
    assert SESSION_KEY not in client.session
    assert "account.break_glass_login" not in audit_actions()


def test_the_admin_log_in_refuses_passwords_too(local_login_off, client, django_user_model):
    staff = make_user(django_user_model, "stella-staff", permissions.ADMINISTRATOR)
    staff.is_staff = staff.is_superuser = True
    staff.save()

    client.post("/admin/login/?next=/admin/", {"username": "stella-staff", "password": PASSWORD})

    assert SESSION_KEY not in client.session


def test_an_open_password_session_cannot_approve_once_passwords_are_off(
    local_login_off, client, approver, settings
):
    from pools.forms.approvals import ApproveForm

    form = ApproveForm({"password": PASSWORD}, user=approver, request=None)
    assert not form.is_valid() and LOCAL_LOGIN_OFF in form.errors["password"]


def test_the_log_in_page_shows_the_idp_first_and_the_password_form_as_break_glass(local_login_off, client):
    page = client.get("/accounts/login/").content.decode()
    assert 'data-role="sso-login"' in page and 'data-role="break-glass"' in page


def test_sso_still_signs_people_in_with_passwords_off(local_login_off, client):
    sign_in(client, IdpBrowser(), "olga")
    assert client.session.get(SESSION_KEY)


def test_log_out_ends_the_session_at_the_idp(sso, client):
    browser = IdpBrowser()
    sign_in(client, browser, "olga")
    logins = browser.logins

    response = client.post("/accounts/logout/")

    assert SESSION_KEY not in client.session
    end_session = response["Location"]
    assert end_session.startswith(f"{sso.issuer}/session/end?")
    query = parse_qs(urlsplit(end_session).query)
    assert query["client_id"] == [CLIENT_ID] and query["id_token_hint"]
    assert query["post_logout_redirect_uri"] == ["http://testserver/accounts/login/"]
    # The browser confirms at the IdP, which sends it back to the dashboard's log-in page ...
    page = browser.session.get(end_session, timeout=10)
    action = unescape(
        re.search(r'<form id="op.logoutForm" method="post" action="([^"]+)"', page.text).group(1)
    )
    xsrf = re.search(r'name="xsrf" value="([^"]+)"', page.text).group(1)
    done = browser.session.post(
        action, data={"xsrf": xsrf, "logout": "yes"}, allow_redirects=False, timeout=10
    )
    assert done.headers["Location"].startswith("http://testserver/accounts/login/")
    # ... and the next sign-in needs the IdP's log-in form again: its session is gone.
    sign_in(client, browser, "olga")
    assert browser.logins == logins + 1


def test_log_out_stays_local_when_told_to(sso, client, settings):
    settings.OIDC_LOGOUT_AT_IDP = False
    sign_in(client, IdpBrowser(), "olga")
    assert client.post("/accounts/logout/")["Location"] == "/accounts/login/"
