"""Scheduled maintenance in the sandbox: states read off timestamps, canceled with its node, kept in the state
file, and the node's maintenance visible in the pool's events."""

from pools.sandbox import ManualClock, Sandbox, events, maintenance, operations
from tests.fixtures.sandbox import PROJECT_ID


def open_event(sandbox, pool_display_name="llm-pretrain"):
    listed = maintenance.list_scheduled_events(sandbox.store, PROJECT_ID, {"state": "inquiring"})
    return next(event for event in listed["events"] if event["poolDisplayName"] == pool_display_name)


def test_an_event_whose_node_is_deleted_before_acceptance_is_canceled(seeded_sandbox):
    repair = open_event(seeded_sandbox)
    body = b'{"deleteNodeNames": ["%s"]}' % repair["nodeName"].encode()
    operations.delete_nodes(seeded_sandbox.store, PROJECT_ID, repair["poolName"], body)

    listed = maintenance.list_scheduled_events(seeded_sandbox.store, PROJECT_ID, {"id": repair["id"]})

    assert listed["events"][0]["state"] == "canceled"


def test_the_maintenance_shows_in_the_pools_events(seeded_sandbox):
    repair = open_event(seeded_sandbox)
    maintenance.accept_scheduled_event(seeded_sandbox.store, PROJECT_ID, repair["id"], {}, b"{}")
    seeded_sandbox.advance(seeded_sandbox.timings.maintenance_seconds + 1)

    pool = seeded_sandbox.store.find(PROJECT_ID, repair["poolName"])
    newest = events.pool_events(pool, seeded_sandbox.clock.now())[0]

    assert newest.type == events.NORMAL
    assert "from 516/4/0/0 to 517/3/0/0" in newest.message  # the repaired node is available again


def test_accepted_maintenance_survives_a_restart(tmp_path):
    clock = ManualClock(1_800_000_000)
    state_file = tmp_path / "state.json"
    first = Sandbox(clock=clock, state_file=state_file)
    first.seed_demo(PROJECT_ID)
    repair = open_event(first)
    maintenance.accept_scheduled_event(first.store, PROJECT_ID, repair["id"], {}, b'{"notBefore": ""}')

    second = Sandbox(clock=clock, state_file=state_file)
    clock.advance(1)

    shown = maintenance.list_scheduled_events(second.store, PROJECT_ID, {"id": repair["id"]})["events"][0]
    assert shown["state"] == "executing"
    assert shown["jobProgress"] == "0%"
