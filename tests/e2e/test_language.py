"""A reader switches the dashboard to Simplified Chinese in the header; the choice stays, also on a phone."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_header_switches_to_chinese_and_remembers_it(login, live_server, viewer):
    page = login(viewer)
    expect(page.locator("nav.mainnav")).to_contain_text("Overview")
    page.select_option("#language-choice", "zh-hans")
    page.locator(".language-switcher input[type=submit]").click()
    expect(page.locator("nav.mainnav")).to_contain_text("总览")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

    page.goto(f"{live_server.url}/pools/")
    expect(page.locator("h1")).to_contain_text("资源池")
    expect(page.locator("#language-choice")).to_have_value("zh-hans")


def test_the_browser_preference_is_the_default(browser, live_server):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.locator("h1")).to_have_text("登录")
    context.close()
