import re

import pytest
from playwright.sync_api import expect

from pools.models import ChangeRequest
from tests.fixtures.sandbox import PROJECT_ID

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_operator_requests_deleting_two_nodes_from_the_node_table(
    login, live_server, operator, sandbox_connection, running_pool, sandbox
):
    pool_id = running_pool("pool-vision", count=3)
    page = login(operator)
    page.goto(f"{live_server.url}/pools/{sandbox_connection.pk}/{pool_id}/nodes/")
    boxes = page.locator("input[name=nodes]")
    expect(boxes).to_have_count(3)
    chosen = [boxes.nth(0).get_attribute("value"), boxes.nth(2).get_attribute("value")]
    boxes.nth(0).check()
    boxes.nth(2).check()
    page.get_by_role("button", name="Request deletion of the selected nodes").click()

    expect(page.locator("h1")).to_contain_text("Request to delete nodes of pool-vision")
    expect(page.locator(".selected-nodes tbody tr")).to_have_count(2)
    expect(page.get_by_text("The pool goes from 3 nodes to 1.")).to_be_visible()
    page.get_by_role("button", name="Request deletion of 2 nodes").click()
    expect(page.locator(".errorlist")).to_contain_text("Say why")
    page.fill("#id_reason", "Two idle nodes.")
    page.get_by_role("button", name="Request deletion of 2 nodes").click()
    page.wait_for_url(re.compile(r"/requests/\d+/$"))

    change_request = ChangeRequest.objects.get()
    assert (change_request.kind, change_request.target) == ("delete_nodes", pool_id)
    assert sorted(change_request.body["deleteNodeNames"]) == sorted(chosen)
    assert len(sandbox.nodes(PROJECT_ID, pool_id)) == 3  # nothing deleted before approval


def test_operator_requests_deleting_a_pool_after_typing_its_name(
    login, live_server, operator, sandbox_connection, running_pool
):
    pool_id = running_pool("pool-vision", count=1)
    page = login(operator)
    page.goto(f"{live_server.url}/pools/{sandbox_connection.pk}/{pool_id}/")
    page.get_by_role("link", name="Request deletion…").click()
    page.fill("#id_confirmation", "pool-visio")
    page.fill("#id_reason", "Project finished.")
    page.get_by_role("button", name="Request deletion").click()
    expect(page.locator(".errorlist")).to_contain_text("exactly")
    page.fill("#id_confirmation", "pool-vision")
    page.get_by_role("button", name="Request deletion").click()
    page.wait_for_url(re.compile(r"/requests/\d+/$"))
    assert ChangeRequest.objects.get().target == pool_id
