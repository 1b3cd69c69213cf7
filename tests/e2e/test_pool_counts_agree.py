"""What a person sees agree across the browse pages, in a real browser: every workspace by default, counts
that match from the overview to the list, the status filter in the badges' words."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.fixtures.sandbox import PROJECT_ID, pool_id

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def viewer_page(login, viewer, locmem_cache, seeded_sandbox, sandbox_connection):
    page = login(viewer)
    yield page
    page.goto("about:blank")  # stop polling before the test's private cache goes away


def counts_in(locator) -> dict[str, int]:
    """{badge word: count} of a list of pools by status."""
    found = {}
    for item in locator.locator("li").all():
        found[item.locator(".badge").inner_text()] = int(item.locator(".count").inner_text())
    return found


def test_the_overview_counts_are_the_lists_counts_and_lead_to_those_pools(
    viewer_page, live_server, seeded_sandbox, sandbox_connection
):
    from pools.sandbox.seed import VISION_WORKSPACE

    page = viewer_page
    page.goto(f"{live_server.url}{reverse('pools:overview')}")
    card = page.locator(f"#card-{sandbox_connection.pk}")
    expect(card.locator(".stat-counts li")).to_have_count(4)
    on_the_card = counts_in(card.locator(".stat-counts"))
    assert on_the_card == {"Creating": 1, "Running": 4, "Error": 1, "Waiting": 1}

    # The card's "Running" count opens the pool list filtered to exactly those pools.
    card.locator(".stat-counts a", has_text="Running").click()
    rows = page.locator("#pool-table table.pools tbody tr")
    expect(rows).to_have_count(4)
    expect(page.locator("select[name=status]")).to_have_value("Running")
    expect(rows.locator(".badge", has_text=re.compile("^Running$"))).to_have_count(4)
    assert counts_in(page.locator("#pool-table .stat-counts")) == on_the_card

    # Without a status: every workspace, said in words, and the workspaces offered to pick from.
    page.select_option("select[name=status]", "")
    expect(rows).to_have_count(7)
    expect(page.locator("#pool-table .pool-scope")).to_contain_text(
        f"7 of 7 pools in all workspaces (0, {VISION_WORKSPACE})"
    )
    workspace = page.locator("input[name=workspace]")
    expect(workspace).to_have_attribute("placeholder", "All workspaces")
    offered = page.eval_on_selector_all(
        f"#{workspace.get_attribute('list')} option", "os => os.map(o => o.value)"
    )
    assert offered == ["0", VISION_WORKSPACE]
    assert sum(counts_in(page.locator("#pool-table .stat-counts")).values()) == rows.count()


def test_the_status_filter_choices_are_the_badges_words(viewer_page, live_server, seeded_sandbox):
    page = viewer_page
    page.goto(f"{live_server.url}{reverse('pools:pool_list')}")
    rows = page.locator("#pool-table table.pools tbody tr")
    expect(rows).to_have_count(7)
    choices = page.eval_on_selector_all("select[name=status] option", "os => os.map(o => o.textContent)")
    counts = counts_in(page.locator("#pool-table .stat-counts"))
    badges = page.eval_on_selector_all("#pool-table td > .badge", "bs => bs.map(b => b.textContent)")
    assert set(badges) <= set(choices) and set(badges) == set(counts)
    for word, count in counts.items():
        page.select_option("select[name=status]", word)
        expect(page).to_have_url(re.compile(f"status={word}"))
        expect(rows).to_have_count(count)
        expect(rows.locator("td > .badge", has_text=re.compile(f"^{word}$"))).to_have_count(count)


def test_a_pool_that_does_not_exist_is_the_not_found_page(viewer_page, live_server, sandbox_connection):
    page = viewer_page
    missing = "no-such-pool-" + "0" * 32
    url = reverse("pools:pool_detail", args=[sandbox_connection.pk, missing])
    response = page.goto(f"{live_server.url}{url}")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Page not found")
    expect(page.locator(".upstream-error")).to_have_count(0)
    expect(page.get_by_text("Request deletion")).to_have_count(0)
    for tab in ("pools:pool_nodes", "pools:pool_monitoring"):
        response = page.goto(f"{live_server.url}{reverse(tab, args=[sandbox_connection.pk, missing])}")
        assert response.status == 404
        expect(page.locator("h1")).to_have_text("Page not found")


LOCAL_TIME = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\+0[12]:00$")  # Europe/Berlin in these tests
UTC_TIME = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$")


def test_every_page_shows_times_one_way(
    login,
    administrator,
    operator,
    live_server,
    locmem_cache,
    seeded_sandbox,
    sandbox_connection,
    audit_history,
):
    from pools.services.change_requests import change_request_create, change_request_reject

    llm = pool_id(seeded_sandbox, "llm-pretrain")
    rejected = change_request_create(
        user=operator,
        connection=sandbox_connection,
        kind="delete_pool",
        target=llm,
        body=None,
        reason="Too big.",
        idempotency_key="e2e-times-rejected",
    )
    change_request_reject(user=administrator, change_request=rejected, comment="Still used.")
    change_request = change_request_create(
        user=operator,
        connection=sandbox_connection,
        kind="delete_pool",
        target=pool_id(seeded_sandbox, "infer-t4"),
        body=None,
        reason="Moved.",
        idempotency_key="e2e-times",
    )
    page = login(administrator)
    for url in (
        f"{reverse('pools:pool_list')}?connection={sandbox_connection.pk}",
        reverse("pools:pool_detail", args=[sandbox_connection.pk, llm]),
        reverse("pools:pool_nodes", args=[sandbox_connection.pk, llm]),
        reverse("pools:approval_queue"),
        reverse("pools:change_request_detail", args=[change_request.pk]),
        reverse("pools:approval_history"),
        reverse("pools:audit_log"),
    ):
        page.goto(f"{live_server.url}{url}")
        page.wait_for_load_state("networkidle")  # parts that load on their own (the live check) are in
        expect(page.locator("main time[data-local]:not([data-local-done])"), url).to_have_count(0)
        assert page.locator("main time").count() > 0, url
        for text, title in page.eval_on_selector_all(
            "main time", "ts => ts.map(t => [t.textContent, t.title])"
        ):
            assert LOCAL_TIME.match(text) and UTC_TIME.match(title), (url, text, title)
    page.goto("about:blank")


def test_hidden_characters_show_as_markers_where_people_read_and_approve(
    login, approver, operator, live_server, locmem_cache, seeded_sandbox, sandbox_connection
):
    from pools.services.change_requests import change_request_create
    from tests.fixtures.sandbox import pool_body

    created = seeded_sandbox.create_pool(
        PROJECT_ID,
        pool_body("tricky-pool", annotations={"os.modelarts/description": "Backup of \u202eexe.pdf"}),
    )
    seeded_sandbox.settle()
    pool = created["metadata"]["name"]
    change_request_create(
        user=operator,
        connection=sandbox_connection,
        kind="delete_pool",
        target=pool,
        body=None,
        reason="Replaced by \u202eno-lmth",
        idempotency_key="e2e-hidden",
    )
    page = login(approver)
    page.goto(f"{live_server.url}{reverse('pools:approval_queue')}")
    card = page.locator("article.change-request").first
    expect(card).to_contain_text("Replaced by ⟨U+202E⟩no-lmth")
    assert "\u202e" not in card.inner_text()
    page.goto(f"{live_server.url}{reverse('pools:pool_detail', args=[sandbox_connection.pk, pool])}")
    expect(page.locator(".details-panel")).to_contain_text("Backup of ⟨U+202E⟩exe.pdf")
    assert "\u202e" not in page.locator("main").inner_text()
    page.goto("about:blank")


def test_the_abnormal_filter_finds_every_abnormal_node_and_says_what_it_searched(
    viewer_page, live_server, seeded_sandbox, sandbox_connection
):
    page = viewer_page
    pool = pool_id(seeded_sandbox, "llm-pretrain")
    page.goto(f"{live_server.url}{reverse('pools:pool_nodes', args=[sandbox_connection.pk, pool])}")
    rows = page.locator("#node-rows tr[data-phase]")
    expect(rows).to_have_count(50)
    page.select_option("select[name=phase]", "Abnormal")
    expect(rows).to_have_count(4)
    expect(page.locator("tr.list-end")).to_have_text("Searched all 520 nodes of the pool: 4 Abnormal.")
    expect(page.locator("tr.load-more")).to_have_count(0)
    expect(rows.locator(".badge", has_text="Abnormal")).to_have_count(4)
