"""The 403, 404 and 500 pages keep the layout and say what to do next."""

import pytest
from django.urls import include, path, reverse

pytestmark = pytest.mark.django_db


def test_forbidden_page_names_the_users_roles_and_keeps_the_navigation(viewer_client, viewer):
    response = viewer_client.get(reverse("pools:connection_list"))
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


def fail_on_purpose(request):
    raise RuntimeError("a bug on purpose: secret-looking detail 0042")


# This module is also the URLconf of the 500-page test: the project's URLs plus one view that fails.
urlpatterns = [path("fail-on-purpose/", fail_on_purpose), path("", include("modelarts_admin.urls"))]


@pytest.mark.urls(__name__)
def test_server_error_page_keeps_the_layout_and_shows_no_stack_trace(viewer_client, settings):
    settings.DEBUG = False
    viewer_client.raise_request_exception = False
    response = viewer_client.get("/fail-on-purpose/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong on our side" in page
    assert 'class="topbar"' in page and "css/app.css" in page, "the project's look, not a bare page"
    assert "Traceback" not in page and "RuntimeError" not in page and "0042" not in page
