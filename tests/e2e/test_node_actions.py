"""Node actions as people make them, in a real browser over the seeded sandbox: an operator selects nodes and
files a reboot (and a drain) seeing what runs on them, an approver approves seeing the same blast radius
read live, the action runs, and the request is followed until the nodes are back."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from pools.models import ChangeRequest
from tests.fixtures.sandbox import PROJECT_ID, pool_id
from tests.fixtures.users import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def switch_user(login):
    def switch(page, user):
        page.click("header >> button:has-text('Log out')")
        page.wait_for_url(re.compile(r"/accounts/login/"))
        return login(user)

    return switch


def available(sandbox, pool, count):
    return [
        node["metadata"]["name"]
        for node in sandbox.nodes(PROJECT_ID, pool)
        if node["status"]["phase"] == "Available"
    ][:count]


def file_from_the_node_table(page, live_server, connection, pool, names, button, reason):
    page.goto(f"{live_server.url}{reverse('pools:pool_nodes', args=[connection.pk, pool])}")
    for name in names:
        page.check(f"#node-rows input[value='{name}']")
    page.click(f"button:has-text('{button}')")
    if button == "Drain…":
        expect(page.locator(".drain-limit")).to_contain_text("at most 10 nodes at a time")
    radius = page.locator("#blast-radius")
    expect(radius).to_contain_text(re.compile(r"\d+ workloads? now runs? on these 2 nodes"))
    expect(page.locator(".selected-nodes tbody tr")).to_have_count(2)
    page.fill("textarea[name=reason]", reason)
    page.click("form.danger-zone button[type=submit]")
    page.wait_for_url(re.compile(r"/requests/\d+/$"))
    return ChangeRequest.objects.latest("pk")


def approve_seeing_the_blast_radius(page, change_request):
    page.click("nav.mainnav >> text=Approvals")
    card = page.locator(f"#cr-{change_request.pk}")
    filed = change_request.snapshot["workloads"]
    expect(card.locator(".cr-blast-radius")).to_contain_text(f"(was {filed} when filed)")
    expect(card.locator(".revalidation-result")).to_contain_text("the change can be made")
    card.locator("textarea[name=comment]").first.fill("Go ahead.")
    card.locator("input[name=password]").fill(PASSWORD)
    card.locator("button:has-text('Approve')").click()
    expect(page.locator(f"#cr-{change_request.pk} [data-role=status]")).to_have_text("In progress")


def test_a_reboot_and_a_drain_are_filed_approved_and_followed_until_done(
    login, switch_user, live_server, operator, approver, locmem_cache, seeded_sandbox, sandbox_connection
):
    pool = pool_id(seeded_sandbox, "vision-train")
    rebooted, drained = available(seeded_sandbox, pool, 4)[:2], available(seeded_sandbox, pool, 4)[2:]

    page = login(operator)
    reboot = file_from_the_node_table(
        page, live_server, sandbox_connection, pool, rebooted, "Reboot…", "Their GPUs hang."
    )
    assert reboot.kind == "reboot_nodes" and reboot.body == {"nodeNames": rebooted}
    drain = file_from_the_node_table(
        page, live_server, sandbox_connection, pool, drained, "Drain…", "Hardware check tomorrow."
    )
    assert drain.kind == "drain_nodes"

    page = switch_user(page, approver)
    approve_seeing_the_blast_radius(page, reboot)
    assert seeded_sandbox.calls("BatchRebootPoolNodes") == 1
    approve_seeing_the_blast_radius(page, drain)

    # The reboot is under way: nodes Rebooting, then back after the sandbox's reboot time.
    page.goto(f"{live_server.url}{reverse('pools:change_request_detail', args=[reboot.pk])}")
    card = page.locator(f"#cr-{reboot.pk}")
    card.locator("button:has-text('Check progress now')").click()
    expect(card).to_contain_text("0 of 2 nodes Available")
    seeded_sandbox.advance(seeded_sandbox.timings.reboot_seconds)
    card.locator("button:has-text('Check progress now')").click()
    expect(page.locator(f"#cr-{reboot.pk} [data-role=status]")).to_have_text("Succeeded")
    expect(page.locator(f"#cr-{reboot.pk}")).to_contain_text("2 of 2 nodes Available")

    # The drain is done once no workload runs on its nodes.
    page.goto(f"{live_server.url}{reverse('pools:change_request_detail', args=[drain.pk])}")
    page.locator(f"#cr-{drain.pk} button:has-text('Check progress now')").click()
    expect(page.locator(f"#cr-{drain.pk} [data-role=status]")).to_have_text("Succeeded")
    page.goto(
        f"{live_server.url}{reverse('pools:node_detail', args=[sandbox_connection.pk, pool, drained[0]])}"
    )
    expect(page.locator("#blast-radius")).to_contain_text("0 workloads now run on this node")


def approve(page, change_request, status):
    page.click("nav.mainnav >> text=Approvals")
    card = page.locator(f"#cr-{change_request.pk}")
    expect(card.locator(".cr-blast-radius")).to_contain_text("when filed")
    expect(card.locator(".revalidation-result")).to_contain_text("the change can be made")
    card.locator("input[name=password]").fill(PASSWORD)
    card.locator("button:has-text('Approve')").click()
    expect(page.locator(f"#cr-{change_request.pk} [data-role=status]")).to_have_text(status)


def test_a_lock_an_unlock_and_a_rolling_reset_are_filed_approved_and_observed(
    login, switch_user, live_server, operator, approver, locmem_cache, seeded_sandbox, sandbox_connection
):
    vision, llm = pool_id(seeded_sandbox, "vision-train"), pool_id(seeded_sandbox, "llm-pretrain")
    locked, reset = available(seeded_sandbox, vision, 2), available(seeded_sandbox, llm, 2)
    node_page = reverse("pools:node_detail", args=[sandbox_connection.pk, vision, locked[0]])

    page = login(operator)
    lock = file_from_the_node_table(
        page, live_server, sandbox_connection, vision, locked, "Lock…", "Keep them while we debug."
    )
    assert lock.kind == "lock_nodes"
    page = switch_user(page, approver)
    approve(page, lock, "Succeeded")
    assert seeded_sandbox.calls("BatchLockPoolNodes") == 1
    page.goto(f"{live_server.url}{node_page}")
    expect(page.locator("main")).to_contain_text("Locked")

    page = switch_user(page, operator)
    unlock = file_from_the_node_table(
        page, live_server, sandbox_connection, vision, locked, "Unlock…", "Debugging is over."
    )
    page.goto(f"{live_server.url}{reverse('pools:pool_nodes', args=[sandbox_connection.pk, llm])}")
    for name in reset:
        page.check(f"#node-rows input[value='{name}']")
    page.click("button:has-text('Reset…')")
    page.select_option("select[name=strategy]", "RollingByNumber")
    page.fill("input[name=max_unavailable]", "1")
    page.fill("textarea[name=reason]", "Reinstall the OS image after the driver mishap.")
    page.click("form.danger-zone button[type=submit]")
    page.wait_for_url(re.compile(r"/requests/\d+/$"))
    rolling = ChangeRequest.objects.latest("pk")
    assert rolling.kind == "reset_nodes"

    page = switch_user(page, approver)
    approve(page, unlock, "Succeeded")
    page.goto(f"{live_server.url}{node_page}")
    expect(page.locator("main")).not_to_contain_text("Locked")
    approve(page, rolling, "In progress")
    assert seeded_sandbox.calls("BatchResetPoolNodes") == 1

    # One node at a time: two batches of the sandbox's reset time, then the request is complete.
    page.goto(f"{live_server.url}{reverse('pools:change_request_detail', args=[rolling.pk])}")
    seeded_sandbox.advance(seeded_sandbox.timings.reset_seconds * 2 + 1)
    page.locator(f"#cr-{rolling.pk} button:has-text('Check progress now')").click()
    expect(page.locator(f"#cr-{rolling.pk} [data-role=status]")).to_have_text("Succeeded")
    assert seeded_sandbox.calls("BatchResetPoolNodes") == 1
