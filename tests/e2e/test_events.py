"""Events in a real browser: the inbox puts warnings first and filters in place; a pool's Events tab."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.fixtures.sandbox import pool_id

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
