"""The pages that read ModelArts, in a real browser: cards load by themselves, tabs swap, Load more appends, charts draw."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.fixtures.sandbox import pool_id

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def viewer_page(login, viewer, locmem_cache, seeded_sandbox, sandbox_connection):
    page = login(viewer)
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.js_errors = errors
    yield page
    # Stop polling and card loads before the test's private cache goes away.
    page.goto("about:blank")


def test_overview_cards_load_by_themselves(viewer_page, live_server, seeded_sandbox, sandbox_connection):
    page = viewer_page
    page.goto(f"{live_server.url}{reverse('pools:overview')}")
    card = page.locator(f"#card-{sandbox_connection.pk}")
    expect(card.locator("table.usage-totals")).to_be_visible()
    expect(card.locator("meter").first).to_be_visible()
    expect(card).to_contain_text("llm-pretrain")
    expect(card).to_contain_text("As of")
    expect(card.locator(".as-of time")).to_have_text(re.compile(r"UTC\+0[12]:00$"))
    # Refresh asks ModelArts again and replaces just this card.
    calls = seeded_sandbox.calls("ShowPoolRuntimeMetrics")
    with page.expect_response(lambda response: "refresh=1" in response.url):
        card.locator("text=Refresh").click()
    expect(page.locator(f"#card-{sandbox_connection.pk}")).to_have_count(1)
    expect(page.locator(f"#card-{sandbox_connection.pk} table.usage-totals")).to_be_visible()
    assert seeded_sandbox.calls("ShowPoolRuntimeMetrics") == calls + 1
    assert page.js_errors == []


def test_pool_tabs_swap_in_place_and_load_more_appends(
    viewer_page, live_server, seeded_sandbox, sandbox_connection
):
    page = viewer_page
    pool = pool_id(seeded_sandbox, "llm-pretrain")
    page.goto(f"{live_server.url}{reverse('pools:pool_detail', args=[sandbox_connection.pk, pool])}")
    expect(page.locator("h1")).to_contain_text("llm-pretrain")
    page.click("nav.tabs >> text=Nodes")
    expect(page.locator("#node-rows tr[data-phase]")).to_have_count(50)
    assert page.url.endswith("/nodes/"), "the tab's address is pushed to the history"
    page.click("tr.load-more >> text=Load more")
    expect(page.locator("#node-rows tr[data-phase]")).to_have_count(100)
    expect(page.locator("tr.load-more")).to_have_count(1)
    # A viewer can request nothing, so there is nothing to select.
    expect(page.locator("input[name=nodes]")).to_have_count(0)
    assert page.js_errors == []


def test_monitoring_draws_charts_in_local_time_and_explains_the_period_rule(
    viewer_page, live_server, seeded_sandbox, sandbox_connection
):
    page = viewer_page
    pool = pool_id(seeded_sandbox, "infer-t4")
    page.goto(f"{live_server.url}{reverse('pools:pool_monitoring', args=[sandbox_connection.pk, pool])}")
    charts = page.locator("figure.chart")
    expect(charts.first.locator("canvas")).to_be_visible()
    assert charts.count() == page.locator("figure.chart canvas").count() >= 4
    # Hovering shows values in the legend, with the viewer's time zone (Europe/Berlin in these tests).
    box = charts.first.locator(".u-over").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    legend = charts.first.locator(".u-legend")
    expect(legend).to_contain_text(re.compile(r"UTC\+0[12]:00"))
    expect(legend).to_contain_text("%")
    # Custom dates are hidden until "Custom range" is picked; the offset goes along with them.
    expect(page.locator(".custom-range").first).to_be_hidden()
    assert page.input_value("input[name=tz]") in {"60", "120"}
    # A period too fine for the range: a field error, no request upstream.
    calls = seeded_sandbox.calls("ShowPoolMonitor")
    page.select_option("select[name=range]", "7d")
    page.select_option("select[name=period]", "60")
    page.click("form.monitor-form button[type=submit]")
    expect(page.locator(".period-error")).to_contain_text("smallest valid period is 900")
    assert seeded_sandbox.calls("ShowPoolMonitor") == calls
    assert page.js_errors == []


HIDE_OR_SHOW_AND_POLL = """(state) => {
    Object.defineProperty(document, "visibilityState", {configurable: true, get: () => state});
    const table = document.getElementById("pool-table");
    htmx.trigger(table, "poll-resume");
    return table.classList.contains("htmx-request");
}"""


def test_the_pool_list_polls_only_while_the_tab_is_visible(viewer_page, live_server, seeded_sandbox):
    page = viewer_page
    page.goto(f"{live_server.url}{reverse('pools:pool_list')}")
    table = page.locator("#pool-table")
    expect(table).to_have_attribute("hx-trigger", re.compile("every 5s"))
    # Times show in the viewer's zone with the offset (Europe/Berlin here), UTC in the tooltip.
    created = table.locator("td time").first
    expect(created).to_have_text(re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\+0[12]:00$"))
    expect(created).to_have_attribute("title", re.compile(r" UTC$"))
    # The next poll comes by itself while the page is visible.
    with page.expect_response(
        lambda response: "/pools/" in response.url and response.request.headers.get("hx-request") == "true",
        timeout=15_000,
    ):
        pass
    expect(table).not_to_have_class(re.compile("htmx-request"))
    # A poll while the tab is hidden is cancelled before any request goes out; visible again, it goes.
    assert page.evaluate(HIDE_OR_SHOW_AND_POLL, "hidden") is False
    assert page.evaluate(HIDE_OR_SHOW_AND_POLL, "visible") is True
    assert page.js_errors == []
