import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_audit_page_shows_utc_and_the_browsers_local_time(login, live_server, approver, audit_history):
    page = login(approver)
    page.goto(f"{live_server.url}/audit/")
    expect(page.locator("#chain-status")).to_contain_text("Audit chain verified: 4 sealed entries")
    # The one format of every page: local time with its offset (Europe/Berlin here), UTC as the tooltip.
    first = page.locator("td time[data-local]").first
    expect(first).to_have_text(re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\+0[12]:00$"))
    expect(first).to_have_attribute("title", re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$"))
    page.select_option("#id_user", "otto-operator")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#audit-results tbody tr")).to_have_count(1)
    expect(page.locator("#audit-results")).to_contain_text("change_request.create")
