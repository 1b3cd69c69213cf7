"""Signing in through a real OpenID Connect provider (tests/sso/idp): users and roles from the group claim,
and every kind of bad answer refused without signing anyone in."""

from __future__ import annotations

import logging

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.models import Group
from django.test import Client

from pools import permissions
from pools.core.audit_messages import parse_message
from pools.models import SsoIdentity
from pools.sso import backend, session
from pools.views.accounts import NO_LOCAL_PASSWORD
from tests.sso.conftest import IdpBrowser, sign_in

pytestmark = pytest.mark.django_db
User = get_user_model()


def roles_of(username: str) -> set[str]:
    return set(User.objects.get(username=username).groups.values_list("name", flat=True))


def signed_in_user(client) -> str | None:
    pk = client.session.get(SESSION_KEY)
    return User.objects.get(pk=pk).username if pk else None


def test_sign_in_creates_the_user_with_the_roles_its_groups_map_to(sso, client):
    response = sign_in(client, IdpBrowser(), "olga", start="/accounts/sso/login/?next=/pools/")

    assert response.status_code == 302 and response["Location"] == "/pools/"
    assert signed_in_user(client) == "olga"
    assert client.session[BACKEND_SESSION_KEY] == session.SSO_BACKEND
    # "/cloud-ops" (a Keycloak group path) maps to Operator; "unrelated-team" is no one's business here.
    assert roles_of("olga") == {permissions.OPERATOR}
    olga = User.objects.get(username="olga")
    assert olga.email == "olga@example.test" and not olga.has_usable_password()
    identity = SsoIdentity.objects.get(user=olga)
    assert (identity.issuer, identity.subject) == (sso.issuer, "olga")
    assert client.get("/pools/").status_code == 200
    [entry] = [parse_message(e) for e in LogEntry.objects.all() if "sso_login" in e.change_message]
    assert entry["action"] == "account.sso_login"
    assert entry["details"]["roles"] == [permissions.OPERATOR] and entry["details"]["created"] is True


def test_a_person_signed_in_through_the_idp_has_no_password_to_change(sso, client):
    sign_in(client, IdpBrowser(), "olga")

    overview = client.get("/").content.decode()
    refused = client.get("/accounts/password_change/")

    assert not User.objects.get(username="olga").has_usable_password()
    assert 'href="/accounts/password_change/"' not in overview
    assert refused.status_code == 403 and str(NO_LOCAL_PASSWORD) in refused.content.decode()


def test_roles_are_replaced_by_the_mapping_at_each_sign_in(sso, client):
    sign_in(client, IdpBrowser(), "olga")
    permissions.ensure_roles()
    User.objects.get(username="olga").groups.add(Group.objects.get(name=permissions.ADMINISTRATOR))

    sign_in(Client(), IdpBrowser(), "olga")

    assert roles_of("olga") == {permissions.OPERATOR}
    assert SsoIdentity.objects.count() == 1


def test_a_local_account_of_the_same_name_is_never_taken_over(sso, client, django_user_model):
    local = django_user_model.objects.create_user(username="olga", password="local password 42")

    sign_in(client, IdpBrowser(), "olga")

    signed_in = User.objects.get(pk=client.session[SESSION_KEY])
    assert signed_in.pk != local.pk and signed_in.username.startswith("olga~")
    assert not local.groups.exists()


def test_unknown_groups_give_no_role_and_a_page_that_says_so(sso, client):
    response = sign_in(client, IdpBrowser(), "nina")  # "marketing" and the misspelt "cloud-opps"

    assert response["Location"] == "/accounts/sso/no-role/"
    assert roles_of("nina") == set()
    page = client.get("/accounts/sso/no-role/")
    assert page.status_code == 200
    assert b"you have no role here" in page.content and b"cloud-approvers" in page.content
    assert client.get("/").status_code == 403


@pytest.mark.parametrize("spoilt", ["wrong_audience", "expired", "tampered"])
def test_a_bad_id_token_signs_nobody_in(sso, client, caplog, spoilt):
    sso.spoil_next_token(spoilt)
    with caplog.at_level(logging.WARNING, logger="pools.sso"):
        response = sign_in(client, IdpBrowser(), "arne")

    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert signed_in_user(client) is None
    assert not User.objects.filter(username="arne").exists()
    reason = {"wrong_audience": "another audience", "expired": "expired", "tampered": "bad signature"}[spoilt]
    assert any(reason in record.getMessage() for record in caplog.records)
    assert backend.REFUSED.encode() in client.get("/accounts/login/").content


def test_the_idp_is_trusted_again_after_a_refusal(sso, client):
    sso.spoil_next_token("tampered")
    sign_in(Client(), IdpBrowser(), "arne")
    sign_in(client, IdpBrowser(), "arne")
    assert signed_in_user(client) == "arne"


def test_a_callback_this_browser_did_not_start_signs_nobody_in(sso, client):
    """The state (and its nonce) live in the session that started the sign-in: a code delivered to another
    browser (login CSRF, a stolen redirect) is refused."""
    browser = IdpBrowser()
    started = client.get("/accounts/sso/login/")
    callback = browser.to_callback(started["Location"], "arne")

    victim = Client()
    response = victim.get(callback)

    assert response["Location"] == "/accounts/login/"
    assert signed_in_user(victim) is None


def test_a_callback_is_used_once(sso, client):
    """The state is forgotten on first use: the same callback again (a replay) is refused, even in the
    session that started it and while another sign-in of that session is still open."""
    browser = IdpBrowser()
    first = client.get("/accounts/sso/login/")
    client.get("/accounts/sso/login/")  # a second sign-in started in another tab keeps its state open
    callback = browser.to_callback(first["Location"], "arne")
    client.get(callback)
    assert signed_in_user(client) == "arne"
    logins = LogEntry.objects.filter(change_message__contains="account.sso_login").count()

    replayed = client.get(callback)

    assert backend.REFUSED.encode() in client.get(replayed["Location"]).content
    assert LogEntry.objects.filter(change_message__contains="account.sso_login").count() == logins


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/x", "http://testserver.evil.example/", "javascript:alert(1)"],
)
def test_next_never_leaves_the_site(sso, client, next_url):
    response = sign_in(client, IdpBrowser(), "olga", start=f"/accounts/sso/login/?next={next_url}")
    assert response["Location"] == "/"


def test_the_log_in_page_offers_the_idp(sso, client):
    page = client.get("/accounts/login/?next=/pools/")
    assert b'href="/accounts/sso/login/?next=/pools/"' in page.content
