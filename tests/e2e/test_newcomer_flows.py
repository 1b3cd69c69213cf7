"""What a newcomer clicks first, in a real browser over the seeded sandbox: filter the pools, open one, page
through all 520 nodes, read the charts for a preset and a custom range, and see a failing upstream explained."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.fixtures.sandbox import PROJECT_ID, pool_id

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# The harness's browser runs in this zone (tests/fixtures/browser.py).
BROWSER_ZONE = ZoneInfo("Europe/Berlin")
NODES_PER_PAGE = 50
BIG_POOL_NODES = 520


def vision_workspace(sandbox) -> str:
    pool = sandbox.pool(PROJECT_ID, pool_id(sandbox, "vision-train"))
    return pool["metadata"]["labels"]["os.modelarts/workspace.id"]


@pytest.fixture
def estate(locmem_cache, seeded_sandbox, sandbox_connection):
    """The demo estate behind a connection, read through a private cache."""
    return seeded_sandbox


@pytest.fixture
def track_js_errors():
    def attach(page):
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        return errors

    return attach


def test_viewer_logs_in_sees_the_overview_then_filters_the_pools_and_opens_one(
    login, viewer, estate, sandbox_connection, track_js_errors
):
    page = login(viewer)
    errors = track_js_errors(page)
    # The overview's card loads by itself after the page.
    expect(page.locator("h1")).to_have_text("Overview")
    card = page.locator(f"#card-{sandbox_connection.pk}")
    expect(card.locator("table.usage-totals")).to_be_visible()
    expect(card).to_contain_text("llm-pretrain")
    expect(card).to_contain_text("Error")
    page.click("nav.mainnav >> text=Pools")
    rows = page.locator("#pool-table table.pools tbody tr")
    # Seven demo pools in every workspace (vision-train lives in its own); one workspace when picked.
    expect(rows).to_have_count(7)
    expect(page.locator("#pool-table .pool-scope")).to_contain_text("in all workspaces")
    page.fill("input[name=workspace]", vision_workspace(estate))
    page.press("input[name=workspace]", "Enter")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("vision-train")
    page.fill("input[name=workspace]", "")
    page.press("input[name=workspace]", "Enter")
    expect(rows).to_have_count(7)

    # Typing filters as you go (htmx), and the address keeps the filter for a reload or a link.
    page.fill("input[name=q]", "infer")
    expect(rows).to_have_count(2)
    expect(page.locator("#pool-table")).to_contain_text("infer-t4")
    expect(page.locator("#pool-table")).to_contain_text("npu-infer-trial")
    expect(page).to_have_url(re.compile(r"[?&]q=infer"))
    page.select_option("select[name=status]", "Error")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("npu-infer-trial")
    page.select_option("select[name=status]", "")
    page.fill("input[name=q]", "no-such-pool")
    expect(page.locator("#pool-table")).to_contain_text("No pools match.")
    page.fill("input[name=q]", "infer-t4")
    expect(rows).to_have_count(1)

    page.click("#pool-table >> text=infer-t4")
    expect(page.locator("h1")).to_contain_text("infer-t4")
    expect(page.locator("h1 .badge")).to_have_text("Running")
    details = page.locator(".details-panel")
    expect(details).to_contain_text(pool_id(estate, "infer-t4"))
    expect(details).to_contain_text("Pay-per-use")
    assert errors == []


def test_load_more_pages_through_every_node_of_the_big_pool(
    login, viewer, live_server, estate, sandbox_connection
):
    page = login(viewer)
    pool = pool_id(estate, "llm-pretrain")
    page.goto(f"{live_server.url}{reverse('pools:pool_nodes', args=[sandbox_connection.pk, pool])}")
    rows = page.locator("#node-rows tr[data-phase]")
    expect(rows).to_have_count(NODES_PER_PAGE)
    shown = NODES_PER_PAGE
    while shown < BIG_POOL_NODES:
        expect(page.locator("tr.load-more")).to_contain_text(f"{BIG_POOL_NODES - shown} more nodes")
        page.click("tr.load-more >> text=Load more")
        shown = min(shown + NODES_PER_PAGE, BIG_POOL_NODES)
        expect(rows).to_have_count(shown)
    expect(page.locator("tr.load-more")).to_have_count(0)
    expect(page.locator("tr.list-end")).to_contain_text("End of the list.")
    all_names = page.eval_on_selector_all("#node-rows tr[data-node]", "rows => rows.map(r => r.dataset.node)")
    assert len(all_names) == len(set(all_names)) == BIG_POOL_NODES
    assert set(all_names) == {node["metadata"]["name"] for node in estate.nodes(PROJECT_ID, pool)}
    expect(page.locator("#node-rows tr[data-phase=Abnormal]")).to_have_count(4)


def hover_middle(page, chart) -> None:
    box = chart.locator(".u-over").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def test_monitoring_draws_charts_for_a_preset_and_a_custom_range(
    login, viewer, live_server, estate, sandbox_connection, track_js_errors
):
    page = login(viewer)
    errors = track_js_errors(page)
    pool = pool_id(estate, "vision-train")
    page.goto(f"{live_server.url}{reverse('pools:pool_detail', args=[sandbox_connection.pk, pool])}")
    page.click("nav.tabs >> text=Monitoring")
    expect(page).to_have_url(re.compile(r"/monitoring/$"))

    # A preset: the last 6 hours, the maximum.
    page.select_option("select[name=range]", "6h")
    page.select_option("select[name=statistics]", "maximum")
    page.click("form.monitor-form button[type=submit]")
    expect(page).to_have_url(re.compile(r"range=6h"))
    chart = page.locator("figure.chart").first
    expect(chart.locator("canvas")).to_be_visible()
    hover_middle(page, chart)
    legend = chart.locator(".u-legend")
    expect(legend).to_contain_text("maximum")
    expect(legend).to_contain_text(re.compile(r"\d+(\.\d+)? ?%"))
    expect(legend).not_to_contain_text("no data")

    # A custom range in the viewer's local time: from five hours ago to two hours ago.
    now = datetime.now(BROWSER_ZONE).replace(second=0, microsecond=0)
    start, end = now - timedelta(hours=5), now - timedelta(hours=2)
    page.select_option("select[name=range]", "custom")
    expect(page.locator("input[name=start]")).to_be_visible()
    page.fill("input[name=start]", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=end]", end.strftime("%Y-%m-%dT%H:%M"))
    page.click("form.monitor-form button[type=submit]")
    expect(page).to_have_url(re.compile(r"range=custom"))
    chart = page.locator("figure.chart").first
    expect(chart.locator("canvas")).to_be_visible()
    expect(page.locator(".monitoring-panel .field-error")).to_have_count(0)
    hover_middle(page, chart)
    legend = chart.locator(".u-legend")
    # The hovered time lies inside the chosen range, shown in local time with its offset.
    expect(legend).to_contain_text(re.compile(r"UTC\+0[12]:00"))
    hovered = re.search(r"(\d{4}-\d\d-\d\d \d\d:\d\d)", legend.inner_text()).group(1)
    hovered_at = datetime.strptime(hovered, "%Y-%m-%d %H:%M").replace(tzinfo=BROWSER_ZONE)
    assert start <= hovered_at <= end
    expect(legend).to_contain_text(re.compile(r"\d+(\.\d+)? ?%"))
    assert errors == []


def test_an_upstream_fault_shows_its_banner_and_clears_when_it_passes(
    login, viewer, live_server, estate, fail_fast
):
    estate.faults.error(503, operation="ListPools")
    page = login(viewer)
    page.goto(f"{live_server.url}{reverse('pools:pool_list')}")
    banner = page.locator("#pool-table .banner.upstream-error")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("503")
    expect(banner).to_contain_text("APIG.0202")
    expect(banner.locator("dt:has-text('Request id') + dd code")).not_to_have_text("none given")
    expect(banner).to_contain_text("There is no earlier data to show.")

    estate.faults.clear()
    page.click("#pool-table >> text=Refresh")
    expect(page.locator("#pool-table .banner.upstream-error")).to_have_count(0)
    expect(page.locator("#pool-table table.pools tbody tr")).to_have_count(7)
