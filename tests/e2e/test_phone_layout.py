"""On a phone (390 × 844) every main page fits the screen: nothing widens the page, wide tables scroll
inside their own box, and the header keeps the connection switcher and Log out on screen."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from pools.services import change_requests as svc
from tests.fixtures.sandbox import pool_id

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


# The outermost elements that reach past the screen's right edge, to name the culprit in a failure.
OVERFLOWING = """() => {
  const limit = document.documentElement.clientWidth;
  const past = (element) => element.getBoundingClientRect().right > limit + 0.5;
  return [...document.body.querySelectorAll("*")]
    .filter((element) => past(element) && !past(element.parentElement))
    .slice(0, 8)
    .map((element) => element.tagName.toLowerCase() + (element.id ? "#" + element.id : "")
      + (element.className && typeof element.className === "string" ? "." + element.className.trim().split(/\\s+/).join(".") : "")
      + " (" + Math.round(element.getBoundingClientRect().right) + " px)");
}"""


def assert_fits_the_phone(page, what: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], (
        f"{what}: the page is {width} px wide on a {PHONE['width']} px screen; "
        f"too wide: {', '.join(page.evaluate(OVERFLOWING))}"
    )
    for name, locator in (
        ("the connection switcher", page.locator(".connection-switcher select")),
        ("Log out", page.get_by_role("button", name="Log out")),
    ):
        expect(locator).to_be_visible()
        box = locator.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], f"{what}: {name} is off screen"


@pytest.fixture
def phone(login, administrator, operator, locmem_cache, seeded_sandbox, sandbox_connection):
    """An administrator (every page and every header link) on a phone-sized screen."""
    page = login(administrator)
    page.set_viewport_size(PHONE)
    yield page
    page.goto("about:blank")  # stop polling before the test's cache goes away


def test_browse_pages_fit_a_phone(phone, live_server, seeded_sandbox, sandbox_connection):
    page = phone
    page.goto(f"{live_server.url}{reverse('pools:overview')}")
    expect(page.locator(f"#card-{sandbox_connection.pk} table.usage-totals")).to_be_visible()
    assert_fits_the_phone(page, "overview")

    page.goto(f"{live_server.url}{reverse('pools:pool_list')}")
    expect(page.locator("table.pools")).to_be_visible()
    assert_fits_the_phone(page, "pool list")

    pool = pool_id(seeded_sandbox, "llm-pretrain")
    page.goto(f"{live_server.url}{reverse('pools:pool_detail', args=[sandbox_connection.pk, pool])}")
    expect(page.locator(".details-panel")).to_be_visible()
    assert_fits_the_phone(page, "pool details")
    page.click("nav.tabs >> text=Nodes")
    expect(page.locator("#node-rows tr[data-phase]").first).to_be_visible()
    assert_fits_the_phone(page, "nodes tab")
    page.click("nav.tabs >> text=Monitoring")
    expect(page.locator("figure.chart canvas").first).to_be_visible()
    assert_fits_the_phone(page, "monitoring tab")

    page.goto(f"{live_server.url}{reverse('pools:pool_nodes', args=[sandbox_connection.pk, pool])}")
    expect(page.locator("#node-rows tr[data-phase]").first).to_be_visible()
    assert_fits_the_phone(page, "nodes page")

    page.goto(f"{live_server.url}{reverse('pools:delete_pool_request', args=[sandbox_connection.pk, pool])}")
    assert_fits_the_phone(page, "pool deletion request")


def test_approval_audit_connection_and_wizard_pages_fit_a_phone(
    phone, live_server, operator, seeded_sandbox, sandbox_connection
):
    page = phone
    pending = svc.change_request_create(
        user=operator,
        connection=sandbox_connection,
        kind="delete_pool",
        target=pool_id(seeded_sandbox, "llm-pretrain"),
        body=None,
        reason="Phone check",
        idempotency_key="phone",
    )
    page.goto(f"{live_server.url}{reverse('pools:approval_queue')}")
    expect(page.locator(f"#cr-{pending.pk} .revalidation-result")).to_be_visible()
    assert_fits_the_phone(page, "approvals queue")

    page.goto(f"{live_server.url}{reverse('pools:change_request_detail', args=[pending.pk])}")
    expect(page.locator(f"#cr-{pending.pk} .revalidation-result")).to_be_visible()
    assert_fits_the_phone(page, "request page")

    page.goto(f"{live_server.url}{reverse('pools:approval_history')}")
    assert_fits_the_phone(page, "approval history")

    page.goto(f"{live_server.url}{reverse('pools:audit_log')}")
    expect(page.locator("#chain-status")).to_contain_text("verified")
    assert_fits_the_phone(page, "audit")

    page.goto(f"{live_server.url}{reverse('pools:connection_list')}")
    assert_fits_the_phone(page, "connections")
    page.goto(f"{live_server.url}{reverse('pools:connection_create')}")
    assert_fits_the_phone(page, "new connection")

    page.goto(f"{live_server.url}{reverse('pools:pool_wizard_start')}")
    expect(page.locator("h2")).to_contain_text("Basics")
    assert_fits_the_phone(page, "wizard: basics")
    page.fill("#id_display_name", "pool-phone")
    page.get_by_role("button", name="Next →").click()
    expect(page.locator("h2")).to_contain_text("Type and scope")
    assert_fits_the_phone(page, "wizard: type and scope")
    page.check("input[name=type][value=Dedicate]")
    page.check("input[name=scope][value=Train]")
    page.get_by_role("button", name="Next →").click()
    expect(page.locator("h2")).to_contain_text("Resources")
    assert_fits_the_phone(page, "wizard: resources")
