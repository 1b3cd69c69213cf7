from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from modelarts_admin.middleware import SEEN_AT_KEY
from tests.fixtures.users import PASSWORD

pytestmark = pytest.mark.django_db

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"
)


# --- Content-Security-Policy ---


@pytest.mark.parametrize("path", ["/accounts/login/", "/", "/no-such-page/", "/admin/login/"])
def test_every_response_carries_the_policy(client, path):
    response = client.get(path)
    assert response["Content-Security-Policy"] == POLICY


def test_signed_in_pages_carry_the_policy_and_deny_framing(viewer_client):
    response = viewer_client.get(reverse("pools:overview"))
    assert response["Content-Security-Policy"] == POLICY
    assert response["X-Frame-Options"] == "DENY"


def test_base_template_keeps_htmx_from_injecting_styles_or_evaluating_code(viewer_client):
    html = viewer_client.get(reverse("pools:overview")).content.decode()
    assert (
        '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false, "allowEval": false, '
        '"historyCacheSize": 0}\'>'
    ) in html
    assert html.index('name="htmx-config"') < html.index("htmx-2.min.js")


# --- Signed-in pages are not cached ---


def test_signed_in_pages_are_not_stored(viewer_client):
    response = viewer_client.get(reverse("pools:overview"))
    assert response["Cache-Control"] == "private, no-store"


def test_a_view_that_sets_its_own_caching_keeps_it(viewer_client):
    # Django's log-in view is never_cache: its fuller header stays as it is.
    response = viewer_client.get("/accounts/login/")
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"


def test_anonymous_answers_are_left_alone(client):
    assert not client.get("/no-such-page/").has_header("Cache-Control")


# --- Sessions: httponly, end with the browser, and after SESSION_COOKIE_AGE without activity ---


def session_row(client) -> Session:
    return Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)


def set_expiry(client, expire_date) -> None:
    """Move the session's expiry in the database, and drop its cached copy (cached_db keeps one that expires
    with the session; a test that moves the clock of the row alone would still find it)."""
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    Session.objects.filter(session_key=session_key).update(expire_date=expire_date)
    cache.delete(SessionStore(session_key=session_key).cache_key)


def sign_in(client, user):
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return response


def test_session_cookie_is_httponly_and_ends_with_the_browser(client, viewer):
    response = sign_in(client, viewer)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert not cookie["max-age"] and not cookie["expires"]


def test_defaults_are_eight_hours_refreshed_each_minute():
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    assert settings.SESSION_ACTIVITY_REFRESH_SECONDS == 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


def test_activity_slides_the_expiry_forward(client, viewer):
    sign_in(client, viewer)
    # Pretend the last refresh was long ago and the session is about to run out.
    session = client.session
    session[SEEN_AT_KEY] = 0
    session.save()
    set_expiry(client, timezone.now() + timedelta(minutes=1))

    assert client.get(reverse("pools:overview")).status_code == 200

    remaining = session_row(client).expire_date - timezone.now()
    assert timedelta(seconds=settings.SESSION_COOKIE_AGE - 60) < remaining
    assert remaining <= timedelta(seconds=settings.SESSION_COOKIE_AGE)


def test_requests_within_the_refresh_interval_do_not_write_the_session(client, viewer):
    sign_in(client, viewer)
    client.get(reverse("pools:overview"))
    expiry = timezone.now() + timedelta(minutes=30)
    set_expiry(client, expiry)

    client.get(reverse("pools:overview"))

    assert session_row(client).expire_date == expiry


def test_an_idle_session_has_ended(client, viewer):
    sign_in(client, viewer)
    set_expiry(client, timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("pools:overview"))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_anonymous_visits_create_no_session(client):
    client.get("/accounts/login/")
    client.get(reverse("pools:overview"))
    assert Session.objects.count() == 0
