"""The official SDK against the sandbox's events: ListEvents, ListScheduledEvents, AcceptScheduledEvent.

Request bodies are built from the SDK's model classes and answers parsed by them, as in ``test_sdk.py``.
"""

from datetime import UTC, datetime

import pytest
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException, ServerResponseException
from huaweicloudsdkmodelarts.v1 import (
    AcceptScheduledEventRequest,
    EventUpdate,
    ListEventsRequest,
    ListScheduledEventsRequest,
    RedeployConfig,
)

from pools.sandbox.seed import VISION_WORKSPACE
from tests.fixtures.sandbox import PROJECT_ID, pool_body, pool_id
from tests.sandbox.helpers import REQUEST_ID
from tests.sandbox.test_sdk import client_for


@pytest.fixture
def client(sandbox):
    return client_for(sandbox)


def utc(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def workspace_of(pool_display_name):
    return VISION_WORKSPACE if pool_display_name == "vision-train" else "0"


def inquiring(client, pool_display_name):
    listed = client.list_scheduled_events(
        ListScheduledEventsRequest(workspace_id=workspace_of(pool_display_name), state=["inquiring"])
    )
    return next(event for event in listed.events if event.pool_display_name == pool_display_name)


def test_the_sdk_reads_a_pools_events_as_its_state_changes(sandbox, client):
    sandbox.create_pool(PROJECT_ID, pool_body("events-pool", count=3))
    name = pool_id(sandbox, "events-pool")
    sandbox.settle()

    listed = client.list_events(ListEventsRequest(resource="pools", name=name))

    assert listed.kind == "EventList"
    assert listed.api_version == "v1"
    assert [(item.reason, item.type) for item in listed.items] == [
        ("PoolResourcesStatusChange", "Normal"),
        ("PoolStatusChange", "Normal"),
        ("PoolResourcesStatusChange", "Normal"),
        ("PoolStatusChange", "Normal"),
    ]
    assert listed.items[1].message == "Pool status changed, from Creating to Running."
    assert listed.items[0].message.startswith(
        "Pool resources status changed, available/abnormal/creating/deleting count from 0/0/3/0 to 3/0/0/0"
    )
    assert listed.items[0].kind == "Event"
    assert listed.items[0].count == 1
    assert listed.items[0].first_timestamp == listed.items[0].last_timestamp
    assert listed.items[0].first_timestamp.endswith("Z")


def test_the_sdk_filters_warnings_and_pages_with_continue(seeded_sandbox, client):
    name = pool_id(seeded_sandbox, "llm-pretrain")

    warnings = client.list_events(ListEventsRequest(resource="pools", name=name, type="Warning"))
    first = client.list_events(ListEventsRequest(resource="pools", name=name, limit=2))
    rest = client.list_events(
        ListEventsRequest(resource="pools", name=name, limit=2, _continue=first.metadata._continue)
    )

    assert [item.message.split(" to ")[1][:7] for item in warnings.items] == ["516/4/0"]
    assert len(first.items) == 2
    assert first.metadata.remaining_item_count == 2
    assert len(rest.items) == 2
    assert not rest.metadata._continue
    seen = [item.message for item in first.items + rest.items]
    assert len(set(seen)) == 4


def test_the_sdk_sees_a_bad_event_type(sandbox, client):
    with pytest.raises(ClientRequestException) as bad:
        client.list_events(ListEventsRequest(resource="pools", name="pool-x", type="Fatal"))

    assert bad.value.status_code == 400
    assert bad.value.error_code == "ModelArts.50004000"
    assert REQUEST_ID.fullmatch(bad.value.request_id)


def test_the_sdk_lists_the_demo_estates_scheduled_maintenance(seeded_sandbox, client):
    listed = client.list_scheduled_events(ListScheduledEventsRequest())
    waiting = client.list_scheduled_events(ListScheduledEventsRequest(state=["inquiring", "scheduled"]))
    vision = client.list_scheduled_events(ListScheduledEventsRequest(workspace_id=VISION_WORKSPACE))

    # Without workspaceId: the default workspace "0" only.
    assert listed.count == 2
    assert {event.state for event in listed.events} == {"inquiring", "completed"}
    assert {event.pool_display_name for event in waiting.events} == {"llm-pretrain"}
    assert [event.pool_display_name for event in vision.events] == ["vision-train"]
    repair = inquiring(client, "llm-pretrain")
    assert repair.type == "system-maintenance"
    assert repair.catalog == "hardware"
    assert repair.redeploy_type == ["HARD"]
    assert repair.instance_type == "standard"
    assert repair.pool_name == pool_id(seeded_sandbox, "llm-pretrain")
    node_names = {node["metadata"]["name"] for node in seeded_sandbox.nodes(PROJECT_ID, repair.pool_name)}
    assert repair.node_name in node_names


def test_the_sdk_accepts_a_hard_redeploy_and_the_node_goes_through_the_maintenance(seeded_sandbox, client):
    repair = inquiring(client, "llm-pretrain")
    start = int(seeded_sandbox.clock.now()) + 3600
    body = EventUpdate(not_before=utc(start), redeploy_config=RedeployConfig(type="HARD", auto_flow="false"))

    accepted = client.accept_scheduled_event(AcceptScheduledEventRequest(event_id=repair.id, body=body))

    assert accepted.state == "scheduled"
    assert accepted.not_before == utc(start)
    assert accepted.id == repair.id

    def node_phase():
        nodes = seeded_sandbox.nodes(PROJECT_ID, repair.pool_name)
        return next(node["status"]["phase"] for node in nodes if node["metadata"]["name"] == repair.node_name)

    assert node_phase() == "Abnormal"
    seeded_sandbox.advance(3601)
    executing = client.list_scheduled_events(ListScheduledEventsRequest(id=repair.id)).events[0]
    assert executing.state == "executing"
    assert executing.job_progress.endswith("%")
    seeded_sandbox.advance(seeded_sandbox.timings.maintenance_seconds)
    done = client.list_scheduled_events(ListScheduledEventsRequest(id=repair.id)).events[0]
    assert done.state == "completed"
    assert done.finish_time
    assert node_phase() == "Available"
    node = next(
        n for n in seeded_sandbox.store.find(PROJECT_ID, repair.pool_name).nodes if n.name == repair.node_name
    )
    assert node.disks_wiped_at == start


def test_the_sdk_is_refused_a_soft_redeploy_of_an_unavailable_node_and_a_time_outside_the_window(
    seeded_sandbox, client
):
    repair = inquiring(client, "llm-pretrain")
    disk = inquiring(client, "vision-train")
    now = seeded_sandbox.clock.now()

    def accept(event, **fields):
        with pytest.raises(ClientRequestException) as refused:
            client.accept_scheduled_event(
                AcceptScheduledEventRequest(
                    event_id=event.id,
                    workspace_id=workspace_of(event.pool_display_name),
                    body=EventUpdate(**fields),
                )
            )
        assert refused.value.status_code == 400
        return refused.value.error_msg

    assert "offers HARD" in accept(repair, redeploy_config=RedeployConfig(type="SOFT"))
    assert "later than the current time" in accept(disk, not_before=utc(now - 60))
    assert "no later than the planned start" in accept(disk, not_before=utc(now + 30 * 86400))
    assert "yyyy-MM-ddTHH:mm:ssZ" in accept(disk, not_before="tomorrow")
    assert inquiring(client, "vision-train").state == "inquiring"


def test_the_sdk_accepts_at_once_and_cannot_accept_twice(seeded_sandbox, client):
    disk = inquiring(client, "vision-train")

    with pytest.raises(ClientRequestException) as elsewhere:
        client.accept_scheduled_event(AcceptScheduledEventRequest(event_id=disk.id, body=EventUpdate()))
    accepted = client.accept_scheduled_event(
        AcceptScheduledEventRequest(
            event_id=disk.id,
            workspace_id=VISION_WORKSPACE,
            body=EventUpdate(redeploy_config=RedeployConfig(type="SOFT")),
        )
    )

    assert elsewhere.value.status_code == 404  # the event's pool is in another workspace
    assert accepted.state == "executing"
    with pytest.raises(ClientRequestException) as again:
        client.accept_scheduled_event(
            AcceptScheduledEventRequest(event_id=disk.id, workspace_id=VISION_WORKSPACE, body=EventUpdate())
        )
    assert again.value.status_code == 400
    assert "only an inquiring event" in again.value.error_msg


def test_the_sdk_sees_an_unknown_event_and_injected_faults(seeded_sandbox, client):
    with pytest.raises(ClientRequestException) as missing:
        client.accept_scheduled_event(AcceptScheduledEventRequest(event_id="se-nothing", body=EventUpdate()))
    seeded_sandbox.faults.error(503, count=1, operation="ListScheduledEvents")
    with pytest.raises(ServerResponseException) as failed:
        client.list_scheduled_events(ListScheduledEventsRequest())
    seeded_sandbox.faults.error(500, count=1, operation="ListEvents")
    with pytest.raises(ServerResponseException) as failed_events:
        client.list_events(ListEventsRequest(resource="pools", name="any"))

    assert missing.value.status_code == 404
    assert missing.value.error_code == "ModelArts.50016001"
    assert failed.value.status_code == 503
    assert failed_events.value.status_code == 500
    assert seeded_sandbox.call_counts() == {
        "AcceptScheduledEvent": 1,
        "ListScheduledEvents": 1,
        "ListEvents": 1,
    }
