"""Scale, edit and tags as people make them, in a real browser over the sandbox: an operator files the change
from the pool page, an approver sees the exact call and approves, ModelArts runs it, and the request page
shows it observed complete."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from pools.models import ChangeRequest
from tests.fixtures.sandbox import PROJECT_ID, pool_body
from tests.fixtures.users import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

T4 = "modelarts.vm.gpu.t4u8"


@pytest.fixture
def switch_user(login):
    """Log the current user out through the menu, then log ``user`` in."""

    def switch(page, user):
        page.click("header >> button:has-text('Log out')")
        page.wait_for_url(re.compile(r"/accounts/login/"))
        return login(user)

    return switch


def open_pool(page, live_server, connection, pool):
    page.goto(f"{live_server.url}{reverse('pools:pool_detail', args=[connection.pk, pool])}")


def approve(page, change_request, comment: str, *, status: str):
    page.click("nav.mainnav >> text=Approvals")
    card = page.locator(f"#cr-{change_request.pk}")
    expect(card.locator(".revalidation-result")).to_contain_text("the change can be made")
    card.locator("textarea[name=comment]").first.fill(comment)
    card.locator("input[name=password]").fill(PASSWORD)
    card.locator("button:has-text('Approve')").click()
    expect(page.locator(f"#cr-{change_request.pk} [data-role=status]")).to_have_text(status)


def exact_call(page, change_request):
    card = page.locator(f"#cr-{change_request.pk}")
    card.locator("summary:has-text('Exact API call')").click()
    return card.locator(".cr-body")


def test_a_scale_up_is_filed_approved_executed_and_observed_complete(
    login,
    switch_user,
    live_server,
    operator,
    approver,
    locmem_cache,
    sandbox,
    sandbox_connection,
):
    pool = sandbox.create_pool(PROJECT_ID, pool_body("vision-grow", count=2))["metadata"]["name"]
    sandbox.settle()

    page = login(operator)
    open_pool(page, live_server, sandbox_connection, pool)
    page.click(".page-head >> text=Scale…")
    expect(page.locator("h1")).to_contain_text("Request to scale vision-grow")
    expect(page.locator(".scale-capacity")).to_contain_text(T4)
    page.fill("#id_count_0", "4")
    page.fill("#id_zone_0_0", "2")
    page.fill("#id_zone_0_1", "2")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("[data-role=scale-preview]")).to_contain_text("2 → 4")
    expect(page.locator("[data-role=billing]")).to_contain_text("Pay-per-use")
    page.fill("textarea[name=reason]", "The vision team doubles its training.")
    page.get_by_role("button", name="Request scale").click()
    page.wait_for_url(re.compile(r"/requests/\d+/$"))
    change_request = ChangeRequest.objects.get()
    assert change_request.kind == "scale_pool"
    assert sandbox.calls("PatchPool") == 0, "nothing changes before approval"

    page = switch_user(page, approver)
    page.click("nav.mainnav >> text=Approvals")
    call = exact_call(page, change_request)
    expect(call).to_contain_text(f"PATCH /v2/{{project_id}}/pools/{pool}")
    expect(call).to_contain_text("application/merge-patch+json")
    expect(page.locator(f"#cr-{change_request.pk} .call-note")).to_have_text(f"{T4}: 2 → 4 nodes")
    approve(page, change_request, "Budget confirmed.", status="In progress")
    assert sandbox.calls("PatchPool") == 1

    page.goto(f"{live_server.url}{reverse('pools:change_request_detail', args=[change_request.pk])}")
    sandbox.settle()
    page.get_by_role("button", name="Check progress now").click()
    expect(page.locator(f"#cr-{change_request.pk} [data-role=status]")).to_have_text("Succeeded")
    expect(page.locator(f"#cr-{change_request.pk}")).to_contain_text("successed")
    assert len(sandbox.nodes(PROJECT_ID, pool)) == 4


def test_an_edit_is_filed_approved_and_shows_on_the_pool(
    login,
    switch_user,
    live_server,
    operator,
    approver,
    locmem_cache,
    sandbox,
    sandbox_connection,
):
    pool = sandbox.create_pool(PROJECT_ID, pool_body("vision-edit", count=1))["metadata"]["name"]
    sandbox.settle()

    page = login(operator)
    open_pool(page, live_server, sandbox_connection, pool)
    page.click(".page-head >> text=Edit…")
    page.fill("#id_description", "Vision inference")
    page.check("input[name=scope][value=Notebook]")
    page.fill("textarea[name=reason]", "Notebooks for the interns.")
    page.get_by_role("button", name="Request edit").click()
    page.wait_for_url(re.compile(r"/requests/\d+/$"))
    change_request = ChangeRequest.objects.get()

    page = switch_user(page, approver)
    page.click("nav.mainnav >> text=Approvals")
    expect(exact_call(page, change_request)).to_contain_text('"os.modelarts/description": "Vision inference"')
    approve(page, change_request, "Fine.", status="Succeeded")
    open_pool(page, live_server, sandbox_connection, pool)
    page.click("#pool-tab >> text=Refresh")
    expect(page.locator(".details-panel")).to_contain_text("Vision inference")
    expect(page.locator(".details-panel")).to_contain_text("Notebook")


def test_tags_are_filed_approved_and_shown_on_the_pool(
    login,
    switch_user,
    live_server,
    operator,
    approver,
    locmem_cache,
    sandbox,
    sandbox_connection,
):
    pool = sandbox.create_pool(PROJECT_ID, pool_body("vision-tags", count=1))["metadata"]["name"]
    sandbox.settle()
    sandbox.store.find(PROJECT_ID, pool).tags = {"old": "yes"}

    page = login(operator)
    open_pool(page, live_server, sandbox_connection, pool)
    expect(page.locator(".pool-tags")).to_contain_text("old")
    page.click(".pool-tags >> text=Change tags…")
    page.check("input[name=remove][value=old]")
    page.fill("#id_key_0", "cost-centre")
    page.fill("#id_value_0", "cc-2040")
    page.fill("textarea[name=reason]", "Charge the vision budget.")
    page.get_by_role("button", name="Request tag change").click()
    page.wait_for_url(re.compile(r"/requests/\d+/$"))
    change_request = ChangeRequest.objects.get()

    page = switch_user(page, approver)
    page.click("nav.mainnav >> text=Approvals")
    call = exact_call(page, change_request)
    expect(call).to_contain_text(f"DELETE /v1/{{project_id}}/pools/{pool}/tags/delete")
    expect(page.locator(f"#cr-{change_request.pk} .call-note")).to_contain_text("tags/create")
    approve(page, change_request, "Fine.", status="Succeeded")
    open_pool(page, live_server, sandbox_connection, pool)
    page.click("#pool-tab >> text=Refresh")
    expect(page.locator(".pool-tags")).to_contain_text("cc-2040")
    expect(page.locator(".pool-tags")).not_to_contain_text("old")
