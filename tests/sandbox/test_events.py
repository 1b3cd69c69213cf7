"""ListEvents in the sandbox: events read off the records' timestamps, stable as records are forgotten."""

import pytest

from pools.sandbox import events, node_actions, operations
from pools.sandbox.errors import ApiError
from tests.fixtures.sandbox import PROJECT_ID, pool_body, pool_id


def messages(sandbox, name, **query):
    listed = events.list_events(sandbox.store, PROJECT_ID, {"resource": "pools", "name": name, **query})
    return [(item["type"], item["message"].split(", timestamp")[0]) for item in listed["items"]]


def test_node_deletions_stay_in_the_history_after_the_nodes_are_gone(sandbox):
    sandbox.create_pool(PROJECT_ID, pool_body("history", count=3))
    name = pool_id(sandbox, "history")
    sandbox.settle()
    victim = sandbox.nodes(PROJECT_ID, name)[0]["metadata"]["name"]
    operations.delete_nodes(sandbox.store, PROJECT_ID, name, b'{"deleteNodeNames": ["%s"]}' % victim.encode())
    while_deleting = messages(sandbox, name)
    sandbox.advance(sandbox.timings.node_deletion_seconds + 1)
    sandbox.pools(PROJECT_ID)  # the removed node is forgotten from the live records

    after = messages(sandbox, name)

    resources = "Pool resources status changed, available/abnormal/creating/deleting count from"
    assert after[:2] == [
        ("Normal", f"{resources} 2/0/0/1 to 2/0/0/0"),
        ("Normal", f"{resources} 3/0/0/0 to 2/0/0/1"),
    ]
    assert after[1:] == while_deleting


def test_deleting_a_pool_is_a_status_change_and_a_failed_creation_a_warning(sandbox):
    sandbox.faults.fail_next_creates(1)
    sandbox.create_pool(PROJECT_ID, pool_body("doomed", count=2))
    sandbox.create_pool(PROJECT_ID, pool_body("leaving", count=1))
    sandbox.settle()
    operations.delete_pool(sandbox.store, PROJECT_ID, pool_id(sandbox, "leaving"))

    doomed = messages(sandbox, pool_id(sandbox, "doomed"), type="Warning")
    leaving = messages(sandbox, pool_id(sandbox, "leaving"))

    assert doomed[0][1].startswith("Pool status changed, from Creating to Error, details: Failed to create")
    assert len(doomed) == 1
    assert leaving[1] == ("Normal", "Pool status changed, from Running to Deleting.")


def test_since_and_until_bound_the_events_in_epoch_seconds(sandbox):
    sandbox.create_pool(PROJECT_ID, pool_body("window", count=1))
    name = pool_id(sandbox, "window")
    created = sandbox.store.find(PROJECT_ID, name).created_at
    sandbox.settle()

    early = messages(sandbox, name, until=str(int(created) + 1))
    late = messages(sandbox, name, since=str(int(created) + 2))

    assert [message for _, message in early][-1] == "Pool created, status Creating."
    assert len(early) + len(late) == 4


@pytest.mark.parametrize(
    "query",
    [
        {"resource": "nodes", "name": "x"},
        {"resource": "pools"},
        {"resource": "pools", "name": "x", "limit": "501"},
    ],
)
def test_bad_queries_answer_400(sandbox, query):
    with pytest.raises(ApiError) as bad:
        events.list_events(sandbox.store, PROJECT_ID, query)

    assert bad.value.status == 400


def test_an_unknown_pool_has_no_events(sandbox):
    assert messages(sandbox, "pool-unknown") == []


def test_a_reboot_makes_events_as_the_node_goes_out_and_comes_back(sandbox):
    sandbox.create_pool(PROJECT_ID, pool_body("rebooted", count=2))
    name = pool_id(sandbox, "rebooted")
    sandbox.settle()
    node = sandbox.nodes(PROJECT_ID, name)[0]["metadata"]["name"]
    node_actions.reboot_nodes(sandbox.store, PROJECT_ID, name, b'{"nodeNames": ["%s"]}' % node.encode())
    sandbox.advance(sandbox.timings.reboot_seconds + 1)

    newest = messages(sandbox, name)[:2]

    resources = "Pool resources status changed, available/abnormal/creating/deleting count from"
    assert newest == [
        ("Normal", f"{resources} 1/1/0/0 to 2/0/0/0"),
        ("Warning", f"{resources} 2/0/0/0 to 1/1/0/0"),
    ]
