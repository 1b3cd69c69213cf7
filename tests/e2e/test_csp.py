"""The pages run in a real browser under the Content-Security-Policy without a single violation.

Chromium reports each blocked script, style or connection on the console ("... violates the following
Content Security Policy directive ...") and fires ``securitypolicyviolation`` on the document; the tests
listen to both, and to uncaught page errors.
"""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from pools.services import change_requests
from tests.fixtures import sandbox as sandbox_account
from tests.fixtures.users import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile}:${event.lineNumber}`);
});
"""


class Violations:
    def __init__(self, page):
        self.page = page
        self.console: list[str] = []
        self.errors: list[str] = []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(message.text)

    def on_this_page(self) -> list[str]:
        return self.page.evaluate("window.__cspViolations || []")

    def assert_none(self, where: str) -> None:
        found = self.console + self.on_this_page() + self.errors
        assert not found, f"{where}: " + "\n".join(found)


@pytest.fixture
def violations(page):
    return Violations(page)


@pytest.fixture
def estate(seeded_sandbox, sandbox_connection, operator):
    """The sandbox's demo pools behind a connection, and a pending request to delete one of them."""
    pool = seeded_sandbox.create_pool(sandbox_account.PROJECT_ID, sandbox_account.pool_body("csp-pool"))
    seeded_sandbox.settle()
    pool_name = pool["metadata"]["name"]
    change_request = change_requests.change_request_create(
        user=operator,
        connection=sandbox_connection,
        kind="delete_pool",
        target=pool_name,
        body=None,
        reason="Content-Security-Policy test",
        idempotency_key="csp",
    )
    return {"connection": sandbox_connection, "pool_name": pool_name, "change_request": change_request}


def main_pages(estate) -> list[str]:
    """The pages an administrator opens, one per view with a page of its own."""
    connection = estate["connection"]
    pool = f"/pools/{connection.pk}/{estate['pool_name']}"
    return [
        "/",
        "/pools/",
        f"{pool}/",
        f"{pool}/nodes/",
        f"{pool}/monitoring/",
        f"{pool}/delete/",
        "/pool-wizard/",
        "/approvals/",
        "/approvals/history/",
        "/requests/mine/",
        f"/requests/{estate['change_request'].pk}/",
        "/audit/",
        "/connections/",
        "/connections/new/",
        f"/connections/{connection.pk}/edit/",
        f"/connections/{connection.pk}/delete/",
        "/accounts/password_change/",
    ]


def test_main_pages_run_without_policy_violations(login, live_server, administrator, estate, violations):
    page = login(administrator)
    for path in main_pages(estate):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        violations.assert_none(path)


def test_overview_cards_load_through_htmx_under_the_policy(login, live_server, viewer, estate, violations):
    connection = estate["connection"]
    page = login(viewer)
    with page.expect_response(f"{live_server.url}/overview/{connection.pk}/") as answer:
        page.goto(f"{live_server.url}/")
    assert answer.value.request.headers.get("hx-request") == "true"
    card = page.locator(f"#card-{connection.pk}")
    expect(card).not_to_have_class("card usage-card loading")
    expect(card.locator("h3").first).to_contain_text("Pools by status")
    violations.assert_none("overview cards")


def test_a_filter_updates_the_pool_table_under_the_policy(login, live_server, viewer, estate, violations):
    page = login(viewer)
    page.goto(f"{live_server.url}/pools/")
    expect(page.locator("#pool-table")).to_contain_text("csp-pool")
    with page.expect_response(lambda response: "/pools/?" in response.url) as answer:
        page.fill("input[name=q]", "no-pool-has-this-name")
    assert answer.value.request.headers.get("hx-request") == "true"
    expect(page.locator("#pool-table")).not_to_contain_text("csp-pool")
    violations.assert_none("pool filter")


def test_an_htmx_post_works_under_the_policy(login, live_server, administrator, estate, violations):
    connection = estate["connection"]
    page = login(administrator)
    page.goto(f"{live_server.url}/connections/")
    with page.expect_response(f"{live_server.url}/connections/{connection.pk}/test/") as answer:
        page.click(f"#connection-{connection.pk} button:has-text('Test')")
    assert answer.value.request.headers.get("hx-request") == "true"
    expect(page.locator(f"#test-outcome-{connection.pk} .badge.ok")).to_be_visible()
    violations.assert_none("connection test swap")


def test_login_page_and_a_failed_login_run_without_policy_violations(page, live_server, viewer, violations):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", viewer.username)
    page.fill("#id_password", "not the password")
    page.click("button[type=submit]")
    expect(page.locator(".banner.error")).to_be_visible()
    violations.assert_none("log-in")


def test_htmx_runs_with_the_policy_friendly_config(login, live_server, viewer, violations):
    page = login(viewer)
    config = page.evaluate(
        "({allowEval: htmx.config.allowEval, styles: htmx.config.includeIndicatorStyles,"
        " cache: htmx.config.historyCacheSize, injected: document.querySelectorAll('style').length})"
    )
    assert config == {"allowEval": False, "styles": False, "cache": 0, "injected": 0}
    violations.assert_none("overview")


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("sam-super", "sam@example.test", PASSWORD)


def test_django_admin_runs_under_the_same_policy(page, live_server, superuser, violations):
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", superuser.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#site-name")).to_be_visible()
    for path in [
        "/admin/",
        "/admin/auth/user/",
        "/admin/auth/user/add/",
        f"/admin/auth/user/{superuser.pk}/change/",
    ]:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        violations.assert_none(path)
    # The admin's own scripts ran: the theme toggle and the sidebar toggle are wired up.
    page.goto(f"{live_server.url}/admin/auth/user/")
    expect(page.locator("#toggle-nav-sidebar")).to_be_visible()
    page.click("#toggle-nav-sidebar")
    expect(page.locator("#main")).not_to_have_class("main shifted")


def test_the_listeners_catch_a_violation(login, live_server, viewer, violations):
    # Proves the assertions above can fail: an inline handler injected into the page is blocked and reported.
    page = login(viewer)
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<img src=\"data:,\" onerror=\"1\">')")
    page.wait_for_function("window.__cspViolations.length > 0")
    with pytest.raises(AssertionError, match="script-src"):
        violations.assert_none("injected")


@pytest.mark.parametrize("path", ["/health/live/", "/health/ready/"])
def test_the_health_pages_are_styled_under_the_policy(page, live_server, locmem_cache, violations, path):
    page.goto(f"{live_server.url}{path}")
    page.wait_for_load_state("networkidle")

    expect(page.locator("h1")).to_have_text("System status")
    card = page.evaluate("getComputedStyle(document.querySelector('.card')).borderTopLeftRadius")
    assert card == "8px", "the stylesheet applies"
    violations.assert_none(path)
