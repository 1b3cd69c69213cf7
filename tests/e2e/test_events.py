"""Events in a real browser: the inbox puts warnings first and filters in place; a pool's Events tab; an
operator accepts maintenance, an approver approves, the acceptance is observed and the node goes through it."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from pools.models import ChangeRequest
from tests.fixtures.sandbox import pool_id
from tests.fixtures.users import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def viewer_page(login, viewer, locmem_cache, seeded_sandbox, sandbox_connection):
    page = login(viewer)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.js_errors = errors
    yield page
    page.goto("about:blank")


def test_the_inbox_shows_warnings_first_and_filters_in_place(viewer_page, live_server):
    page = viewer_page
    page.goto(live_server.url)
    page.click("nav.mainnav >> text=Events")

    rows = page.locator("table.inbox-events tbody tr")
    expect(rows.first).to_be_visible()
    types = rows.evaluate_all("rows => rows.map(row => row.dataset.type)")
    warnings = types.count("Warning")
    assert warnings == 4 and types[:warnings] == ["Warning"] * warnings
    expect(rows.first).to_have_class("event highlight warning")
    expect(page.locator("tr.scheduled-event")).to_have_count(2)
    expect(page.locator("tr.scheduled-event").first).to_contain_text("Waiting for acceptance")
    expect(page.locator("table.scheduled-events")).to_contain_text("HARD (wipes disks)")

    with page.expect_response(lambda response: "type=Warning" in response.url):
        page.select_option("#id_type", "Warning")
    expect(rows).to_have_count(4)
    assert "type=Warning" in page.url, "the filter's address is pushed to the history"
    assert page.js_errors == []


def test_a_pools_events_tab_marks_warnings_and_lists_its_maintenance(
    viewer_page, live_server, seeded_sandbox, sandbox_connection
):
    page = viewer_page
    pool = pool_id(seeded_sandbox, "vision-train")
    page.goto(f"{live_server.url}{reverse('pools:pool_detail', args=[sandbox_connection.pk, pool])}")
    page.click("nav.tabs >> text=Events")

    expect(page.locator("table.events tbody tr")).to_have_count(4)
    expect(page.locator("table.events tbody tr").first).to_have_class("event highlight warning")
    expect(page.locator("tr.scheduled-event")).to_contain_text("localdisk-recovery")
    assert page.url.endswith("/events/")
    assert page.js_errors == []


def test_an_operator_accepts_maintenance_an_approver_approves_and_it_is_observed(
    login, live_server, operator, approver, locmem_cache, seeded_sandbox, sandbox_connection
):
    page = login(operator)
    page.click("nav.mainnav >> text=Events")
    repair = page.locator("tr.scheduled-event", has_text="system-maintenance")
    repair.locator("text=Accept…").click()
    expect(page.locator(".hard-redeploy-warning")).to_contain_text("HARD redeploy destroys data")
    page.select_option("#id_redeploy", "HARD")
    page.fill("#id_reason", "The NPU card must be replaced.")
    page.get_by_role("button", name="Request acceptance").click()
    # Not confirmed yet: a field error, nothing filed.
    expect(page.locator(".field-error, .errorlist").first).to_contain_text("wiped")
    assert not ChangeRequest.objects.exists()
    page.check("#id_confirm_wipe")
    page.get_by_role("button", name="Request acceptance").click()
    page.wait_for_url(re.compile(r"/requests/\d+/$"))
    change_request = ChangeRequest.objects.get()
    card = page.locator(f"#cr-{change_request.pk}")
    expect(card.locator("[data-role=status]")).to_have_text("Pending approval")
    expect(card.locator(".call-note")).to_contain_text("local and cloud disks is lost")
    assert seeded_sandbox.calls("AcceptScheduledEvent") == 0, "nothing is accepted before approval"

    page.click("header >> button:has-text('Log out')")
    page = login(approver)
    page.click("nav.mainnav >> text=Approvals")
    card = page.locator(f"#cr-{change_request.pk}")
    expect(card.locator(".call-note")).to_contain_text("HARD redeploy")
    expect(card.locator(".revalidation-result")).to_contain_text("the change can be made")
    card.locator("input[name=password]").fill(PASSWORD)
    card.locator("button:has-text('Approve')").click()
    expect(card.locator("[data-role=status]")).to_have_text("In progress")
    assert seeded_sandbox.calls("AcceptScheduledEvent") == 1

    page.goto(f"{live_server.url}{reverse('pools:change_request_detail', args=[change_request.pk])}")
    page.get_by_role("button", name="Check progress now").click()
    card = page.locator(f"#cr-{change_request.pk}")
    expect(card.locator("[data-role=status]")).to_have_text("Succeeded")
    expect(card).to_contain_text("the maintenance is under way")
    assert seeded_sandbox.calls("AcceptScheduledEvent") == 1, "accepted once"

    # The node goes through the maintenance: the pool's Events tab shows it executing, then completed.
    pool = ChangeRequest.objects.get().target
    page.goto(f"{live_server.url}{reverse('pools:pool_events', args=[sandbox_connection.pk, pool])}")
    expect(page.locator("tr.scheduled-event")).to_have_attribute("data-state", "executing")
    seeded_sandbox.advance(seeded_sandbox.timings.maintenance_seconds + 1)
    page.get_by_role("link", name="Refresh").first.click()
    expect(page.locator("tr.scheduled-event")).to_have_attribute("data-state", "completed")
    expect(page.locator("table.events tbody tr").first).to_contain_text("516/4/0/0 to 517/3/0/0")
