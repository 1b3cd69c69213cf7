import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_viewer_logs_in_and_lands_on_the_overview(login, live_server, viewer):
    page = login(viewer)
    expect(page.locator("h1")).to_have_text("Overview")
    expect(page.locator(".who")).to_have_text(viewer.username)


def test_wrong_password_shows_an_error_and_stays_on_login(page, live_server, viewer):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", viewer.username)
    page.fill("#id_password", "not the password")
    page.click("button[type=submit]")
    expect(page.locator(".banner.error")).to_be_visible()
    assert "/accounts/login/" in page.url
