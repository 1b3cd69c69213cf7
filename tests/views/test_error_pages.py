"""The 403 and 404 pages keep the layout and say what to do next."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_forbidden_page_names_the_users_roles_and_keeps_the_navigation(viewer_client, viewer):
    response = viewer_client.get(reverse("pools:connections"))
    assert response.status_code == 403
    page = response.content.decode()
    assert "You may not open this page" in page
    assert "<strong>Viewer</strong>" in page
    assert 'class="mainnav"' in page and reverse("pools:overview") in page


def test_forbidden_page_for_a_user_without_a_role(client, nobody):
    client.force_login(nobody)
    response = client.get(reverse("pools:overview"))
    assert response.status_code == 403
    page = response.content.decode()
    assert "You may not open this page" in page and "no role" in page


def test_not_found_page_shows_the_missing_address(viewer_client, settings):
    settings.DEBUG = False
    response = viewer_client.get("/no/such/page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Page not found" in page and "<code>/no/such/page/</code>" in page
    assert 'class="mainnav"' in page
