"""Keyboard focus stays where the user left it when htmx swaps part of a page, and "Skip to content" is the
first stop of the Tab key."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from pools.services import change_requests as svc
from tests.fixtures.sandbox import pool_id
from tests.fixtures.users import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# What has the focus: its tag, link, text and the id of the region it is in.
FOCUSED = """() => {
  const element = document.activeElement;
  const region = element.closest("[id]");
  return {
    tag: element.tagName.toLowerCase(),
    href: element.getAttribute("href"),
    text: element.textContent.trim().slice(0, 60),
    region: region ? region.id : null,
  };
}"""


def mark_for_replacement(page, selector: str) -> None:
    """Tag the element now at ``selector``, so that the test can wait until a swap has replaced it."""
    page.locator(selector).evaluate("(element) => { element.dataset.beforeSwap = 'yes'; }")


def wait_until_replaced(page, selector: str, timeout_ms: float = 15_000) -> None:
    page.wait_for_function(
        "(selector) => { const element = document.querySelector(selector);"
        " return element && !element.dataset.beforeSwap; }",
        arg=selector,
        timeout=timeout_ms,
    )


@pytest.fixture
def viewer_page(login, viewer, locmem_cache, seeded_sandbox, sandbox_connection):
    page = login(viewer)
    yield page
    page.goto("about:blank")  # stop polling before the test's cache goes away


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_the_content(viewer_page, live_server):
    page = viewer_page
    page.goto(f"{live_server.url}{reverse('pools:pool_list')}")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_have_text("Skip to content")
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()


def test_auto_refresh_keeps_the_focus_on_the_same_link(viewer_page, live_server, seeded_sandbox):
    page = viewer_page
    page.goto(f"{live_server.url}{reverse('pools:pool_list')}")
    # A pool is still being created (the sandbox's clock stands still), so the table refreshes itself.
    expect(page.locator("#pool-table[hx-trigger]")).to_have_count(1)
    link = page.locator("#pool-table a", has_text="llm-pretrain").first
    link.focus()
    before = page.evaluate(FOCUSED)
    assert before["region"] == "pool-table" and before["tag"] == "a"

    mark_for_replacement(page, "#pool-table")
    wait_until_replaced(page, "#pool-table")
    assert page.evaluate(FOCUSED) == before, "the refresh moved the focus"


def test_auto_refresh_does_not_take_the_focus_back_after_the_user_left(viewer_page, live_server):
    page = viewer_page
    page.goto(f"{live_server.url}{reverse('pools:pool_list')}")
    page.locator("#pool-table a", has_text="llm-pretrain").first.focus()
    page.evaluate("document.activeElement.blur()")
    mark_for_replacement(page, "#pool-table")
    wait_until_replaced(page, "#pool-table")
    assert page.evaluate(FOCUSED)["tag"] == "body"


def test_refresh_button_keeps_the_focus_when_pressed_by_keyboard(viewer_page, live_server):
    page = viewer_page
    page.goto(f"{live_server.url}{reverse('pools:pool_list')}")
    page.locator("#pool-table .as-of a", has_text="Refresh").focus()
    mark_for_replacement(page, "#pool-table")
    page.keyboard.press("Enter")
    wait_until_replaced(page, "#pool-table")
    focused = page.evaluate(FOCUSED)
    assert (focused["tag"], focused["text"], focused["region"]) == ("a", "Refresh", "pool-table")


def test_switching_tabs_by_keyboard_keeps_the_focus_on_the_tab(
    viewer_page, live_server, seeded_sandbox, sandbox_connection
):
    page = viewer_page
    pool = pool_id(seeded_sandbox, "llm-pretrain")
    page.goto(f"{live_server.url}{reverse('pools:pool_detail', args=[sandbox_connection.pk, pool])}")
    for tab in ("Nodes", "Monitoring", "Details"):
        page.locator("nav.tabs a", has_text=tab).focus()
        mark_for_replacement(page, "#pool-tab")
        page.keyboard.press("Enter")
        wait_until_replaced(page, "#pool-tab")
        expect(page.locator("nav.tabs a[aria-current=page]")).to_have_text(tab)
        focused = page.evaluate(FOCUSED)
        assert (focused["tag"], focused["text"]) == ("a", tab), f"after {tab}: focus is on {focused}"


def test_a_request_decided_by_keyboard_keeps_the_focus_on_its_card(
    login, live_server, approver, operator, cloud, cloud_connection
):
    pending = svc.change_request_create(
        user=operator,
        connection=cloud_connection,
        kind="delete_pool",
        target=cloud.add_pool("pool-focus", nodes=1),
        body=None,
        reason="Focus check",
        idempotency_key="focus",
    )
    page = login(approver)
    page.goto(f"{live_server.url}{reverse('pools:approval_queue')}")
    card = f"#cr-{pending.pk}"
    page.locator(f"{card} input[name=password]").fill(PASSWORD)
    page.locator(f"{card} button", has_text="Approve").focus()
    page.keyboard.press("Enter")
    expect(page.locator(f"{card} [data-role=status]")).to_have_text("Succeeded")
    # The Approve button is gone with the decision: the card that replaced it has the focus.
    expect(page.locator(card)).to_be_focused()
