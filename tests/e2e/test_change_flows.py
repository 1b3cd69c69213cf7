"""Changes as people make them, in a real browser over the sandbox: an operator requests, an approver signs
off, the pool or the nodes change on screen while the sandbox clock moves, and the audit page tells it all.
A viewer gets no button that could start a change."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from pools.models import ChangeRequest
from tests.fixtures.sandbox import PROJECT_ID, pool_body
from tests.fixtures.users import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# The pool list polls every few seconds while a pool changes, and a read is cached for a few seconds.
POLLED_MS = 20_000
CREATION_SECONDS = 30  # the test sandbox's default (tests/fixtures/sandbox.py)
NODE_DELETION_SECONDS = 15


@pytest.fixture
def switch_user(login):
    """Log the current user out through the menu, then log ``user`` in."""

    def switch(page, user):
        page.click("header >> button:has-text('Log out')")
        page.wait_for_url(re.compile(r"/accounts/login/"))
        return login(user)

    return switch


def next_step(page, title: str):
    page.get_by_role("button", name="Next →").click()
    expect(page.locator("h2")).to_contain_text(title)


def approve_in_queue(page, change_request_pk: int, comment: str):
    expect(page.locator("#approvals-badge")).to_have_text("1")
    page.click("nav.mainnav >> text=Approvals")
    card = page.locator(f"#cr-{change_request_pk}")
    expect(card.locator(".revalidation-result")).to_contain_text("the change can be made")
    card.locator("textarea[name=comment]").first.fill(comment)
    card.locator("input[name=password]").fill(PASSWORD)
    card.locator("button:has-text('Approve')").click()
    expect(page.locator(f"#cr-{change_request_pk} [data-role=status]")).to_have_text("Succeeded")
    expect(page.locator("#approvals-badge")).to_be_hidden()


def test_a_yearly_pool_is_requested_approved_and_comes_up_on_screen(
    login, switch_user, live_server, operator, approver, locmem_cache, sandbox, sandbox_connection
):
    page = login(operator)
    page.click("nav.mainnav >> text=Pools")
    page.click("text=Request a new pool…")
    expect(page.locator("h2")).to_contain_text("Basics")
    page.fill("#id_display_name", "vision-yearly")
    page.fill("#id_labels", "team=vision")
    next_step(page, "Type and scope")
    page.check("input[name=type][value=Dedicate]")
    page.check("input[name=scope][value=Train]")
    next_step(page, "Resources")
    page.select_option("#id_rows-0-flavor", "modelarts.vm.gpu.t4u8")
    page.fill("#id_rows-0-count", "3")
    next_step(page, "Network and drivers")
    page.fill("#id_network_name", f"network-a1b2-{PROJECT_ID}")
    next_step(page, "Billing")
    page.check("input[name=mode][value='1']")
    page.select_option("#id_period_type", "3")
    page.fill("#id_period_num", "1")
    next_step(page, "Review")
    review = page.locator("#create-pool-body")
    expect(review).to_contain_text('"os.modelarts/billing.mode": "1"')
    expect(review).to_contain_text('"os.modelarts/period.type": "3"')
    expect(review).to_contain_text('"os.modelarts/period.num": "1"')
    page.fill("#id_reason", "The vision team trains for a year.")
    page.get_by_role("button", name="Submit request").click()
    page.wait_for_url(re.compile(r"/requests/\d+/$"))
    change_request = ChangeRequest.objects.get()
    expect(page.locator(f"#cr-{change_request.pk} [data-role=status]")).to_have_text("Pending approval")
    assert sandbox.pools(PROJECT_ID) == [], "nothing is created before approval"

    page = switch_user(page, approver)
    approve_in_queue(page, change_request.pk, "Budget confirmed.")
    [created] = sandbox.pools(PROJECT_ID)
    assert created["metadata"]["labels"]["os.modelarts/name"] == "vision-yearly"
    assert created["metadata"]["annotations"]["os.modelarts/order.id"]  # made by ModelArts on create

    # The pool list shows it Creating and, polling by itself, Running once the sandbox's clock has moved on.
    page.click("nav.mainnav >> text=Pools")
    # The operator's list from before the approval may still be cached for a few seconds: ask again.
    page.click("#pool-table >> text=Refresh")
    row = page.locator("#pool-table tr", has_text="vision-yearly")
    expect(row.locator(".badge").first).to_have_text("Creating")
    expect(page.locator("#pool-table")).to_have_attribute("hx-trigger", re.compile("every"))
    sandbox.advance(CREATION_SECONDS)
    expect(row.locator(".badge").first).to_have_text("Running", timeout=POLLED_MS)
    expect(row).to_contain_text("Yearly/monthly")

    # The audit page tells the story, newest first.
    page.click("nav.mainnav >> text=Audit")
    expect(page.locator("#chain-status")).to_contain_text("Audit chain verified")
    page.fill("#id_action", "change_request")
    page.get_by_role("button", name="Filter").click()
    actions = page.locator("#audit-results tbody tr td:nth-child(3)")
    expect(actions.first).to_be_visible()
    listed = actions.all_inner_texts()
    for step in ("change_request.create", "change_request.approve", "change_request.succeed"):
        assert step in listed, f"{step} missing from {listed}"
    assert listed.index("change_request.succeed") < listed.index("change_request.create")
    who = dict(
        zip(listed, page.locator("#audit-results tbody tr td:nth-child(2)").all_inner_texts(), strict=True)
    )
    assert who["change_request.create"] == operator.username
    assert who["change_request.approve"] == approver.username


def test_nodes_are_deleted_in_a_batch_through_approval(
    login, switch_user, live_server, operator, approver, locmem_cache, sandbox, sandbox_connection
):
    created = sandbox.create_pool(PROJECT_ID, pool_body("train-small", count=4))
    sandbox.settle()
    pool = created["metadata"]["name"]
    doomed = sorted(node["metadata"]["name"] for node in sandbox.nodes(PROJECT_ID, pool))[:2]

    page = login(operator)
    page.goto(f"{live_server.url}{reverse('pools:pool_detail', args=[sandbox_connection.pk, pool])}")
    page.click("nav.tabs >> text=Nodes")
    expect(page.locator("#node-rows tr[data-phase]")).to_have_count(4)
    for name in doomed:
        page.check(f"#node-rows input[value='{name}']")
    page.click("button:has-text('Request deletion of the selected nodes')")
    expect(page.locator("h1")).to_contain_text("Request to delete nodes of train-small")
    expect(page.locator(".selected-nodes tbody tr")).to_have_count(2)
    expect(page.locator("main")).to_contain_text("from 4 nodes to 2")
    page.fill("textarea[name=reason]", "Two nodes are enough for this team.")
    page.click("button:has-text('Request deletion of 2 nodes')")
    page.wait_for_url(re.compile(r"/requests/\d+/$"))
    change_request = ChangeRequest.objects.get()
    assert change_request.body == {"deleteNodeNames": doomed}

    page = switch_user(page, approver)
    approve_in_queue(page, change_request.pk, "Fine.")
    phases = {node["metadata"]["name"]: node["status"]["phase"] for node in sandbox.nodes(PROJECT_ID, pool)}
    assert [phases[name] for name in doomed] == ["Deleting", "Deleting"]

    page.goto(f"{live_server.url}{reverse('pools:pool_nodes', args=[sandbox_connection.pk, pool])}")
    # The operator's read from before the approval may still be cached for a few seconds: ask again.
    page.click("#pool-tab >> text=Refresh")
    expect(page.locator("#node-rows tr[data-phase=Deleting]")).to_have_count(2)
    sandbox.advance(NODE_DELETION_SECONDS)
    page.click("#pool-tab >> text=Refresh")
    expect(page.locator("#node-rows tr[data-phase]")).to_have_count(2)
    for name in doomed:
        expect(page.locator("#node-rows")).not_to_contain_text(name)


def test_a_viewer_gets_no_change_buttons_where_an_operator_has_them(
    login, switch_user, live_server, viewer, operator, locmem_cache, sandbox, sandbox_connection
):
    pool = sandbox.create_pool(PROJECT_ID, pool_body("shared-pool", count=2))["metadata"]["name"]
    sandbox.settle()
    list_url = f"{live_server.url}{reverse('pools:pool_list')}"
    nodes_url = f"{live_server.url}{reverse('pools:pool_nodes', args=[sandbox_connection.pk, pool])}"
    create_pool = "text=Request a new pool…"
    delete_pool = ".page-head >> text=Request deletion…"
    delete_nodes = "button:has-text('Request deletion of the selected nodes')"

    def buttons_on_the_pages(page) -> dict[str, int]:
        page.goto(list_url)
        expect(page.locator("#pool-table table.pools tbody tr")).to_have_count(1)
        counts = {"create pool": page.locator(create_pool).count()}
        page.goto(nodes_url)
        expect(page.locator("#node-rows tr[data-phase]")).to_have_count(2)
        counts["delete pool"] = page.locator(delete_pool).count()
        counts["delete nodes"] = page.locator(delete_nodes).count()
        counts["my requests"] = page.locator("nav.mainnav >> text=My requests").count()
        return counts

    page = login(operator)
    assert buttons_on_the_pages(page) == {
        "create pool": 1,
        "delete pool": 1,
        "delete nodes": 1,
        "my requests": 1,
    }

    page = switch_user(page, viewer)
    assert buttons_on_the_pages(page) == {
        "create pool": 0,
        "delete pool": 0,
        "delete nodes": 0,
        "my requests": 0,
    }
    expect(page.locator("nav.mainnav >> text=Approvals")).to_have_count(0)
    for url in (
        reverse("pools:pool_wizard_start"),
        reverse("pools:delete_pool_request", args=[sandbox_connection.pk, pool]),
    ):
        response = page.goto(f"{live_server.url}{url}")
        assert response.status == 403
        expect(page.locator("h1")).to_have_text("You may not open this page")
