"""``pool_listing``: the pools of one workspace or of every workspace, against the sandbox over HTTP."""

import pytest

from pools.sandbox.seed import VISION_WORKSPACE
from pools.selectors.cache import forget_connection
from pools.selectors.workspace_pools import _remember_workspaces, pool_listing

pytestmark = pytest.mark.django_db


@pytest.fixture
def listing_setup(locmem_cache, fail_fast, seeded_sandbox, sandbox_connection):
    return seeded_sandbox, sandbox_connection


def answered(sandbox) -> list[str]:
    """The calls in the order the sandbox answered them."""
    return [f"{call.operation}?{call.query}" for call in sandbox.call_log()]


def test_the_known_workspaces_are_read_with_the_usage_and_the_others_after_it(listing_setup):
    sandbox, connection = listing_setup
    sandbox.faults.latency(400, operation="ShowPoolRuntimeMetrics")

    listing = pool_listing(connection=connection)

    assert answered(sandbox) == [
        "ListPools?workspaceId=0",  # did not wait for the usage
        "ShowPoolRuntimeMetrics?",
        f"ListPools?workspaceId={VISION_WORKSPACE}",  # only the usage names it
    ]
    assert listing.workspaces == ("0", VISION_WORKSPACE) == listing.known.value
    assert len(listing.pools.value.items) == 7 and listing.counters == ()


def test_one_workspace_is_read_with_the_usage_and_nothing_else(listing_setup):
    sandbox, connection = listing_setup

    listing = pool_listing(connection=connection, workspace=VISION_WORKSPACE, with_counters=True)

    assert sorted(answered(sandbox)) == sorted(
        [
            f"ListPools?workspaceId={VISION_WORKSPACE}",
            f"ShowPoolStatistics?workspaceId={VISION_WORKSPACE}",
            "ShowPoolRuntimeMetrics?",
        ]
    )
    assert listing.workspaces == (VISION_WORKSPACE,)
    assert [pool.display_name for pool in listing.pools.value.items] == ["vision-train"]
    ((workspace, counters),) = [(c.workspace, c.read.value) for c in listing.counters]
    assert workspace == VISION_WORKSPACE and (counters.created, counters.creating) == (1, 0)


def test_counters_come_per_workspace_listed_and_fail_on_their_own(listing_setup):
    sandbox, connection = listing_setup
    sandbox.faults.error(500, operation="ShowPoolStatistics")

    listing = pool_listing(connection=connection, with_counters=True)

    assert [counter.workspace for counter in listing.counters] == ["0", VISION_WORKSPACE]
    assert all(counter.read.value is None and counter.read.error for counter in listing.counters)
    assert listing.pools.error is None and len(listing.pools.value.items) == 7


def test_a_cold_read_asks_for_the_workspaces_the_usage_named_last_time_at_once(listing_setup):
    sandbox, connection = listing_setup
    pool_listing(connection=connection)
    forget_connection(connection.pk)  # every cached answer misses; what was remembered stays
    sandbox.clear_calls()
    sandbox.faults.latency(400, operation="ShowPoolRuntimeMetrics")

    listing = pool_listing(connection=connection)

    # Both ListPools answered before the slow usage: neither waited for it.
    assert answered(sandbox)[-1] == "ShowPoolRuntimeMetrics?"
    assert sorted(answered(sandbox)[:2]) == sorted(
        ["ListPools?workspaceId=0", f"ListPools?workspaceId={VISION_WORKSPACE}"]
    )
    assert listing.workspaces == ("0", VISION_WORKSPACE) and len(listing.pools.value.items) == 7


def test_a_remembered_workspace_the_usage_no_longer_names_is_not_listed(listing_setup):
    sandbox, connection = listing_setup
    _remember_workspaces(connection, ("0", VISION_WORKSPACE, "gone-workspace"))

    listing = pool_listing(connection=connection)

    assert "ListPools?workspaceId=gone-workspace" in answered(sandbox)  # asked for at once, as a guess
    assert listing.workspaces == ("0", VISION_WORKSPACE) == listing.known.value
    assert len(listing.pools.value.items) == 7
