"""An approver decides in the queue: the card updates in place, the badge follows, a wrong password stops it."""

import pytest
from playwright.sync_api import expect

from pools.models import ChangeRequest
from pools.services import change_requests as svc
from tests.fixtures.approvals import DELETE_POOL
from tests.fixtures.users import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def pending(operator, cloud, cloud_connection):
    pool = cloud.add_pool("pool-demo", nodes=3)
    return svc.change_request_create(
        user=operator,
        connection=cloud_connection,
        kind="delete_pool",
        target=pool,
        body=None,
        reason="Team disbanded",
        idempotency_key="e2e",
    )


def test_approver_approves_in_the_queue_after_typing_the_password(
    login, live_server, approver, cloud, pending
):
    page = login(approver)
    expect(page.locator("#approvals-badge")).to_have_text("1")
    page.click("nav >> text=Approvals")
    card = page.locator(f"#cr-{pending.pk}")
    expect(card.locator(".cr-summary")).to_contain_text("Delete pool")
    expect(card.locator(".revalidation-result")).to_contain_text("the change can be made")

    card.locator("textarea[name=comment]").first.fill("Confirmed with the team")
    card.locator("input[name=password]").fill("not my password")
    card.locator("button:has-text('Approve')").click()
    expect(page.locator(f"#cr-{pending.pk} [data-field=password]")).to_contain_text(
        "That is not your password"
    )
    assert ChangeRequest.objects.get(pk=pending.pk).status == ChangeRequest.Status.PENDING

    page.locator(f"#cr-{pending.pk} input[name=password]").fill(PASSWORD)
    page.locator(f"#cr-{pending.pk} button:has-text('Approve')").click()
    expect(page.locator(f"#cr-{pending.pk} [data-role=status]")).to_have_text("Succeeded")
    expect(page.locator("#approvals-badge")).to_be_hidden()
    assert "/approvals/" in page.url  # swapped in place, no navigation
    assert cloud.calls[DELETE_POOL] == 1


def test_requester_sees_own_request_without_buttons(
    login, live_server, administrator, cloud, cloud_connection
):
    pool = cloud.add_pool("pool-own")
    own = svc.change_request_create(
        user=administrator,
        connection=cloud_connection,
        kind="delete_pool",
        target=pool,
        body=None,
        reason="mine",
        idempotency_key="own",
    )
    page = login(administrator)
    page.goto(f"{live_server.url}/approvals/")
    card = page.locator(f"#cr-{own.pk}")
    expect(card).to_contain_text("This is your own request")
    expect(card.locator("button:has-text('Approve')")).to_have_count(0)
