import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_anonymous_user_is_sent_to_login(client):
    response = client.get(reverse("pools:overview"))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=/")


def test_login_page_renders_without_login(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert b'name="password"' in response.content


def test_user_without_role_is_forbidden(client, nobody):
    client.force_login(nobody)
    assert client.get(reverse("pools:overview")).status_code == 403


def test_viewer_sees_overview_with_htmx_and_csrf_header(viewer_client):
    response = viewer_client.get(reverse("pools:overview"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "htmx" in html and "hx-headers" in html and "X-CSRFToken" in html


def test_there_is_no_self_service_password_reset(client):
    assert client.get("/accounts/password_reset/").status_code in (302, 404)
    assert client.post("/accounts/password_reset/", {"email": "x@example.test"}).status_code in (302, 404)
