"""Deciding after signing in through the IdP: no password (the dashboard holds none), but a sign-in at the
IdP no older than OIDC_REAUTH_MAX_AGE_SECONDS, made through /accounts/sso/reauthenticate/ (prompt=login,
max_age=0) against the real test IdP."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.urls import reverse

from pools.forms.approvals import RunForm
from pools.models import ChangeRequest
from pools.services import change_requests as svc
from pools.sso import backend, session
from tests.sso.conftest import IdpBrowser, sign_in

pytestmark = pytest.mark.django_db
User = get_user_model()
Status = ChangeRequest.Status
TEN_MINUTES = 600


@pytest.fixture
def pending(operator, cloud_connection, cloud):
    pool = cloud.add_pool("pool-sso", nodes=2)
    return svc.change_request_create(
        user=operator,
        connection=cloud_connection,
        kind="delete_pool",
        target=pool,
        body=None,
        reason="SSO re-authentication",
        idempotency_key="sso",
    )


def age_the_sign_in(client, seconds: int) -> None:
    """As if ``seconds`` had passed since the person last signed in at the IdP."""
    stored = client.session
    stored[session.AUTH_TIME] = time.time() - seconds
    stored.save()


def approve(client, change_request, **data):
    return client.post(
        reverse("pools:change_request_approve", args=[change_request.pk]), {"comment": "ok", **data}
    )


def reauthenticate(client, browser, login: str, change_request):
    detail = reverse("pools:change_request_detail", args=[change_request.pk])
    return sign_in(client, browser, login, start=f"/accounts/sso/reauthenticate/?next={detail}")


def test_a_stale_sign_in_is_refused_and_a_fresh_one_accepted(sso, client, pending):
    browser = IdpBrowser()
    sign_in(client, browser, "arne")
    age_the_sign_in(client, TEN_MINUTES)

    card = client.get(reverse("pools:change_request_detail", args=[pending.pk]))
    assert b'name="password"' not in card.content and b'data-role="reauthenticate"' in card.content
    refused = approve(client, pending, password="anything at all")
    assert refused.status_code == 400 and b"sign in there again" in refused.content
    pending.refresh_from_db()
    assert pending.status == Status.PENDING and not pending.approvals.exists()

    logins_before = browser.logins
    back = reauthenticate(client, browser, "arne", pending)
    # prompt=login: the IdP asked for the log-in again although its own session was still open.
    assert browser.logins == logins_before + 1
    assert back["Location"] == reverse("pools:change_request_detail", args=[pending.pk])

    accepted = approve(client, pending)
    assert accepted.status_code == 302
    pending.refresh_from_db()
    assert pending.status == Status.SUCCEEDED
    assert [a.approver.username for a in pending.approvals.all()] == ["arne"]


def test_an_idp_that_reuses_an_old_sign_in_does_not_count(sso, client, pending):
    """The re-authentication's ID token carries an auth_time from before it was asked for (an IdP that
    ignored prompt=login and max_age): refused, and approving stays closed."""
    browser = IdpBrowser()
    sign_in(client, browser, "arne")
    age_the_sign_in(client, TEN_MINUTES)

    sso.spoil_next_token("stale_auth_time")
    back = reauthenticate(client, browser, "arne", pending)

    assert back["Location"] == reverse("pools:change_request_detail", args=[pending.pk])
    assert User.objects.get(pk=client.session[SESSION_KEY]).username == "arne"  # still signed in
    assert backend.NOT_REAUTHENTICATED.encode() in client.get(back["Location"]).content
    assert approve(client, pending).status_code == 400
    pending.refresh_from_db()
    assert pending.status == Status.PENDING


def test_signing_in_again_as_someone_else_does_not_count(sso, client, pending):
    browser = IdpBrowser()
    sign_in(client, browser, "arne")
    age_the_sign_in(client, TEN_MINUTES)

    # Another approver signs in at the IdP (in a browser session of their own there).
    back = reauthenticate(client, IdpBrowser(), "ari", pending)

    assert backend.SOMEONE_ELSE.encode() in client.get(back["Location"]).content

    assert User.objects.get(pk=client.session[SESSION_KEY]).username == "arne"
    assert approve(client, pending).status_code == 400
    pending.refresh_from_db()
    assert pending.status == Status.PENDING and not User.objects.filter(username="ari").exists()


def test_retry_and_execute_ask_for_the_same_fresh_sign_in(sso, client, rf):
    sign_in(client, IdpBrowser(), "arne")
    request = rf.post("/")
    request.session = client.session
    arne = User.objects.get(username="arne")

    assert RunForm({}, user=arne, request=request).is_valid()
    age_the_sign_in(client, TEN_MINUTES)
    request.session = client.session
    stale = RunForm({"password": "whatever"}, user=arne, request=request)
    assert not stale.is_valid() and "password" not in stale.fields
    assert stale.errors.as_data()["__all__"][0].code == "reauthenticate"


def test_a_password_session_keeps_the_password_check(sso, client, approver, pending):
    client.force_login(approver)
    card = client.get(reverse("pools:change_request_detail", args=[pending.pk]))
    assert b'name="password"' in card.content
    assert approve(client, pending, password="wrong").status_code == 400
    # and it is not sent through the IdP to "re-authenticate"
    assert client.get("/accounts/sso/reauthenticate/?next=/approvals/")["Location"] == "/approvals/"
