import pytest
from playwright.sync_api import expect

from pools.models import Connection, UserPreference
from tests.fixtures.connections import FAKE_ACCESS_KEY, FAKE_SECRET_KEY

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def fill_connection_form(page, name: str, endpoint: str = ""):
    page.fill("#id_name", name)
    page.select_option("#id_region", "cn-north-4")
    page.fill("#id_project_id", "0123456789abcdef0123456789abcdef")
    page.fill("#id_endpoint", endpoint)
    page.fill("#id_access_key", FAKE_ACCESS_KEY)
    page.fill("#id_secret_key", FAKE_SECRET_KEY)


def test_administrator_fixes_a_field_error_and_creates_a_connection(login, live_server, administrator):
    page = login(administrator)
    page.click("nav >> text=Connections")
    page.click("text=New connection")
    fill_connection_form(page, "prod-beijing", endpoint="https://modelarts.example.com/v2")
    page.click("button:has-text('Create')")
    # The htmx swap brings the form back with the error and empty key inputs.
    expect(page.locator("#id_endpoint-error")).to_contain_text("without a path")
    expect(page.locator("#id_secret_key")).to_have_value("")
    assert FAKE_SECRET_KEY not in page.content() and FAKE_ACCESS_KEY not in page.content()

    page.fill("#id_endpoint", "https://modelarts.example.com")
    page.fill("#id_access_key", FAKE_ACCESS_KEY)
    page.fill("#id_secret_key", FAKE_SECRET_KEY)
    page.click("button:has-text('Create')")
    page.wait_for_url(f"{live_server.url}/connections/")
    expect(page.locator("#connection-table")).to_contain_text("prod-beijing")
    expect(page.locator("#connection-table")).to_contain_text("AKFA…042Q")
    assert FAKE_SECRET_KEY not in page.content() and FAKE_ACCESS_KEY not in page.content()
    assert Connection.objects.get().endpoint == "https://modelarts.example.com"


def test_viewer_switches_connection_from_the_navigation(login, live_server, viewer, make_connection):
    make_connection("alpha")
    zeta = make_connection("zeta")
    page = login(viewer)
    expect(page.locator("#connection-switch")).to_have_value(str(Connection.objects.get(name="alpha").pk))
    with page.expect_navigation():
        page.select_option("#connection-switch", str(zeta.pk))
    expect(page.locator("#connection-switch")).to_have_value(str(zeta.pk))
    assert UserPreference.objects.get(user=viewer).connection_id == zeta.pk


def test_testing_a_connection_shows_the_outcome_inline(login, live_server, administrator, sandbox_connection):
    page = login(administrator)
    page.goto(f"{live_server.url}/connections/")
    expect(page.locator(f"#test-outcome-{sandbox_connection.pk}")).to_contain_text("Never tested")
    page.click(f"#connection-{sandbox_connection.pk} button:has-text('Test')")
    outcome = page.locator(f"#test-outcome-{sandbox_connection.pk}")
    expect(outcome).to_contain_text("0 pools in")
    expect(outcome.locator(".badge.ok")).to_be_visible()
    assert page.url == f"{live_server.url}/connections/"  # swapped in place, no navigation
