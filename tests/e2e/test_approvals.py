"""An approver decides in the queue: the card updates in place, the badge follows, a wrong password stops it."""

import pytest
from playwright.sync_api import expect

from pools.models import ChangeRequest
from pools.services import change_requests as svc
from tests.fixtures.approvals import DELETE_POOL
from tests.fixtures.tasks import run_queued_tasks
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


def test_a_decision_on_the_request_page_confirms_and_updates_its_history(
    login, live_server, approver, cloud, pending
):
    page = login(approver)
    page.goto(f"{live_server.url}/requests/{pending.pk}/")
    history = page.locator("#cr-timeline tbody")
    expect(history).not_to_contain_text("Succeeded")
    card = page.locator(f"#cr-{pending.pk}")
    expect(card.locator(".revalidation-result")).to_contain_text("the change can be made")

    card.locator("input[name=password]").fill(PASSWORD)
    card.locator("button:has-text('Approve')").click()

    expect(page.locator(f"#cr-{pending.pk} [data-role=status]")).to_have_text("Succeeded")
    expect(page.locator("#messages .message.success")).to_have_text(
        f"You approved change request #{pending.pk}. ModelArts made the change: it succeeded."
    )
    for step in ("Approved", "Run started", "Succeeded"):
        expect(history).to_contain_text(step)
    assert page.url.endswith(f"/requests/{pending.pk}/")  # swapped in place
    page.goto(f"{live_server.url}/approvals/")
    expect(page.locator("#messages .message")).to_have_count(0)  # shown once


def test_a_request_the_live_state_no_longer_allows_offers_reject_or_cancel_not_approve(
    login, live_server, approver, operator, cloud, pending
):
    cloud.delete_pool_elsewhere(pending.target)  # the pool is being deleted by someone else

    page = login(approver)
    page.goto(f"{live_server.url}/approvals/")
    card = page.locator(f"#cr-{pending.pk}")
    expect(card.locator("[data-role=obsolete]")).to_contain_text("can no longer be made")
    expect(card.locator("button:has-text('Approve')")).to_have_count(0)
    expect(card.locator("textarea[name=comment]")).to_have_value(
        f"The live state no longer allows this change: Pool {pending.target} is already being deleted."
    )
    card.locator("button:has-text('Reject')").click()
    expect(page.locator(f"#cr-{pending.pk} [data-role=status]")).to_have_text("Rejected")
    expect(page.locator("#messages .message")).to_have_text(f"You rejected change request #{pending.pk}.")


def test_the_requester_of_a_request_that_can_no_longer_be_made_is_offered_cancel(
    login, live_server, operator, cloud, pending
):
    cloud.delete_pool_elsewhere(pending.target)

    page = login(operator)
    page.goto(f"{live_server.url}/requests/{pending.pk}/")
    card = page.locator(f"#cr-{pending.pk}")
    expect(card.locator("[data-role=obsolete]")).to_contain_text("Cancel it.")
    page.on("dialog", lambda dialog: dialog.accept())
    card.locator("button:has-text('Cancel request')").click()
    expect(page.locator(f"#cr-{pending.pk} [data-role=status]")).to_have_text("Cancelled")
    expect(page.locator("#messages .message")).to_have_text(f"You cancelled change request #{pending.pk}.")


@pytest.mark.usefixtures("database_tasks")
def test_a_queued_approval_shows_queued_then_the_card_follows_the_worker_by_itself(
    login, live_server, approver, cloud, pending
):
    page = login(approver)
    page.goto(f"{live_server.url}/requests/{pending.pk}/")
    card = page.locator(f"#cr-{pending.pk}")
    card.locator("input[name=password]").fill(PASSWORD)
    card.locator("button:has-text('Approve')").click()

    expect(page.locator(f"#cr-{pending.pk} [data-role=run-state]")).to_contain_text("Queued")
    expect(page.locator(f"#cr-{pending.pk} [data-role=status]")).to_have_text("Approved")
    assert cloud.calls[DELETE_POOL] == 0

    assert run_queued_tasks() == 1  # a worker comes by; nobody touches the page

    expect(page.locator(f"#cr-{pending.pk} [data-role=status]")).to_have_text("Succeeded", timeout=10_000)
    expect(page.locator(f"#cr-{pending.pk} [data-role=run-state]")).to_have_count(0)
    expect(page.locator("#cr-timeline tbody")).to_contain_text("Succeeded")
