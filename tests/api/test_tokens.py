"""Personal API tokens: made on their owner's page and shown once, stored as a digest, named, expiring,
revoked by their owner or an administrator, with their last use; audited; refused once revoked or expired."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from pools.core.audit_messages import parse_message
from pools.forms.api_tokens import WRONG_PASSWORD_FOR_TOKEN
from pools.models import ApiToken
from pools.services import api_tokens
from tests.fixtures.api import api_client, token_for
from tests.fixtures.users import PASSWORD, make_user

pytestmark = pytest.mark.django_db

PAGE = reverse("pools:api_token_list")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def token_entries() -> list[dict]:
    entries = [parse_message(e) for e in LogEntry.objects.order_by("pk")]
    return [entry for entry in entries if entry["action"].startswith("api_token.")]


def test_the_page_shows_a_new_token_once_and_stores_only_its_digest(operator):
    page = signed_in(operator)
    answer = page.post(
        PAGE, {"name": "terraform", "expires_in_days": "30", "scopes": ["change"], "password": PASSWORD}
    )
    assert answer.status_code == 200
    text = answer.context["created"]["text"]
    assert text.startswith(api_tokens.TOKEN_PREFIX) and text in answer.content.decode()
    token = ApiToken.objects.get()
    assert token.digest == api_tokens.digest_of(text) and text not in str(ApiToken.objects.values().get())
    assert token.scopes == ["change"] and token.expires_at > timezone.now() + timedelta(days=29)
    again = page.get(PAGE).content.decode()
    assert text not in again and "terraform" in again and token.prefix in again
    [entry] = token_entries()
    assert entry["action"] == "api_token.create" and entry["details"]["name"] == "terraform"
    assert text not in str(entry)


def test_bad_token_forms_are_field_errors(viewer, operator):
    assert signed_in(operator).post(PAGE, {"name": "", "password": PASSWORD}).status_code == 400
    answer = signed_in(viewer).post(PAGE, {"name": "x", "scopes": ["change"], "password": PASSWORD})
    assert answer.status_code == 400
    assert answer.context["form"].errors["scopes"] == [api_tokens.CHANGE_SCOPE_NEEDS_ROLE]
    token_for(operator, name="dup")
    duplicate = signed_in(operator).post(PAGE, {"name": "dup", "password": PASSWORD})
    assert duplicate.context["form"].errors["name"] == [api_tokens.NAME_TAKEN]


def test_the_token_form_marks_required_fields_and_ties_errors_to_them(operator):
    """The token form is written by the include every form shares: required fields are marked, and an
    error sits under its field with the id the field points to."""
    html = signed_in(operator).post(PAGE, {"name": "", "password": PASSWORD}).content.decode()
    assert 'for="id_name">Name <span class="muted">*</span></label>' in html
    assert 'for="id_expires_in_days">Expires</label>' in html  # optional: no mark
    assert '<p class="field-error" id="id_name-error">' in html


def test_making_a_token_takes_the_password_again(operator):
    answer = signed_in(operator).post(PAGE, {"name": "borrowed", "password": "guess"})
    assert answer.status_code == 400
    assert answer.context["form"].errors["password"] == [WRONG_PASSWORD_FOR_TOKEN]
    assert not ApiToken.objects.exists() and "mat_" not in answer.content.decode()


def test_last_use_is_noted(viewer):
    text = token_for(viewer)
    assert ApiToken.objects.get().last_used_at is None
    assert api_client(text).get("/api/v1/connections/").status_code == 200
    assert ApiToken.objects.get().last_used_at is not None


def test_the_owner_revokes_and_the_token_stops_working(viewer):
    text = token_for(viewer, name="laptop")
    client = api_client(text)
    assert client.get("/api/v1/connections/").status_code == 200
    token = ApiToken.objects.get()
    answer = signed_in(viewer).post(reverse("pools:api_token_revoke", args=[token.pk]))
    assert answer.status_code == 302
    refused = client.get("/api/v1/connections/")
    assert refused.status_code == 401
    assert refused.json()["error"]["message"].startswith("That token is unknown, revoked or expired")
    assert [entry["action"] for entry in token_entries()] == ["api_token.create", "api_token.revoke"]
    assert token_entries()[1]["details"]["revoked_by_owner"] is True


def test_others_cannot_revoke_it_but_an_administrator_can(viewer, operator, administrator):
    token_for(viewer, name="laptop")
    token = ApiToken.objects.get()
    url = reverse("pools:api_token_revoke", args=[token.pk])
    assert signed_in(operator).post(url).status_code == 404
    assert signed_in(operator).get(reverse("pools:api_token_admin")).status_code == 403
    listing = signed_in(administrator).get(reverse("pools:api_token_admin"))
    assert "laptop" in listing.content.decode() and viewer.username in listing.content.decode()
    assert signed_in(administrator).post(url).status_code == 302
    token.refresh_from_db()
    assert token.revoked_by == administrator
    assert token_entries()[-1]["details"]["revoked_by_owner"] is False


def test_an_expired_token_or_an_inactive_user_is_refused(viewer):
    text = token_for(viewer, days=1)
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert api_client(text).get("/api/v1/connections/").status_code == 401
    fresh = token_for(viewer, name="fresh")
    viewer.is_active = False
    viewer.save()
    assert api_client(fresh).get("/api/v1/connections/").status_code == 401


@pytest.mark.parametrize(
    "header",
    [
        "",
        "Bearer",
        "Bearer a b",
        "Basic dXNlcjpwYXNz",
        "Bearer mat_guess",
        "Bearer ünïcode",
        "Token " + "x" * 500,
    ],
)
def test_without_a_valid_token_the_api_answers_401_not_a_login_page(db, header):
    client = api_client()
    answer = (
        client.get("/api/v1/connections/", HTTP_AUTHORIZATION=header)
        if header
        else client.get("/api/v1/connections/")
    )
    assert answer.status_code == 401
    assert answer["WWW-Authenticate"] == 'Bearer realm="api"'
    assert "error" in answer.json()


def test_a_signed_in_session_does_not_open_the_api(viewer):
    assert signed_in(viewer).get("/api/v1/connections/").status_code == 401


def test_a_token_carries_its_users_roles_at_each_call(django_user_model, sandbox_connection):
    user = make_user(django_user_model, "promoted", "Viewer")
    client = api_client(token_for(user))
    assert client.get("/api/v1/audit-entries/").status_code == 403
    user.groups.add(*type(user.groups.first()).objects.filter(name="Auditor"))
    assert client.get("/api/v1/audit-entries/").status_code == 200
