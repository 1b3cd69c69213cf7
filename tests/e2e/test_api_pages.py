"""The API's pages in a real browser: a person makes a token (shown once) that opens the API, and the docs
page (Swagger UI from vendored files) renders the schema under the site's Content-Security-Policy."""

import pytest
import requests
from playwright.sync_api import expect

from tests.e2e.test_csp import Violations
from tests.fixtures.users import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_token_made_in_the_browser_opens_the_api(login, live_server, operator, sandbox_connection):
    page = login(operator)
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="API tokens").click()
    page.get_by_label("Name").fill("my-laptop")
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Create token").click()
    text = page.get_by_label("The new token").input_value()
    assert text.startswith("mat_")
    answer = requests.get(
        f"{live_server.url}/api/v1/connections/", headers={"Authorization": f"Bearer {text}"}, timeout=10
    )
    assert answer.status_code == 200 and answer.json()["data"][0]["name"] == "sandbox"
    page.reload()
    expect(page.locator("#api-token-form")).to_be_visible()
    assert text not in page.content()
    expect(page.locator("table.api-tokens")).to_contain_text("my-laptop")


def test_the_docs_page_renders_the_schema_under_the_policy(login, live_server, viewer):
    page = login(viewer)
    violations = Violations(page)
    page.goto(f"{live_server.url}/api/v1/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("ModelArts Admin API")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    page.screenshot(path="var/test-results/api-docs.png")
    violations.assert_none("the API docs page")
