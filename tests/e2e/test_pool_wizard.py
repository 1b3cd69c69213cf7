import re

import pytest
from playwright.sync_api import expect

from pools.models import ChangeRequest
from tests.fixtures.sandbox import PROJECT_ID

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def next_step(page, title: str):
    page.get_by_role("button", name="Next →").click()
    expect(page.locator("h2")).to_contain_text(title)


def test_operator_requests_a_yearly_pool_with_htmx_rows_and_billing_fields(
    login, live_server, operator, sandbox_connection
):
    page = login(operator)
    page.goto(f"{live_server.url}/pool-wizard/")
    expect(page.locator("h2")).to_contain_text("Basics")
    page.fill("#id_display_name", "pool-browser")
    page.fill("#id_labels", "team=vision")
    page.press("#id_display_name", "Enter")  # Enter means Next, not the first button in the form
    expect(page.locator("h2")).to_contain_text("Type and scope")

    page.check("input[name=type][value=Dedicate]")
    page.check("input[name=scope][value=Train]")
    next_step(page, "Resources")

    # Rows come and go in place (htmx), without reloading the page.
    page.select_option("#id_rows-0-flavor", "modelarts.vm.gpu.t4u8")
    page.fill("#id_rows-0-count", "2")
    page.get_by_role("button", name="+ Add a flavor").click()
    expect(page.locator("#flavor-rows tbody tr")).to_have_count(2)
    page.select_option("#id_rows-1-flavor", "modelarts.vm.cpu.8ud")
    page.get_by_role("button", name="+ Add a flavor").click()
    expect(page.locator("#flavor-rows tbody tr")).to_have_count(3)
    page.get_by_role("button", name="Remove row 3").click()
    expect(page.locator("#flavor-rows tbody tr")).to_have_count(2)
    expect(page.locator("#id_rows-1-flavor")).to_have_value("modelarts.vm.cpu.8ud")
    page.fill("#id_rows-1-count", "1")
    next_step(page, "Network and drivers")

    page.fill("#id_network_name", f"network-a1b2-{PROJECT_ID}")
    page.fill("#id_gpu_version", "535.161.08")
    next_step(page, "Billing")

    # Choosing yearly/monthly swaps in its fields; going back to pay-per-use takes them away.
    expect(page.locator("#id_period_num")).to_have_count(0)
    page.check("input[name=mode][value='1']")
    expect(page.locator("#id_period_num")).to_be_visible()
    expect(page.locator("#order-notes")).to_contain_text("ModelArts makes the order")
    page.check("input[name=mode][value='0']")
    expect(page.locator("#id_period_num")).to_have_count(0)
    page.check("input[name=mode][value='1']")
    page.select_option("#id_period_type", "3")
    page.fill("#id_period_num", "4")
    page.get_by_role("button", name="Next →").click()
    expect(page.locator("#billing-fields .errorlist")).to_contain_text("1 to 3 years")
    page.fill("#id_period_num", "1")
    next_step(page, "Review")

    expect(page.locator("#create-pool-body")).to_contain_text('"os.modelarts/period.type": "3"')
    expect(page.locator("#create-pool-body")).to_contain_text('"maxCount": 2')
    expect(page.locator("#order-notes")).to_contain_text("Huawei Cloud console (Billing Center)")
    page.fill("#id_reason", "Vision training for a year.")
    page.get_by_role("button", name="Submit request").click()
    page.wait_for_url(re.compile(r"/requests/\d+/$"))
    change_request = ChangeRequest.objects.get()
    assert "os.modelarts/order.id" not in change_request.body["metadata"]["annotations"]
    assert [r["flavor"] for r in change_request.body["spec"]["resources"]] == [
        "modelarts.vm.gpu.t4u8",
        "modelarts.vm.cpu.8ud",
    ]


def go_next(page, title: str):
    """Press Next and expect the step ``title`` (a step that stays shows its errors in the failure's snapshot)."""
    page.get_by_role("button", name="Next →").click()
    expect(page.locator("h2")).to_contain_text(title)


@pytest.mark.parametrize("billing", ["pay-per-use", "yearly/monthly"])
@pytest.mark.parametrize("pool_type", ["Dedicate", "Logical"])
def test_every_pool_type_and_billing_mode_files_a_request(
    login, live_server, operator, sandbox_connection, pool_type, billing
):
    page = login(operator)
    page.goto(f"{live_server.url}/pool-wizard/")
    page.fill("#id_display_name", "pool-combo")
    go_next(page, "Type and scope")

    page.check(f"input[name=type][value={pool_type}]")
    page.check("input[name=scope][value=Train]")
    go_next(page, "Resources")

    page.select_option("#id_rows-0-flavor", "modelarts.vm.gpu.t4u8")
    page.fill("#id_rows-0-count", "2")
    go_next(page, "Network and drivers")

    if pool_type == "Dedicate":
        page.fill("#id_network_name", f"network-a1b2-{PROJECT_ID}")
        page.fill("#id_gpu_version", "535.161.08")
    go_next(page, "Billing")

    if billing == "yearly/monthly":
        page.check("input[name=mode][value='1']")
        page.select_option("#id_period_type", "2")
        page.fill("#id_period_num", "3")
    go_next(page, "Review")

    page.fill("#id_reason", f"A {pool_type} pool, {billing}.")
    page.get_by_role("button", name="Submit request").click()
    page.wait_for_url(re.compile(r"/requests/\d+/$"))
    change_request = ChangeRequest.objects.get()
    assert change_request.target == "pool-combo"
    assert change_request.body["spec"]["type"] == pool_type
    expected_mode = "1" if billing == "yearly/monthly" else "0"
    assert change_request.body["metadata"]["annotations"]["os.modelarts/billing.mode"] == expected_mode
